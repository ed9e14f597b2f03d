package integration

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	mlc "github.com/minio/minio-go/v7/pkg/lifecycle"

	"github.com/hoardstore/hoard/internal/lifecycle"
)

// lifecycleRules is the configuration the API test stores with
// aws-sdk-go-v2: every action and filter kind Hoard applies.
func lifecycleRules() []types.LifecycleRule {
	return []types.LifecycleRule{
		{ID: aws.String("logs"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("logs/")},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(3)}},
		{ID: aws.String("tagged"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{And: &types.LifecycleRuleAndOperator{
				Prefix: aws.String("logs/"), Tags: []types.Tag{{Key: aws.String("tmp"), Value: aws.String("yes")}},
				ObjectSizeGreaterThan: aws.Int64(0)}},
			Expiration: &types.LifecycleExpiration{Days: aws.Int32(1)}},
		{ID: aws.String("old"), Status: types.ExpirationStatusEnabled,
			Filter: &types.LifecycleRuleFilter{},
			NoncurrentVersionExpiration: &types.NoncurrentVersionExpiration{
				NoncurrentDays: aws.Int32(30), NewerNoncurrentVersions: aws.Int32(2)},
			AbortIncompleteMultipartUpload: &types.AbortIncompleteMultipartUpload{DaysAfterInitiation: aws.Int32(7)}},
		{ID: aws.String("markers"), Status: types.ExpirationStatusDisabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("dm/")},
			Expiration: &types.LifecycleExpiration{ExpiredObjectDeleteMarker: aws.Bool(true)}},
	}
}

// wantExpiration checks an x-amz-expiration value against the rule and
// the days S3 would compute from the object's modification time.
func wantExpiration(t testing.TB, op, got string, modTime time.Time, days int, rule string) {
	t.Helper()
	due := lifecycle.Calendar{}.After(modTime, days)
	want := `expiry-date="` + due.Format(http.TimeFormat) + `", rule-id="` + rule + `"`
	if got != want {
		t.Errorf("%s: x-amz-expiration %q, want %q", op, got, want)
	}
}

// TestBucketLifecycleConfiguration stores, reads and removes lifecycle
// configurations with aws-sdk-go-v2 and minio-go; checks the expiration
// and abort headers of PUT, GET, HEAD, copy, multipart and ListParts;
// and refuses bad documents with S3's errors, changing nothing.
func TestBucketLifecycleConfiguration(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		_, err := e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
		wantAWSError(t, "Get before Put", err, "NoSuchLifecycleConfiguration", http.StatusNotFound)
		_, err = e.s3.PutBucketLifecycleConfiguration(ctx(t), &s3.PutBucketLifecycleConfigurationInput{
			Bucket: &bucket, LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: lifecycleRules()}})
		must(t, "PutBucketLifecycleConfiguration", err)
		got, err := e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
		must(t, "GetBucketLifecycleConfiguration", err)
		if got.TransitionDefaultMinimumObjectSize != types.TransitionDefaultMinimumObjectSizeAllStorageClasses128k {
			t.Errorf("GetBucketLifecycleConfiguration: transition minimum size %q", got.TransitionDefaultMinimumObjectSize)
		}
		if len(got.Rules) != 4 || aws.ToString(got.Rules[1].Filter.And.Tags[0].Key) != "tmp" ||
			aws.ToInt32(got.Rules[2].NoncurrentVersionExpiration.NewerNoncurrentVersions) != 2 ||
			aws.ToInt32(got.Rules[2].AbortIncompleteMultipartUpload.DaysAfterInitiation) != 7 ||
			got.Rules[3].Status != types.ExpirationStatusDisabled || !aws.ToBool(got.Rules[3].Expiration.ExpiredObjectDeleteMarker) {
			t.Fatalf("GetBucketLifecycleConfiguration: got %+v", got.Rules)
		}
		mcfg, err := e.mc.GetBucketLifecycle(ctx(t), bucket)
		must(t, "minio GetBucketLifecycle", err)
		if len(mcfg.Rules) != 4 || mcfg.Rules[0].ID != "logs" || mcfg.Rules[0].Expiration.Days != 3 {
			t.Fatalf("minio GetBucketLifecycle: got %+v", mcfg.Rules)
		}

		checkExpirationHeaders(t, e, bucket)
		refuseBadLifecycles(t, e, bucket)

		// minio-go replaces the configuration; a rule without ID gets one.
		cfg := mlc.NewConfiguration()
		cfg.Rules = []mlc.Rule{{Status: "Enabled", RuleFilter: mlc.Filter{Prefix: "tmp/"}, Expiration: mlc.Expiration{Days: 2}}}
		must(t, "minio SetBucketLifecycle", e.mc.SetBucketLifecycle(ctx(t), bucket, cfg))
		got, err = e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
		must(t, "Get after minio Set", err)
		if len(got.Rules) != 1 || aws.ToString(got.Rules[0].ID) == "" || aws.ToInt32(got.Rules[0].Expiration.Days) != 2 {
			t.Fatalf("after minio Set: got %+v", got.Rules)
		}
		_, err = e.s3.DeleteBucketLifecycle(ctx(t), &s3.DeleteBucketLifecycleInput{Bucket: &bucket})
		must(t, "DeleteBucketLifecycle", err)
		_, err = e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
		wantAWSError(t, "Get after Delete", err, "NoSuchLifecycleConfiguration", http.StatusNotFound)
		put, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("tmp/x"), Body: bytes.NewReader([]byte("x"))})
		must(t, "PutObject without rules", err)
		if put.Expiration != nil {
			t.Errorf("PutObject without rules: x-amz-expiration %q", *put.Expiration)
		}
		_, err = e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("missing-" + bucket)})
		wantAWSError(t, "Get on a missing bucket", err, "NoSuchBucket", http.StatusNotFound)
	})
}

