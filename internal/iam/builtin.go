package iam

import "github.com/hoardstore/hoard/internal/policy"

// builtin are the policies every deployment has, under the names MinIO
// gives them (so that operators' scripts carry over); they cannot be
// changed or removed.
var builtin = map[string]string{
	// readonly reads objects and lists buckets and their contents.
	"readonly": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetBucketLocation","s3:GetObject","s3:GetObjectVersion","s3:GetObjectTagging","s3:GetObjectVersionTagging","s3:GetObjectAttributes","s3:GetObjectVersionAttributes","s3:ListBucket","s3:ListBucketVersions","s3:ListAllMyBuckets"],"Resource":["arn:aws:s3:::*"]}]}`,
	// readwrite may do every S3 action on every bucket (no administration).
	"readwrite": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}`,
	// writeonly uploads objects (single and multipart) and nothing else.
	"writeonly": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject"],"Resource":["arn:aws:s3:::*"]}]}`,
	// diagnostics reads the server's state (admin info, heal and
	// lifecycle progress).
	"diagnostics": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["admin:ServerInfo"]}]}`,
	// consoleAdmin may do everything, administration included.
	"consoleAdmin": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["admin:*"]},{"Effect":"Allow","Action":["s3:*"],"Resource":["arn:aws:s3:::*"]}]}`,
}

// builtinParsed holds the parsed built-in policies; they are checked by a
// test, so a parse failure here is a programming error.
var builtinParsed = func() map[string]*policy.Policy {
	out := make(map[string]*policy.Policy, len(builtin))
	for name, doc := range builtin {
		p, err := policy.ParseIdentity([]byte(doc))
		if err != nil {
			panic("iam: built-in policy " + name + ": " + err.Error())
		}
		out[name] = p
	}
	return out
}()
