package policy

// AdminActions are the administration actions an identity policy can
// grant, named as MinIO names them so that policies written for it carry
// over. Each admin API call needs one of them.
var AdminActions = []string{
	"admin:ServerInfo",
	"admin:Heal",
	"admin:CreateUser",
	"admin:ResetUserSecret",
	"admin:DeleteUser",
	"admin:ListUsers",
	"admin:EnableUser",
	"admin:DisableUser",
	"admin:GetUser",
	"admin:AddUserToGroup",
	"admin:RemoveUserFromGroup",
	"admin:GetGroup",
	"admin:ListGroups",
	"admin:EnableGroup",
	"admin:DisableGroup",
	"admin:CreatePolicy",
	"admin:DeletePolicy",
	"admin:GetPolicy",
	"admin:AttachUserOrGroupPolicy",
	"admin:ListUserPolicies",
	"admin:CreateServiceAccount",
	"admin:UpdateServiceAccount",
	"admin:RemoveServiceAccount",
	"admin:ListServiceAccounts",
	"admin:RevokeSession",
	"admin:ListRevokedSessions",
}
