package integration

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoardstore/hoard/internal/acl"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/testserver"
)

// Tests of ACLs (canned, grant headers, AccessControlPolicy bodies), object
// ownership and the public access block against one real 1-drive server,
// with aws-sdk-go-v2 and, for anonymous callers, plain unsigned net/http.

// str is aws.String, short.
func str(s string) *string { return &s }

// aclEnv is a 1-drive server with its root client.
type aclEnv struct {
	*env
	owner string
}

func newACLEnv(t *testing.T) *aclEnv {
	t.Helper()
	t.Parallel()
	e := newEnv(t, mode{name: "1drive", drives: 1}, testserver.Start(t, testserver.Options{}))
	out, err := e.s3.ListBuckets(ctx(t), &s3.ListBucketsInput{})
	must(t, "ListBuckets", err)
	return &aclEnv{env: e, owner: aws.ToString(out.Owner.ID)}
}

// aclBucket creates a bucket with ACLs enabled (ObjectWriter).
func (e *aclEnv) aclBucket(t *testing.T) string {
	t.Helper()
	name := e.bucketName(t)
	_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &name, ObjectOwnership: types.ObjectOwnershipObjectWriter})
	must(t, "CreateBucket ObjectWriter", err)
	return name
}

// grantList renders grants as "Type:who:PERMISSION", sorted.
func grantList(gs []types.Grant) []string {
	var out []string
	for _, g := range gs {
		who := aws.ToString(g.Grantee.ID)
		if g.Grantee.URI != nil {
			who = strings.TrimPrefix(aws.ToString(g.Grantee.URI), "http://acs.amazonaws.com/groups/")
		}
		out = append(out, string(g.Grantee.Type)+":"+who+":"+string(g.Permission))
	}
	slices.Sort(out)
	return out
}

func (e *aclEnv) objectGrants(t *testing.T, bucket, key, version string) []string {
	t.Helper()
	in := &s3.GetObjectAclInput{Bucket: &bucket, Key: &key}
	if version != "" {
		in.VersionId = &version
	}
	out, err := e.s3.GetObjectAcl(ctx(t), in)
	must(t, "GetObjectAcl "+key, err)
	if aws.ToString(out.Owner.ID) != e.owner {
		t.Errorf("GetObjectAcl %s owner: got %q, want %q", key, aws.ToString(out.Owner.ID), e.owner)
	}
	return grantList(out.Grants)
}

func (e *aclEnv) bucketGrants(t *testing.T, bucket string) []string {
	t.Helper()
	out, err := e.s3.GetBucketAcl(ctx(t), &s3.GetBucketAclInput{Bucket: &bucket})
	must(t, "GetBucketAcl", err)
	if aws.ToString(out.Owner.ID) != e.owner {
		t.Errorf("GetBucketAcl owner: got %q, want %q", aws.ToString(out.Owner.ID), e.owner)
	}
	return grantList(out.Grants)
}

func wantGrants(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("%s: got grants %v, want %v", what, got, want)
	}
}

// anon sends an unsigned request.
func (e *aclEnv) anon(t *testing.T, method, bucket, key string, body []byte) (*http.Response, []byte) {
	t.Helper()
	return e.fetch(t, method, e.objectURL(bucket, key, nil).String(), nil, body)
}

// postWithFields uploads key through POST Object with extra form fields,
// signed by the root user with every field in the policy.
func (e *aclEnv) postWithFields(t *testing.T, bucket, key string, extra map[string]string, file []byte) (*http.Response, []byte) {
	t.Helper()
	now := time.Now().UTC()
	cred := sigv4.Credentials{AccessKey: e.srv.AccessKey, SecretKey: e.srv.SecretKey}
	sf := sigv4.SignPost("", cred, e.srv.Region, now)
	fields := map[string]string{"key": key, "x-amz-algorithm": sf.Algorithm, "x-amz-credential": sf.Credential, "x-amz-date": sf.Date}
	for k, v := range extra {
		fields[k] = v
	}
	conds := []string{fmt.Sprintf(`{"bucket":%q}`, bucket)}
	for k, v := range fields {
		conds = append(conds, fmt.Sprintf(`["eq","$%s",%q]`, k, v))
	}
	doc := fmt.Sprintf(`{"expiration":%q,"conditions":[%s]}`, now.Add(time.Hour).Format("2006-01-02T15:04:05.000Z"), strings.Join(conds, ","))
	policy := base64.StdEncoding.EncodeToString([]byte(doc))
	sf = sigv4.SignPost(policy, cred, e.srv.Region, now)
	fields["policy"], fields["x-amz-signature"] = policy, sf.Signature
	return e.postForm(t, e.objectURL(bucket, "", nil).String(), fields, "f.txt", file)
}

