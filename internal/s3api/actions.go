package s3api

// opActions maps every operation to the S3 action it needs (versioned
// variants are chosen by versionedActions). ListBuckets needs
// s3:ListAllMyBuckets or is narrowed to the buckets the caller may list;
// DeleteObjects is decided per key; the bucket subresources are decided by
// subresourceActions.
var opActions = map[Op]string{
	OpListBuckets:             "s3:ListAllMyBuckets",
	OpCreateBucket:            "s3:CreateBucket",
	OpDeleteBucket:            "s3:DeleteBucket",
	OpHeadBucket:              "s3:ListBucket",
	OpGetBucketLocation:       "s3:GetBucketLocation",
	OpGetBucketVersioning:     "s3:GetBucketVersioning",
	OpPutBucketVersioning:     "s3:PutBucketVersioning",
	OpGetBucketACL:            "s3:GetBucketAcl",
	OpPutBucketACL:            "s3:PutBucketAcl",
	OpGetBucketCors:           "s3:GetBucketCORS",
	OpPutBucketCors:           "s3:PutBucketCORS",
	OpDeleteBucketCors:        "s3:PutBucketCORS",
	OpGetBucketPolicy:         "s3:GetBucketPolicy",
	OpPutBucketPolicy:         "s3:PutBucketPolicy",
	OpDeleteBucketPolicy:      "s3:DeleteBucketPolicy",
	OpGetBucketPolicyStatus:   "s3:GetBucketPolicyStatus",
	OpGetBucketLifecycle:      "s3:GetLifecycleConfiguration",
	OpPutBucketLifecycle:      "s3:PutLifecycleConfiguration",
	OpDeleteBucketLifecycle:   "s3:PutLifecycleConfiguration",
	OpListObjects:             "s3:ListBucket",
	OpListObjectsV2:           "s3:ListBucket",
	OpListObjectVersions:      "s3:ListBucketVersions",
	OpListMultipartUploads:    "s3:ListBucketMultipartUploads",
	OpDeleteObjects:           "s3:DeleteObject", // decided per key
	OpPutObject:               "s3:PutObject",
	OpCopyObject:              "s3:PutObject", // and s3:GetObject on the source
	OpGetObject:               "s3:GetObject",
	OpHeadObject:              "s3:GetObject",
	OpDeleteObject:            "s3:DeleteObject",
	OpGetObjectTagging:        "s3:GetObjectTagging",
	OpPutObjectTagging:        "s3:PutObjectTagging",
	OpDeleteObjectTagging:     "s3:DeleteObjectTagging",
	OpGetObjectAttributes:     "s3:GetObjectAttributes",
	OpGetObjectACL:            "s3:GetObjectAcl",
	OpPutObjectACL:            "s3:PutObjectAcl",
	OpCreateMultipartUpload:   "s3:PutObject",
	OpUploadPart:              "s3:PutObject",
	OpUploadPartCopy:          "s3:PutObject", // and s3:GetObject on the source
	OpCompleteMultipartUpload: "s3:PutObject",
	OpAbortMultipartUpload:    "s3:AbortMultipartUpload",
	OpListParts:               "s3:ListMultipartUploadParts",
	OpGetObjectRetention:      "s3:GetObjectRetention",
	OpPutObjectRetention:      "s3:PutObjectRetention",
	OpGetObjectLegalHold:      "s3:GetObjectLegalHold",
	OpPutObjectLegalHold:      "s3:PutObjectLegalHold",
	OpGetObjectLockConfig:     "s3:GetBucketObjectLockConfiguration",
	OpPutObjectLockConfig:     "s3:PutBucketObjectLockConfiguration",
	OpGetBucketTagging:        "s3:GetBucketTagging",
	OpPutBucketTagging:        "s3:PutBucketTagging",
	OpDeleteBucketTagging:     "s3:PutBucketTagging",
}