// checkExpirationHeaders checks x-amz-expiration and x-amz-abort-* where
// S3 sends them, under lifecycleRules.
func checkExpirationHeaders(t *testing.T, e *env, bucket string) {
	put, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("logs/a"), Body: bytes.NewReader([]byte("a"))})
	must(t, "PutObject logs/a", err)
	head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("logs/a")})
	must(t, "HeadObject", err)
	mod := aws.ToTime(head.LastModified)
	wantExpiration(t, "PutObject", aws.ToString(put.Expiration), mod, 3, "logs")
	wantExpiration(t, "HeadObject", aws.ToString(head.Expiration), mod, 3, "logs")
	obj, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("logs/a")})
	must(t, "GetObject", err)
	obj.Body.Close()
	wantExpiration(t, "GetObject", aws.ToString(obj.Expiration), mod, 3, "logs")
	// The tagged rule is earlier for a tagged, non-empty object.
	tagged, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("logs/t"), Tagging: aws.String("tmp=yes"), Body: bytes.NewReader([]byte("t"))})
	must(t, "PutObject tagged", err)
	if !strings.HasSuffix(aws.ToString(tagged.Expiration), `rule-id="tagged"`) {
		t.Errorf("tagged PutObject: x-amz-expiration %q, want rule tagged", aws.ToString(tagged.Expiration))
	}
	cp, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("logs/c"), CopySource: aws.String(bucket + "/logs/a")})
	must(t, "CopyObject", err)
	wantExpiration(t, "CopyObject", aws.ToString(cp.Expiration), aws.ToTime(cp.CopyObjectResult.LastModified), 3, "logs")
	other, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("other"), Body: bytes.NewReader([]byte("o"))})
	must(t, "PutObject other", err)
	if other.Expiration != nil {
		t.Errorf("PutObject outside every rule: x-amz-expiration %q", *other.Expiration)
	}
	up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: aws.String("logs/m")})
	must(t, "CreateMultipartUpload", err)
	parts, err := e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("logs/m"), UploadId: up.UploadId})
	must(t, "ListParts", err)
	type abort struct {
		date *time.Time
		rule *string
	}
	for op, v := range map[string]abort{"CreateMultipartUpload": {up.AbortDate, up.AbortRuleId}, "ListParts": {parts.AbortDate, parts.AbortRuleId}} {
		if aws.ToString(v.rule) != "old" || v.date == nil || !v.date.Equal(v.date.Truncate(24*time.Hour)) || v.date.Before(time.Now().Add(7*24*time.Hour)) {
			t.Errorf("%s: abort date %v rule %q, want a midnight 7 days on and rule old", op, v.date, aws.ToString(v.rule))
		}
	}
	pu, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("logs/m"), UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("m"))})
	must(t, "UploadPart", err)
	done, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("logs/m"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: pu.ETag}}}})
	must(t, "CompleteMultipartUpload", err)
	if !strings.HasSuffix(aws.ToString(done.Expiration), `rule-id="logs"`) {
		t.Errorf("CompleteMultipartUpload: x-amz-expiration %q, want rule logs", aws.ToString(done.Expiration))
	}
	st, err := e.mc.StatObject(ctx(t), bucket, "logs/a", minio.StatObjectOptions{})
	must(t, "minio StatObject", err)
	if st.ExpirationRuleID != "logs" || !st.Expiration.Equal(lifecycle.Calendar{}.After(mod, 3)) {
		t.Errorf("minio StatObject: expiration %v rule %q", st.Expiration, st.ExpirationRuleID)
	}
}