// TestACLCannedOnEveryWrite sets canned ACLs and grants with every
// operation that takes one, reads them back with GetObjectAcl and
// GetBucketAcl, and checks what anonymous callers may then do.
func TestACLCannedOnEveryWrite(t *testing.T) {
	e := newACLEnv(t)
	b := e.aclBucket(t)
	fc := "CanonicalUser:" + e.owner + ":FULL_CONTROL"
	allRead, allWrite := "Group:global/AllUsers:READ", "Group:global/AllUsers:WRITE"
	authRead := "Group:global/AuthenticatedUsers:READ"
	body := []byte("public body")

	_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("put"), Body: bytes.NewReader(body), ACL: types.ObjectCannedACLPublicRead})
	must(t, "PutObject public-read", err)
	wantGrants(t, "PutObject public-read", e.objectGrants(t, b, "put", ""), fc, allRead)

	_, err = e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("private"), Body: bytes.NewReader(body)})
	must(t, "PutObject private", err)
	wantGrants(t, "PutObject without ACL", e.objectGrants(t, b, "private", ""), fc)

	_, err = e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &b, Key: str("copy"), CopySource: str(b + "/private"), ACL: types.ObjectCannedACLAuthenticatedRead})
	must(t, "CopyObject authenticated-read", err)
	wantGrants(t, "CopyObject authenticated-read", e.objectGrants(t, b, "copy", ""), fc, authRead)
	// A copy gets its own request's ACL, never the source's.
	_, err = e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &b, Key: str("copy-of-public"), CopySource: str(b + "/put")})
	must(t, "CopyObject of a public object", err)
	wantGrants(t, "copy of a public-read object without ACL", e.objectGrants(t, b, "copy-of-public", ""), fc)

	up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &b, Key: str("mp"), ACL: types.ObjectCannedACLPublicReadWrite})
	must(t, "CreateMultipartUpload public-read-write", err)
	etag := e.uploadPart(t, b, "mp", *up.UploadId, 1, body)
	_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &b, Key: str("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: &etag}}}})
	must(t, "CompleteMultipartUpload", err)
	wantGrants(t, "multipart public-read-write", e.objectGrants(t, b, "mp", ""), fc, allRead, allWrite)

	resp, rb := e.postWithFields(t, b, "posted", map[string]string{"acl": "public-read"}, body)
	wantStatus(t, "POST acl=public-read", resp, rb, http.StatusNoContent)
	wantGrants(t, "POST acl=public-read", e.objectGrants(t, b, "posted", ""), fc, allRead)
	resp, rb = e.postWithFields(t, b, "posted-grant", map[string]string{"x-amz-grant-read": `uri="` + acl.AllUsers + `"`}, body)
	wantStatus(t, "POST x-amz-grant-read", resp, rb, http.StatusNoContent)
	wantGrants(t, "POST x-amz-grant-read", e.objectGrants(t, b, "posted-grant", ""), allRead)

	nb := e.bucketName(t)
	_, err = e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &nb, ACL: types.BucketCannedACLPublicRead, ObjectOwnership: types.ObjectOwnershipBucketOwnerPreferred})
	must(t, "CreateBucket public-read", err)
	wantGrants(t, "CreateBucket public-read", e.bucketGrants(t, nb), fc, allRead)

	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, GrantRead: str(`uri="` + acl.AllUsers + `"`), GrantFullControl: str("id=" + e.owner)})
	must(t, "PutBucketAcl grant headers", err)
	wantGrants(t, "PutBucketAcl grant headers", e.bucketGrants(t, b), fc, allRead)

	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("private"), AccessControlPolicy: &types.AccessControlPolicy{
		Owner: &types.Owner{ID: &e.owner},
		Grants: []types.Grant{
			{Grantee: &types.Grantee{Type: types.TypeCanonicalUser, ID: &e.owner}, Permission: types.PermissionFullControl},
			{Grantee: &types.Grantee{Type: types.TypeGroup, URI: str(acl.AllUsers)}, Permission: types.PermissionRead},
		}}})
	must(t, "PutObjectAcl body", err)
	wantGrants(t, "PutObjectAcl body", e.objectGrants(t, b, "private", ""), fc, allRead)
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("private"), ACL: types.ObjectCannedACLPrivate})
	must(t, "PutObjectAcl private", err)
	wantGrants(t, "PutObjectAcl private", e.objectGrants(t, b, "private", ""), fc)

	// Anonymous, unsigned: a public-read object reads, a private one is
	// 403, a public-read bucket lists.
	resp, rb = e.anon(t, http.MethodGet, b, "put", nil)
	wantStatus(t, "anonymous GET public-read", resp, rb, http.StatusOK)
	if !bytes.Equal(rb, body) {
		t.Errorf("anonymous GET public-read: got %q, want %q", rb, body)
	}
	for _, h := range resp.Header {
		for _, v := range h {
			if strings.Contains(v, `"g":`) {
				t.Errorf("GET answers the stored grants in a header: %v", resp.Header)
			}
		}
	}
	resp, rb = e.anon(t, http.MethodGet, b, "private", nil)
	wantError(t, "anonymous GET private", resp, rb, http.StatusForbidden, "AccessDenied")
	resp, rb = e.anon(t, http.MethodGet, b, "copy", nil)
	wantError(t, "anonymous GET authenticated-read", resp, rb, http.StatusForbidden, "AccessDenied")
	resp, rb = e.anon(t, http.MethodGet, b, "", nil)
	wantStatus(t, "anonymous ListObjects of a public-read bucket", resp, rb, http.StatusOK)
	resp, rb = e.anon(t, http.MethodPut, b, "anon-put", []byte("x"))
	wantError(t, "anonymous PUT into a public-read bucket", resp, rb, http.StatusForbidden, "AccessDenied")

	// A client cannot smuggle grants in through the reserved metadata name.
	resp, rb = e.do(t, http.MethodPut, b, "smuggled", nil, hdr("X-Hoard-Internal-Acl", `[{"g":{"t":"Group","uri":"`+acl.AllUsers+`"},"p":"READ"}]`), []byte("x"))
	wantStatus(t, "PUT with a reserved header", resp, rb, http.StatusOK)
	wantGrants(t, "PUT with a reserved header", e.objectGrants(t, b, "smuggled", ""), fc)
}

