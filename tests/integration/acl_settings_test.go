package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// publicGet is a bucket policy letting anyone read every object.
func publicGet(bucket string) string {
	return fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, bucket)
}

// TestACLExplicitDenyWins: a Deny in the bucket policy beats a
// public-read ACL, for anonymous callers and the IAM user alike.
func TestACLExplicitDenyWins(t *testing.T) {
	e := newACLEnv(t)
	b := e.aclBucket(t)
	for _, k := range []string{"open", "secret"} {
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: &k, Body: strings.NewReader(k), ACL: types.ObjectCannedACLPublicRead})
		must(t, "PutObject "+k, err)
	}
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/secret"}]}`, b)
	_, err := e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &b, Policy: &doc})
	must(t, "PutBucketPolicy deny", err)
	resp, rb := e.anon(t, http.MethodGet, b, "open", nil)
	wantStatus(t, "anonymous GET of the public-read object", resp, rb, http.StatusOK)
	resp, rb = e.anon(t, http.MethodGet, b, "secret", nil)
	wantError(t, "anonymous GET of the denied public-read object", resp, rb, http.StatusForbidden, "AccessDenied")
	user := addUser(t, e.srv.Endpoint, "denied").S3Client(t)
	_, err = user.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: str("secret")})
	wantAWSError(t, "IAM user GET of the denied object", err, "AccessDenied", 403)
}

// TestObjectOwnership: new buckets have ACLs disabled (BucketOwnerEnforced,
// as S3 since April 2023) and refuse ACLs as S3 does; ObjectWriter and
// BucketOwnerPreferred honour them; switching back ignores them again.
func TestObjectOwnership(t *testing.T) {
	e := newACLEnv(t)
	b := e.bucket(t)
	fc := "CanonicalUser:" + e.owner + ":FULL_CONTROL"
	own, err := e.s3.GetBucketOwnershipControls(ctx(t), &s3.GetBucketOwnershipControlsInput{Bucket: &b})
	must(t, "GetBucketOwnershipControls of a new bucket", err)
	if r := own.OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Errorf("new bucket ownership: got %+v, want BucketOwnerEnforced", r)
	}
	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	wantAWSError(t, "PutObject public-read, ACLs disabled", err, "AccessControlListNotSupported", 400)
	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("k"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLBucketOwnerFullControl})
	must(t, "PutObject bucket-owner-full-control, ACLs disabled", err)
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPublicRead})
	wantAWSError(t, "PutBucketAcl public-read, ACLs disabled", err, "AccessControlListNotSupported", 400)
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), ACL: types.ObjectCannedACLPublicRead})
	wantAWSError(t, "PutObjectAcl public-read, ACLs disabled", err, "AccessControlListNotSupported", 400)
	_, err = e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: str(e.bucketName(t)), ACL: types.BucketCannedACLPublicRead})
	wantAWSError(t, "CreateBucket public-read without ownership", err, "InvalidBucketAclWithObjectOwnership", 400)

	for _, o := range []types.ObjectOwnership{types.ObjectOwnershipObjectWriter, types.ObjectOwnershipBucketOwnerPreferred} {
		_, err = e.s3.PutBucketOwnershipControls(ctx(t), &s3.PutBucketOwnershipControlsInput{Bucket: &b,
			OwnershipControls: &types.OwnershipControls{Rules: []types.OwnershipControlsRule{{ObjectOwnership: o}}}})
		must(t, "PutBucketOwnershipControls "+string(o), err)
		own, err = e.s3.GetBucketOwnershipControls(ctx(t), &s3.GetBucketOwnershipControlsInput{Bucket: &b})
		must(t, "GetBucketOwnershipControls", err)
		if r := own.OwnershipControls.Rules; len(r) != 1 || r[0].ObjectOwnership != o {
			t.Errorf("ownership: got %+v, want %s", r, o)
		}
		_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), ACL: types.ObjectCannedACLPublicRead})
		must(t, "PutObjectAcl public-read under "+string(o), err)
		resp, rb := e.anon(t, http.MethodGet, b, "k", nil)
		wantStatus(t, "anonymous GET under "+string(o), resp, rb, http.StatusOK)
	}
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPublicRead})
	must(t, "PutBucketAcl public-read, ACLs enabled", err)
	enforce := &s3.PutBucketOwnershipControlsInput{Bucket: &b, OwnershipControls: &types.OwnershipControls{
		Rules: []types.OwnershipControlsRule{{ObjectOwnership: types.ObjectOwnershipBucketOwnerEnforced}}}}
	_, err = e.s3.PutBucketOwnershipControls(ctx(t), enforce)
	wantAWSError(t, "BucketOwnerEnforced over a public bucket ACL", err, "InvalidBucketAclWithObjectOwnership", 400)
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPrivate})
	must(t, "PutBucketAcl private", err)
	_, err = e.s3.PutBucketOwnershipControls(ctx(t), enforce)
	must(t, "PutBucketOwnershipControls BucketOwnerEnforced", err)
	// The object's public-read grant is kept but counts for nothing.
	resp, rb := e.anon(t, http.MethodGet, b, "k", nil)
	wantError(t, "anonymous GET with ACLs disabled again", resp, rb, http.StatusForbidden, "AccessDenied")
	wantGrants(t, "GetObjectAcl with ACLs disabled", e.objectGrants(t, b, "k", ""), fc)

	_, err = e.s3.DeleteBucketOwnershipControls(ctx(t), &s3.DeleteBucketOwnershipControlsInput{Bucket: &b})
	must(t, "DeleteBucketOwnershipControls", err)
	_, err = e.s3.GetBucketOwnershipControls(ctx(t), &s3.GetBucketOwnershipControlsInput{Bucket: &b})
	wantAWSError(t, "GetBucketOwnershipControls once deleted", err, "OwnershipControlsNotFoundError", 404)
	resp, rb = e.anon(t, http.MethodGet, b, "k", nil)
	wantStatus(t, "anonymous GET with ACLs enabled by the deletion", resp, rb, http.StatusOK)

	resp, rb = e.do(t, http.MethodPut, b, "", query("ownershipControls", ""), nil,
		[]byte(`<OwnershipControls><Rule><ObjectOwnership>Mine</ObjectOwnership></Rule></OwnershipControls>`))
	wantError(t, "PutBucketOwnershipControls with an unknown setting", resp, rb, http.StatusBadRequest, "MalformedXML")
	_, err = e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: str(e.bucketName(t)), ObjectOwnership: "Mine"})
	wantAWSError(t, "CreateBucket with an unknown ownership", err, "InvalidArgument", 400)
}

