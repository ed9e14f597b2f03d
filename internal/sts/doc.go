// Package sts serves AWS STS's AssumeRole: an IAM user trades its keys for
// temporary credentials (access key, secret key, session token) that
// expire, optionally narrowed by a session policy. Tokens are sealed by
// internal/iam, so every node accepts every token without any record of
// sessions. It imports iam, policy and sigv4.
package sts