// TestACLVersionsAndWriters checks GetObjectAcl and PutObjectAcl with a
// versionId, a public-read-write bucket taking anonymous writes, and
// authenticated-read and per-user grants for an IAM user.
func TestACLVersionsAndWriters(t *testing.T) {
	e := newACLEnv(t)
	b := e.aclBucket(t)
	fc := "CanonicalUser:" + e.owner + ":FULL_CONTROL"
	e.setVersioning(t, b, types.BucketVersioningStatusEnabled)
	v1, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("k"), Body: strings.NewReader("one"), ACL: types.ObjectCannedACLPublicRead})
	must(t, "PutObject v1", err)
	v2, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("k"), Body: strings.NewReader("two")})
	must(t, "PutObject v2", err)
	wantGrants(t, "v1", e.objectGrants(t, b, "k", *v1.VersionId), fc, "Group:global/AllUsers:READ")
	wantGrants(t, "v2 (current)", e.objectGrants(t, b, "k", ""), fc)
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), VersionId: v2.VersionId, ACL: types.ObjectCannedACLAuthenticatedRead})
	must(t, "PutObjectAcl v2", err)
	wantGrants(t, "v2 after PutObjectAcl", e.objectGrants(t, b, "k", *v2.VersionId), fc, "Group:global/AuthenticatedUsers:READ")
	wantGrants(t, "v1 unchanged", e.objectGrants(t, b, "k", *v1.VersionId), fc, "Group:global/AllUsers:READ")
	resp, rb := e.fetch(t, http.MethodGet, e.objectURL(b, "k", url.Values{"versionId": {*v1.VersionId}}).String(), nil, nil)
	wantStatus(t, "anonymous GET of the public-read version", resp, rb, http.StatusOK)
	resp, rb = e.anon(t, http.MethodGet, b, "k", nil)
	wantError(t, "anonymous GET of the authenticated-read version", resp, rb, http.StatusForbidden, "AccessDenied")

	// authenticated-read: any signed-in principal, here an IAM user with
	// no policy at all.
	nobody := addUser(t, e.srv.Endpoint, "aclnobody").S3Client(t)
	out, err := nobody.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: str("k")})
	must(t, "IAM user GET authenticated-read", err)
	out.Body.Close()
	old, err := nobody.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: str("k"), VersionId: v1.VersionId})
	must(t, "IAM user GET of the public-read version", err)
	old.Body.Close()
	_, err = nobody.GetObjectAcl(ctx(t), &s3.GetObjectAclInput{Bucket: &b, Key: str("k")})
	wantAWSError(t, "IAM user GetObjectAcl without READ_ACP", err, "AccessDenied", 403)
	// A grant to the user's canonical ID (hex SHA-256 of its name).
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), GrantReadACP: str("id=" + acl.CanonicalID("aclnobody"))})
	must(t, "PutObjectAcl grant READ_ACP to the user", err)
	got, err := nobody.GetObjectAcl(ctx(t), &s3.GetObjectAclInput{Bucket: &b, Key: str("k")})
	must(t, "IAM user GetObjectAcl with READ_ACP", err)
	if g := grantList(got.Grants); len(g) != 1 || g[0] != "CanonicalUser:"+acl.CanonicalID("aclnobody")+":READ_ACP" || aws.ToString(got.Grants[0].Grantee.DisplayName) != "aclnobody" {
		t.Errorf("grants: got %v (%+v), want READ_ACP to aclnobody", g, got.Grants[0].Grantee)
	}
	_, err = nobody.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: str("k")})
	wantAWSError(t, "IAM user GET once only READ_ACP is granted", err, "AccessDenied", 403)
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), GrantRead: str("id=0123")})
	wantAWSError(t, "grant to an unknown ID", err, "InvalidArgument", 400)
	_, err = e.s3.PutObjectAcl(ctx(t), &s3.PutObjectAclInput{Bucket: &b, Key: str("k"), GrantRead: str(`emailAddress="x@example.com"`)})
	wantAWSError(t, "grant to an e-mail address", err, "UnresolvableGrantByEmailAddress", 400)

	// public-read-write: anonymous writes are accepted.
	_, err = e.s3.PutBucketAcl(ctx(t), &s3.PutBucketAclInput{Bucket: &b, ACL: types.BucketCannedACLPublicReadWrite})
	must(t, "PutBucketAcl public-read-write", err)
	resp, rb = e.anon(t, http.MethodPut, b, "anon", []byte("anonymous"))
	wantStatus(t, "anonymous PUT into public-read-write", resp, rb, http.StatusOK)
	data, _ := e.getObject(t, b, "anon")
	if string(data) != "anonymous" {
		t.Errorf("anonymous PUT stored %q", data)
	}
	// An anonymous write may not give its object a public ACL: that
	// needs s3:PutObjectAcl, which no ACL grants on a new object.
	resp, rb = e.fetch(t, http.MethodPut, e.objectURL(b, "anon-public", nil).String(), hdr("X-Amz-Acl", "public-read"), []byte("x"))
	wantError(t, "anonymous PUT with public-read", resp, rb, http.StatusForbidden, "AccessDenied")
}