// TestPublicAccessBlock checks each flag's effect, and
// GetBucketPolicyStatus with ACLs, policies and the block.
func TestPublicAccessBlock(t *testing.T) {
	e := newACLEnv(t)
	b := e.aclBucket(t)
	_, err := e.s3.GetPublicAccessBlock(ctx(t), &s3.GetPublicAccessBlockInput{Bucket: &b})
	wantAWSError(t, "GetPublicAccessBlock of a new bucket", err, "NoSuchPublicAccessBlockConfiguration", 404)
	_, err = e.s3.GetBucketPolicyStatus(ctx(t), &s3.GetBucketPolicyStatusInput{Bucket: &b})
	wantAWSError(t, "GetBucketPolicyStatus, private and no policy", err, "NoSuchBucketPolicy", 404)
	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("pub"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	must(t, "PutObject public-read", err)
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPublicRead})
	must(t, "PutBucketAcl public-read", err)
	status := func(what string, want bool) {
		t.Helper()
		out, err := e.s3.GetBucketPolicyStatus(ctx(t), &s3.GetBucketPolicyStatusInput{Bucket: &b})
		must(t, "GetBucketPolicyStatus "+what, err)
		if got := aws.ToBool(out.PolicyStatus.IsPublic); got != want {
			t.Errorf("GetBucketPolicyStatus %s: IsPublic %v, want %v", what, got, want)
		}
	}
	status("with a public-read bucket ACL", true)
	block := func(cfg types.PublicAccessBlockConfiguration) {
		t.Helper()
		_, err := e.s3.PutPublicAccessBlock(ctx(t), &s3.PutPublicAccessBlockInput{Bucket: &b, PublicAccessBlockConfiguration: &cfg})
		must(t, "PutPublicAccessBlock", err)
		out, err := e.s3.GetPublicAccessBlock(ctx(t), &s3.GetPublicAccessBlockInput{Bucket: &b})
		must(t, "GetPublicAccessBlock", err)
		got := out.PublicAccessBlockConfiguration
		if aws.ToBool(got.BlockPublicAcls) != aws.ToBool(cfg.BlockPublicAcls) || aws.ToBool(got.IgnorePublicAcls) != aws.ToBool(cfg.IgnorePublicAcls) ||
			aws.ToBool(got.BlockPublicPolicy) != aws.ToBool(cfg.BlockPublicPolicy) || aws.ToBool(got.RestrictPublicBuckets) != aws.ToBool(cfg.RestrictPublicBuckets) {
			t.Errorf("GetPublicAccessBlock: got %+v, want %+v", got, cfg)
		}
	}

	// BlockPublicAcls: setting a public ACL is refused, a private one is not.
	block(types.PublicAccessBlockConfiguration{BlockPublicAcls: aws.Bool(true)})
	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("blocked"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	wantAWSError(t, "PutObject public-read under BlockPublicAcls", err, "AccessDenied", 403)
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("pub"), GrantRead: str(`uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"`)})
	wantAWSError(t, "PutObjectAcl authenticated-read grant under BlockPublicAcls", err, "AccessDenied", 403)
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPublicReadWrite})
	wantAWSError(t, "PutBucketAcl public-read-write under BlockPublicAcls", err, "AccessDenied", 403)
	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("blocked"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPrivate})
	must(t, "PutObject private under BlockPublicAcls", err)
	resp, rb := e.anon(t, http.MethodGet, b, "pub", nil)
	wantStatus(t, "existing public-read object under BlockPublicAcls alone", resp, rb, http.StatusOK)

	// IgnorePublicAcls: existing public grants count for nothing.
	block(types.PublicAccessBlockConfiguration{IgnorePublicAcls: aws.Bool(true)})
	resp, rb = e.anon(t, http.MethodGet, b, "pub", nil)
	wantError(t, "anonymous GET under IgnorePublicAcls", resp, rb, http.StatusForbidden, "AccessDenied")
	resp, rb = e.anon(t, http.MethodGet, b, "", nil)
	wantError(t, "anonymous list under IgnorePublicAcls", resp, rb, http.StatusForbidden, "AccessDenied")
	status("with IgnorePublicAcls", false)

	// BlockPublicPolicy: a public policy is refused, a private one is not.
	block(types.PublicAccessBlockConfiguration{BlockPublicPolicy: aws.Bool(true)})
	_, err = e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &b, Policy: str(publicGet(b))})
	wantAWSError(t, "public PutBucketPolicy under BlockPublicPolicy", err, "AccessDenied", 403)
	_, err = e.s3.GetBucketPolicy(ctx(t), &s3.GetBucketPolicyInput{Bucket: &b})
	wantAWSError(t, "GetBucketPolicy after the refusal", err, "NoSuchBucketPolicy", 404)
	scoped := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/someone"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::%s/*"}]}`, b)
	_, err = e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &b, Policy: &scoped})
	must(t, "non-public PutBucketPolicy under BlockPublicPolicy", err)

	// RestrictPublicBuckets: a public policy grants only signed-in users.
	_, err = e.s3.DeletePublicAccessBlock(ctx(t), &s3.DeletePublicAccessBlockInput{Bucket: &b})
	must(t, "DeletePublicAccessBlock", err)
	_, err = e.s3.GetPublicAccessBlock(ctx(t), &s3.GetPublicAccessBlockInput{Bucket: &b})
	wantAWSError(t, "GetPublicAccessBlock once deleted", err, "NoSuchPublicAccessBlockConfiguration", 404)
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPrivate})
	must(t, "PutBucketAcl private", err)
	_, err = e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &b, Policy: str(publicGet(b))})
	must(t, "public PutBucketPolicy", err)
	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("by-policy"), Body: strings.NewReader("x")})
	must(t, "PutObject private", err)
	status("with a public policy", true)
	block(types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)})
	status("with a public policy and RestrictPublicBuckets", false)
	resp, rb = e.anon(t, http.MethodGet, b, "by-policy", nil)
	wantError(t, "anonymous GET under RestrictPublicBuckets", resp, rb, http.StatusForbidden, "AccessDenied")
	user := addUser(t, e.srv.Endpoint, "restricted").S3Client(t)
	out, err := user.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: str("by-policy")})
	must(t, "IAM user GET under RestrictPublicBuckets", err)
	out.Body.Close()

	resp, rb = e.do(t, http.MethodPut, b, "", query("publicAccessBlock", ""), nil,
		[]byte(`<PublicAccessBlockConfiguration><BlockPublicAcls>maybe</BlockPublicAcls></PublicAccessBlockConfiguration>`))
	wantError(t, "PutPublicAccessBlock with a bad flag", resp, rb, http.StatusBadRequest, "MalformedXML")
	block(types.PublicAccessBlockConfiguration{RestrictPublicBuckets: aws.Bool(true)}) // unchanged by the refusal
}

// TestACLBadInput: malformed documents, unknown canned ACLs and an ACL
// given twice are refused with S3's errors and change nothing.
func TestACLBadInput(t *testing.T) {
	e := newACLEnv(t)
	b := e.aclBucket(t)
	e.putObject(t, b, "k", []byte("x"))
	_, err := e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), ACL: types.ObjectCannedACLPublicRead})
	must(t, "PutObjectAcl public-read", err)
	before := e.objectGrants(t, b, "k", "")
	beforeBucket := e.bucketGrants(t, b)
	ownerDoc := func(grants string) []byte {
		return []byte(`<AccessControlPolicy xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Owner><ID>` + e.owner + `</ID></Owner><AccessControlList>` + grants + `</AccessControlList></AccessControlPolicy>`)
	}
	cases := []struct {
		name   string
		header http.Header
		body   []byte
		status int
		code   string
	}{
		{"not XML", nil, []byte("<AccessControlPolicy><Owner>"), 400, "MalformedACLError"},
		{"no owner", nil, []byte(`<AccessControlPolicy><AccessControlList/></AccessControlPolicy>`), 400, "MalformedACLError"},
		{"unknown permission", nil, ownerDoc(`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://acs.amazonaws.com/groups/global/AllUsers</URI></Grantee><Permission>ALL</Permission></Grant>`), 400, "MalformedACLError"},
		{"unknown grantee type", nil, ownerDoc(`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Robot"><ID>x</ID></Grantee><Permission>READ</Permission></Grant>`), 400, "MalformedACLError"},
		{"unknown user", nil, ownerDoc(`<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>0123</ID></Grantee><Permission>READ</Permission></Grant>`), 400, "InvalidArgument"},
		{"another owner", nil, []byte(`<AccessControlPolicy><Owner><ID>someone-else</ID></Owner><AccessControlList/></AccessControlPolicy>`), 403, "AccessDenied"},
		{"unknown canned ACL", hdr("X-Amz-Acl", "public-everything"), nil, 400, "InvalidArgument"},
		{"canned and grant headers", hdr("X-Amz-Acl", "private", "X-Amz-Grant-Read", "id="+e.owner), nil, 400, "InvalidRequest"},
		{"header and body", hdr("X-Amz-Acl", "private"), ownerDoc(""), 400, "UnexpectedContent"},
		{"neither", nil, nil, 400, "MissingSecurityHeader"},
	}
	for _, c := range cases {
		for _, key := range []string{"k", ""} {
			resp, rb := e.do(t, http.MethodPut, b, key, query("acl", ""), c.header, c.body)
			wantError(t, c.name+" on "+map[string]string{"k": "the object", "": "the bucket"}[key], resp, rb, c.status, c.code)
		}
	}
	wantGrants(t, "object ACL after refusals", e.objectGrants(t, b, "k", ""), before...)
	wantGrants(t, "bucket ACL after refusals", e.bucketGrants(t, b), beforeBucket...)
	resp, rb := e.do(t, http.MethodPut, b, "new", nil, hdr("X-Amz-Acl", "public-everything"), []byte("x"))
	wantError(t, "PutObject with an unknown canned ACL", resp, rb, http.StatusBadRequest, "InvalidArgument")
	_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: str("new")})
	wantAWSError(t, "HeadObject after the refused PUT", err, "NotFound", 404)
}

