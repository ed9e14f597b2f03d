package iam

import (
	"errors"
	"fmt"
)

// Sentinel errors of IAM changes, tested with errors.Is; the admin API
// maps each to its code.
var (
	// ErrNoSuchUser: the access key names no user.
	ErrNoSuchUser = errors.New("iam: no such user")
	// ErrNoSuchGroup: no group has that name.
	ErrNoSuchGroup = errors.New("iam: no such group")
	// ErrNoSuchPolicy: no policy has that name.
	ErrNoSuchPolicy = errors.New("iam: no such policy")
	// ErrNoSuchServiceAccount: the access key names no service account.
	ErrNoSuchServiceAccount = errors.New("iam: no such service account")
	// ErrExists: the name or access key is already taken.
	ErrExists = errors.New("iam: already exists")
	// ErrInvalid: a name, key, secret or argument is not acceptable.
	ErrInvalid = errors.New("iam: invalid argument")
	// ErrPolicyInUse: the policy is still attached to users or groups.
	ErrPolicyInUse = errors.New("iam: policy in use")
	// ErrBuiltin: built-in policies cannot be changed or removed.
	ErrBuiltin = errors.New("iam: built-in policy")
	// ErrCorrupt: the stored state cannot be read (or unsealed).
	ErrCorrupt = errors.New("iam: stored state unreadable")
)

func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...)
}