// subresourceActions are the actions of the bucket configurations Hoard
// answers as never set (GetBucketSubresource; PutBucketSubresource and,
// with the Put action as AWS has it, DeleteBucketSubresource).
var subresourceActions = map[string][2]string{ // get, put
	"tagging":           {"s3:GetBucketTagging", "s3:PutBucketTagging"},
	"encryption":        {"s3:GetEncryptionConfiguration", "s3:PutEncryptionConfiguration"},
	"object-lock":       {"s3:GetBucketObjectLockConfiguration", "s3:PutBucketObjectLockConfiguration"},
	"website":           {"s3:GetBucketWebsite", "s3:PutBucketWebsite"},
	"replication":       {"s3:GetReplicationConfiguration", "s3:PutReplicationConfiguration"},
	"ownershipControls": {"s3:GetBucketOwnershipControls", "s3:PutBucketOwnershipControls"},
	"publicAccessBlock": {"s3:GetBucketPublicAccessBlock", "s3:PutBucketPublicAccessBlock"},
	"requestPayment":    {"s3:GetBucketRequestPayment", "s3:PutBucketRequestPayment"},
	"logging":           {"s3:GetBucketLogging", "s3:PutBucketLogging"},
	"notification":      {"s3:GetBucketNotification", "s3:PutBucketNotification"},
	"accelerate":        {"s3:GetAccelerateConfiguration", "s3:PutAccelerateConfiguration"},
}

// anonymousOps are the operations a bucket policy or an ACL can open to
// anonymous callers; every other one (bucket configuration, creating and deleting
// buckets, listing buckets, copies) needs a signed request.
var anonymousOps = map[Op]bool{
	OpGetObject: true, OpHeadObject: true, OpGetObjectTagging: true, OpPutObjectTagging: true,
	OpDeleteObjectTagging: true, OpGetObjectAttributes: true, OpPutObject: true,
	OpCreateMultipartUpload: true, OpUploadPart: true, OpCompleteMultipartUpload: true,
	OpAbortMultipartUpload: true, OpListParts: true, OpDeleteObject: true, OpDeleteObjects: true,
	OpListObjects: true, OpListObjectsV2: true, OpHeadBucket: true, OpListObjectVersions: true,
	OpListMultipartUploads: true, OpGetBucketLocation: true,
	OpGetObjectRetention: true, OpPutObjectRetention: true, OpGetObjectLegalHold: true, OpPutObjectLegalHold: true,
	OpGetBucketACL: true, OpGetObjectACL: true,
}

// versionedActions are the actions a request naming a versionId needs
// instead.
var versionedActions = map[string]string{
	"s3:GetObject":           "s3:GetObjectVersion",
	"s3:GetObjectTagging":    "s3:GetObjectVersionTagging",
	"s3:PutObjectTagging":    "s3:PutObjectVersionTagging",
	"s3:DeleteObjectTagging": "s3:DeleteObjectVersionTagging",
	"s3:GetObjectAttributes": "s3:GetObjectVersionAttributes",
	"s3:DeleteObject":        "s3:DeleteObjectVersion",
	"s3:GetObjectAcl":        "s3:GetObjectVersionAcl",
	"s3:PutObjectAcl":        "s3:PutObjectVersionAcl",
}

// action returns the action the request needs, "" when none can allow it.
func (req *request) action() string {
	switch req.route.Op {
	case OpGetBucketSubresource, OpPutBucketSubresource, OpDeleteBucketSubresource:
		a, ok := subresourceActions[req.route.Subresource]
		if !ok {
			return ""
		}
		switch {
		case req.route.Op == OpGetBucketSubresource:
			return a[0]
		case req.route.Op == OpDeleteBucketSubresource && req.route.Subresource == "website":
			return "s3:DeleteBucketWebsite" // the one configuration AWS deletes with its own action
		}
		return a[1]
	}
	a := opActions[req.route.Op]
	if v, ok := versionedActions[a]; ok && req.r.URL.Query().Has("versionId") {
		return v
	}
	return a
}
