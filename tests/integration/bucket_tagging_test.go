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

// TestBucketTagging: Put/Get/DeleteBucketTagging with S3's answers: 204 on
// PUT and DELETE, NoSuchTagSet (404) without tags, the set replaced whole,
// S3's limits (50 tags, keys of 128 and values of 256 characters, S3's
// characters, no aws: prefix, no key twice) refused with nothing changed.
func TestBucketTagging(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		b := &bucket
		c := ctx(t)
		tags := func(kv ...string) *types.Tagging {
			out := &types.Tagging{TagSet: []types.Tag{}}
			for i := 0; i+1 < len(kv); i += 2 {
				out.TagSet = append(out.TagSet, types.Tag{Key: aws.String(kv[i]), Value: aws.String(kv[i+1])})
			}
			return out
		}
		get := func(what string) string {
			t.Helper()
			out, err := e.s3b.GetBucketTagging(c, &s3.GetBucketTaggingInput{Bucket: b})
			must(t, what, err)
			var got []string
			for _, tg := range out.TagSet {
				got = append(got, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
			}
			return strings.Join(got, ",")
		}
		_, err := e.s3.GetBucketTagging(c, &s3.GetBucketTaggingInput{Bucket: b})
		wantAWSError(t, "GetBucketTagging without tags", err, "NoSuchTagSet", http.StatusNotFound)

		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tags("team", "data", "cost center", "42 / ü")})
		must(t, "PutBucketTagging", err)
		if got, want := get("GetBucketTagging"), "team=data,cost center=42 / ü"; got != want {
			t.Errorf("GetBucketTagging: got %q, want %q", got, want)
		}
		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tags("only", "one")})
		must(t, "PutBucketTagging replacing", err)

		fifty := tags()
		for i := range 51 {
			fifty.TagSet = append(fifty.TagSet, types.Tag{Key: aws.String(fmt.Sprintf("k%02d", i)), Value: aws.String("v")})
		}
		bad := []struct {
			name string
			tags *types.Tagging
			code string
		}{
			{"51 tags", fifty, "BadRequest"},
			{"key of 129 characters", tags(strings.Repeat("k", 129), "v"), "InvalidTag"},
			{"value of 257 characters", tags("k", strings.Repeat("v", 257)), "InvalidTag"},
			{"empty key", tags("", "v"), "InvalidTag"},
			{"aws: prefix", tags("aws:cloudformation:stack", "v"), "InvalidTag"},
			{"key twice", tags("k", "1", "k", "2"), "InvalidTag"},
			{"character outside S3's set", tags("k", "a;b"), "InvalidTag"},
		}
		for _, tc := range bad {
			_, err := e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tc.tags})
			wantAWSError(t, "PutBucketTagging with "+tc.name, err, tc.code, http.StatusBadRequest)
		}
		fifty.TagSet = fifty.TagSet[:50]
		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: fifty})
		must(t, "PutBucketTagging with 50 tags", err)
		if got := strings.Count(get("GetBucketTagging of 50"), "="); got != 50 {
			t.Errorf("GetBucketTagging after 50 tags: got %d tags", got)
		}
		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tags(strings.Repeat("k", 128), strings.Repeat("v", 256))})
		must(t, "PutBucketTagging at the length limits", err)

		// Raw requests: status codes, MalformedXML, the required digest.
		doc := []byte(`<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag></TagSet></Tagging>`)
		resp, body := e.do(t, http.MethodPut, bucket, "", query("tagging", ""), hdr("Content-MD5", md5B64(doc)), doc)
		wantStatus(t, "PUT ?tagging", resp, body, http.StatusNoContent)
		resp, body = e.do(t, http.MethodGet, bucket, "", query("tagging", ""), nil, nil)
		wantStatus(t, "GET ?tagging", resp, body, http.StatusOK)
		if !strings.Contains(string(body), string(doc)) {
			t.Errorf("GET ?tagging: got %s, want %s", body, doc)
		}
		broken := []byte(`<Tagging><TagSet><Tag><Key>a</Key>`)
		resp, body = e.do(t, http.MethodPut, bucket, "", query("tagging", ""), hdr("Content-MD5", md5B64(broken)), broken)
		wantError(t, "PUT ?tagging with broken XML", resp, body, http.StatusBadRequest, "MalformedXML")
		resp, body = e.do(t, http.MethodPut, bucket, "", query("tagging", ""), nil, doc)
		wantError(t, "PUT ?tagging without Content-MD5", resp, body, http.StatusBadRequest, "InvalidRequest")
		if got := get("GetBucketTagging after refused PUTs"); got != "a=b" {
			t.Errorf("tags after refused PUTs: got %q, want a=b", got)
		}

		resp, body = e.do(t, http.MethodDelete, bucket, "", query("tagging", ""), nil, nil)
		wantStatus(t, "DELETE ?tagging", resp, body, http.StatusNoContent)
		_, err = e.s3.GetBucketTagging(c, &s3.GetBucketTaggingInput{Bucket: b})
		wantAWSError(t, "GetBucketTagging after delete", err, "NoSuchTagSet", http.StatusNotFound)
		_, err = e.s3.DeleteBucketTagging(c, &s3.DeleteBucketTaggingInput{Bucket: b})
		must(t, "DeleteBucketTagging without tags", err)
		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tags("x", "y")})
		must(t, "PutBucketTagging", err)
		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: b, Tagging: tags()})
		must(t, "PutBucketTagging with an empty set", err)
		_, err = e.s3.GetBucketTagging(c, &s3.GetBucketTaggingInput{Bucket: b})
		wantAWSError(t, "GetBucketTagging after an empty set", err, "NoSuchTagSet", http.StatusNotFound)

		missing := aws.String("missing-" + bucket)
		_, err = e.s3.GetBucketTagging(c, &s3.GetBucketTaggingInput{Bucket: missing})
		wantAWSError(t, "GetBucketTagging of a missing bucket", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.PutBucketTagging(c, &s3.PutBucketTaggingInput{Bucket: missing, Tagging: tags("a", "b")})
		wantAWSError(t, "PutBucketTagging of a missing bucket", err, "NoSuchBucket", http.StatusNotFound)
		_, err = e.s3.DeleteBucketTagging(c, &s3.DeleteBucketTaggingInput{Bucket: missing})
		wantAWSError(t, "DeleteBucketTagging of a missing bucket", err, "NoSuchBucket", http.StatusNotFound)
	})
}