// TestObjectLockConditionKeys decides uploads and retention changes on
// s3:object-lock-* keys of a bucket policy, as AWS fills them.
func TestObjectLockConditionKeys(t *testing.T) {
	e := newACLEnv(t)
	b := e.lockedBucket(t)
	doc := fmt.Sprintf(`{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::000000000000:user/locker"},"Action":["s3:PutObject","s3:PutObjectRetention","s3:PutObjectLegalHold"],"Resource":"arn:aws:s3:::%[1]s/*"},
	 {"Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:PutObjectRetention"],"Resource":"arn:aws:s3:::%[1]s/*","Condition":{"NumericGreaterThan":{"s3:object-lock-remaining-retention-days":"30"}}},
	 {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/*","Condition":{"StringEquals":{"s3:object-lock-mode":"COMPLIANCE"}}},
	 {"Effect":"Deny","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::%[1]s/*","Condition":{"DateGreaterThan":{"s3:object-lock-retain-until-date":"2100-01-01T00:00:00Z"}}},
	 {"Effect":"Deny","Principal":"*","Action":["s3:PutObject","s3:PutObjectLegalHold"],"Resource":"arn:aws:s3:::%[1]s/*","Condition":{"StringEquals":{"s3:object-lock-legal-hold":"ON"}}}]}`, b)
	_, err := e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &b, Policy: &doc})
	must(t, "PutBucketPolicy with object-lock keys", err)
	user := addUser(t, e.srv.Endpoint, "locker").S3Client(t)
	put := func(key string, mode types.ObjectLockMode, days int, hold types.ObjectLockLegalHoldStatus) error {
		in := &s3.PutObjectInput{Bucket: &b, Key: &key, Body: strings.NewReader("x"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockLegalHoldStatus: hold}
		if mode != "" {
			in.ObjectLockMode, in.ObjectLockRetainUntilDate = mode, aws.Time(time.Now().Add(time.Duration(days)*24*time.Hour))
		}
		_, err := user.PutObject(ctx(t), in)
		return err
	}
	must(t, "GOVERNANCE for 10 days", put("ten", types.ObjectLockModeGovernance, 10, ""))
	wantAWSError(t, "GOVERNANCE for 60 days", put("sixty", types.ObjectLockModeGovernance, 60, ""), "AccessDenied", 403)
	wantAWSError(t, "COMPLIANCE for 1 day", put("compliance", types.ObjectLockModeCompliance, 1, ""), "AccessDenied", 403)
	wantAWSError(t, "legal hold ON", put("held", "", 0, types.ObjectLockLegalHoldStatusOn), "AccessDenied", 403)
	must(t, "legal hold OFF", put("unheld", "", 0, types.ObjectLockLegalHoldStatusOff))
	must(t, "no lock at all", put("plain", "", 0, ""))

	retention := func(days int) error {
		_, err := user.PutObjectRetention(ctx(t), &s3.PutObjectRetentionInput{Bucket: &b, Key: str("ten"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: aws.Time(time.Now().Add(time.Duration(days) * 24 * time.Hour))}})
		return err
	}
	wantAWSError(t, "PutObjectRetention to 90 days", retention(90), "AccessDenied", 403)
	must(t, "PutObjectRetention to 20 days", retention(20))
	hold := func(s types.ObjectLockLegalHoldStatus) error {
		_, err := user.PutObjectLegalHold(ctx(t), &s3.PutObjectLegalHoldInput{Bucket: &b, Key: str("ten"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			LegalHold: &types.ObjectLockLegalHold{Status: s}})
		return err
	}
	wantAWSError(t, "PutObjectLegalHold ON", hold(types.ObjectLockLegalHoldStatusOn), "AccessDenied", 403)
	must(t, "PutObjectLegalHold OFF", hold(types.ObjectLockLegalHoldStatusOff))
	r, err := e.s3.GetObjectRetention(ctx(t), &s3.GetObjectRetentionInput{Bucket: &b, Key: str("ten")})
	must(t, "GetObjectRetention", err)
	if d := time.Until(aws.ToTime(r.Retention.RetainUntilDate)); d < 19*24*time.Hour || d > 21*24*time.Hour {
		t.Errorf("retention after the refused and the allowed change: %v left, want about 20 days", d)
	}
}