// TestACLWriteNeedsPutObjectAcl: a write setting a public ACL needs
// s3:PutObjectAcl beside s3:PutObject, through PUT and POST alike; a
// private one does not.
func TestACLWriteNeedsPutObjectAcl(t *testing.T) {
	e := newACLEnv(t)
	b := e.aclBucket(t)
	iamOK(t, e.srv.Endpoint, "PUT", "policies/putonly",
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:PutObject","Resource":"arn:aws:s3:::%s/*"}]}`, b))
	iamOK(t, e.srv.Endpoint, "PUT", "policies/putacl",
		fmt.Sprintf(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:PutObject","s3:PutObjectAcl"],"Resource":"arn:aws:s3:::%s/*"}]}`, b))
	writer := addUser(t, e.srv.Endpoint, "aclwriter", "putonly")
	full := addUser(t, e.srv.Endpoint, "aclfull", "putacl").S3Client(t)
	wc := writer.S3Client(t)
	_, err := wc.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("private"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPrivate})
	must(t, "PutObject private with s3:PutObject only", err)
	_, err = wc.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("public"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	wantAWSError(t, "PutObject public-read with s3:PutObject only", err, "AccessDenied", 403)
	_, err = full.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &b, Key: str("public"), Body: strings.NewReader("x"), ACL: types.ObjectCannedACLPublicRead})
	must(t, "PutObject public-read with s3:PutObjectAcl", err)
	resp, rb := e.anon(t, http.MethodGet, b, "public", nil)
	wantStatus(t, "anonymous GET of the object made public by the IAM user", resp, rb, http.StatusOK)

	// POST Object signed by the user with s3:PutObject only.
	now := time.Now().UTC()
	cred := sigv4.Credentials{AccessKey: writer.AccessKey, SecretKey: writer.SecretKey}
	sf := sigv4.SignPost("", cred, e.srv.Region, now)
	fields := map[string]string{"key": "posted", "acl": "public-read", "x-amz-algorithm": sf.Algorithm, "x-amz-credential": sf.Credential, "x-amz-date": sf.Date}
	var conds []string
	for k, v := range fields {
		conds = append(conds, fmt.Sprintf(`["eq","$%s",%q]`, k, v))
	}
	doc := fmt.Sprintf(`{"expiration":%q,"conditions":[{"bucket":%q},%s]}`, now.Add(time.Hour).Format("2006-01-02T15:04:05.000Z"), b, strings.Join(conds, ","))
	fields["policy"] = base64.StdEncoding.EncodeToString([]byte(doc))
	fields["x-amz-signature"] = sigv4.SignPost(fields["policy"], cred, e.srv.Region, now).Signature
	resp, rb = e.postForm(t, e.objectURL(b, "", nil).String(), fields, "f.txt", []byte("x"))
	wantError(t, "POST acl=public-read with s3:PutObject only", resp, rb, http.StatusForbidden, "AccessDenied")
	_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: str("posted")})
	wantAWSError(t, "HeadObject after the refused POST", err, "NotFound", 404)
}