// refuseBadLifecycles sends documents S3 refuses and checks that the
// stored configuration did not change.
func refuseBadLifecycles(t *testing.T, e *env, bucket string) {
	before, err := e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
	must(t, "Get before bad input", err)
	rule := func(body string) []byte {
		return []byte(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><ID>x</ID><Filter/><Status>Enabled</Status>` + body + `</Rule></LifecycleConfiguration>`)
	}
	good := rule(`<Expiration><Days>1</Days></Expiration>`)
	q := url.Values{"lifecycle": {""}}
	resp, body := e.do(t, http.MethodPut, bucket, "", q, nil, good)
	wantError(t, "Put without Content-MD5", resp, body, http.StatusBadRequest, "InvalidRequest")
	for _, tc := range []struct {
		doc    []byte
		status int
		code   string
	}{
		{[]byte("<LifecycleConfiguration><Rule>"), http.StatusBadRequest, "MalformedXML"},
		{rule(`<Expiration><Days>0</Days></Expiration>`), http.StatusBadRequest, "InvalidArgument"},
		{rule(`<Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration>`), http.StatusBadRequest, "InvalidArgument"},
		{rule(`<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>`), http.StatusBadRequest, "MalformedXML"},
		{rule(``), http.StatusBadRequest, "InvalidRequest"},
		{rule(`<Transition><Days>30</Days><StorageClass>GLACIER</StorageClass></Transition>`), http.StatusNotImplemented, "NotImplemented"},
	} {
		resp, body := e.do(t, http.MethodPut, bucket, "", q, hdr("Content-MD5", md5B64(tc.doc)), tc.doc)
		wantError(t, "Put "+string(tc.doc), resp, body, tc.status, tc.code)
	}
	resp, body = e.do(t, http.MethodPut, bucket, "", q, hdr("Content-MD5", md5B64([]byte("other"))), good)
	wantError(t, "Put with a wrong Content-MD5", resp, body, http.StatusBadRequest, "BadDigest")
	for _, tc := range []struct {
		value, code string
		status      int
	}{{"varies_by_storage_class", "NotImplemented", http.StatusNotImplemented}, {"big", "InvalidArgument", http.StatusBadRequest}} {
		resp, body = e.do(t, http.MethodPut, bucket, "", q, hdr("Content-MD5", md5B64(good), "X-Amz-Transition-Default-Minimum-Object-Size", tc.value), good)
		wantError(t, "Put with transition minimum size "+tc.value, resp, body, tc.status, tc.code)
	}
	after, err := e.s3.GetBucketLifecycleConfiguration(ctx(t), &s3.GetBucketLifecycleConfigurationInput{Bucket: &bucket})
	must(t, "Get after bad input", err)
	if len(after.Rules) != len(before.Rules) || aws.ToString(after.Rules[0].ID) != aws.ToString(before.Rules[0].ID) {
		t.Errorf("bad input changed the configuration: %+v", after.Rules)
	}
}
