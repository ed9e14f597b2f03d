package integration

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// tagPolicy opens bucket to anonymous callers on conditions about tags,
// time and versions, with a NotPrincipal deny.
func tagPolicy(bucket string) string {
	return fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [
  {"Sid": "ReadPublicTagged", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject", "s3:GetObjectVersion"], "Resource": "arn:aws:s3:::%[1]s/*",
   "Condition": {"StringEquals": {"s3:ExistingObjectTag/visibility": "public"}}},
  {"Sid": "UploadTeamTagged", "Effect": "Allow", "Principal": "*", "Action": ["s3:PutObject", "s3:PutObjectTagging"], "Resource": "arn:aws:s3:::%[1]s/inbox/*",
   "Condition": {"StringEquals": {"s3:RequestObjectTag/team": "data"}, "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["team", "visibility"]}}},
  {"Sid": "Expired", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%[1]s/expired/*",
   "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2000-01-01T00:00:00Z"}}},
  {"Sid": "OnlyLatest", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObjectVersion", "Resource": "arn:aws:s3:::%[1]s/*",
   "Condition": {"StringNotEquals": {"s3:VersionId": "null"}}},
  {"Sid": "PrivateToOneAccount", "Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*", "Resource": "arn:aws:s3:::%[1]s/private/*"}
]}`, bucket)
}

// TestBucketPolicyConditionKeys: anonymous requests decided on the
// object's tags (s3:ExistingObjectTag), the tags they set
// (s3:RequestObjectTag, s3:RequestObjectTagKeys, from x-amz-tagging and
// from a PutObjectTagging body), the time (Date operators), the version
// they name (s3:VersionId) and a NotPrincipal deny.
func TestBucketPolicyConditionKeys(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		put := func(key, tagging string) {
			t.Helper()
			in := &s3.PutObjectInput{Bucket: &bucket, Key: aws.String(key), Body: strings.NewReader("body of " + key)}
			if tagging != "" {
				in.Tagging = aws.String(tagging)
			}
			_, err := e.s3.PutObject(ctx(t), in)
			must(t, "PutObject "+key, err)
		}
		put("tagged.txt", "visibility=public")
		put("untagged.txt", "")
		put("other.txt", "visibility=internal")
		put("expired/old.txt", "visibility=public")
		put("private/p.txt", "visibility=public")
		_, err := e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &bucket, Policy: aws.String(tagPolicy(bucket))})
		must(t, "PutBucketPolicy", err)

		anon := func(method, key string, query map[string]string, header http.Header, body []byte) int {
			t.Helper()
			u := e.objectURL(bucket, key, nil)
			q := u.Query()
			for k, v := range query {
				q.Set(k, v)
			}
			u.RawQuery = q.Encode()
			resp, _ := e.fetch(t, method, u.String(), header, body)
			return resp.StatusCode
		}
		tagDoc := func(kv ...string) []byte {
			doc := `<Tagging><TagSet>`
			for i := 0; i+1 < len(kv); i += 2 {
				doc += `<Tag><Key>` + kv[i] + `</Key><Value>` + kv[i+1] + `</Value></Tag>`
			}
			return []byte(doc + `</TagSet></Tagging>`)
		}
		for _, tc := range []struct {
			name, method, key string
			query             map[string]string
			header            http.Header
			body              []byte
			want              int
		}{
			{"GET of an object tagged public", http.MethodGet, "tagged.txt", nil, nil, nil, 200},
			{"GET of an untagged object", http.MethodGet, "untagged.txt", nil, nil, nil, 403},
			{"GET of an object tagged otherwise", http.MethodGet, "other.txt", nil, nil, nil, 403},
			{"GET denied by date", http.MethodGet, "expired/old.txt", nil, nil, nil, 403},
			{"GET denied by NotPrincipal", http.MethodGet, "private/p.txt", nil, nil, nil, 403},
			{"GET of the null version by ID", http.MethodGet, "tagged.txt", map[string]string{"versionId": "null"}, nil, nil, 200},
			{"PUT with the team tag", http.MethodPut, "inbox/a.txt", nil, hdr("X-Amz-Tagging", "team=data"), []byte("a"), 200},
			{"PUT with the team and visibility tags", http.MethodPut, "inbox/b.txt", nil, hdr("X-Amz-Tagging", "team=data&visibility=public"), []byte("b"), 200},
			{"PUT with another team", http.MethodPut, "inbox/c.txt", nil, hdr("X-Amz-Tagging", "team=web"), []byte("c"), 403},
			{"PUT with a tag key not allowed", http.MethodPut, "inbox/d.txt", nil, hdr("X-Amz-Tagging", "team=data&owner=me"), []byte("d"), 403},
			{"PUT without tags", http.MethodPut, "inbox/e.txt", nil, nil, []byte("e"), 403},
			{"PutObjectTagging with the team tag", http.MethodPut, "inbox/a.txt", map[string]string{"tagging": ""}, nil, tagDoc("team", "data", "visibility", "public"), 200},
			{"PutObjectTagging with another team", http.MethodPut, "inbox/a.txt", map[string]string{"tagging": ""}, nil, tagDoc("team", "web"), 403},
			{"GET of the upload its tags made public", http.MethodGet, "inbox/a.txt", nil, nil, nil, 200},
			{"GET of an upload tagged only with the team", http.MethodGet, "inbox/b.txt", nil, nil, nil, 200},
		} {
			if got := anon(tc.method, tc.key, tc.query, tc.header, tc.body); got != tc.want {
				t.Errorf("anonymous %s: got %d, want %d", tc.name, got, tc.want)
			}
		}

		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		out, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("tagged.txt"), Body: strings.NewReader("v2"), Tagging: aws.String("visibility=public")})
		must(t, "PutObject version 2", err)
		if got := anon(http.MethodGet, "tagged.txt", map[string]string{"versionId": aws.ToString(out.VersionId)}, nil, nil); got != 403 {
			t.Errorf("anonymous GET of a version by its ID (denied unless null): got %d, want 403", got)
		}
		if got := anon(http.MethodGet, "tagged.txt", nil, nil, nil); got != 200 {
			t.Errorf("anonymous GET of the latest version: got %d, want 200", got)
		}
	})
}
