package integration

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// lockedBucket creates a bucket with object lock enabled (aws-sdk-go-v2).
func (e *env) lockedBucket(t testing.TB) string {
	t.Helper()
	name := e.bucketName(t)
	_, err := e.s3.CreateBucket(ctx(t), &s3.CreateBucketInput{Bucket: &name, ObjectLockEnabledForBucket: aws.Bool(true)})
	must(t, "CreateBucket with object lock", err)
	return name
}

// putLocked writes key with the given lock options and returns its
// version. It sends a CRC32 checksum: S3 wants one (or Content-MD5) with
// data that will be locked, and aws-sdk-go-v2 sends none over plain HTTP.
func (e *env) putLocked(t testing.TB, bucket, key string, mod func(*s3.PutObjectInput)) string {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("locked " + key), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32}
	if mod != nil {
		mod(in)
	}
	out, err := e.s3.PutObject(ctx(t), in)
	must(t, "PutObject "+key, err)
	return aws.ToString(out.VersionId)
}

// deleteVersion deletes one version, with or without bypassing governance.
func (e *env) deleteVersion(bucket, key, id string, bypass bool, t testing.TB) error {
	in := &s3.DeleteObjectInput{Bucket: &bucket, Key: &key, VersionId: &id}
	if bypass {
		in.BypassGovernanceRetention = aws.Bool(true)
	}
	_, err := e.s3.DeleteObject(ctx(t), in)
	return err
}

// md5Header returns a Content-MD5 header for body.
func md5Header(body []byte) http.Header {
	sum := md5.Sum(body)
	return hdr("Content-MD5", base64.StdEncoding.EncodeToString(sum[:]))
}

// TestObjectLock covers S3 Object Lock on every layout: one server (or
// cluster) per layout, one subtest per behaviour.
func TestObjectLock(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		t.Run("BucketConfiguration", func(t *testing.T) { lockBucketConfiguration(t, e) })
		t.Run("EnableOnVersionedBucket", func(t *testing.T) { lockEnableExisting(t, e) })
		t.Run("Compliance", func(t *testing.T) { lockCompliance(t, e) })
		t.Run("Governance", func(t *testing.T) { lockGovernance(t, e) })
		t.Run("LegalHold", func(t *testing.T) { lockLegalHold(t, e) })
		t.Run("DefaultRetention", func(t *testing.T) { lockDefaultRetention(t, e) })
		t.Run("BadInput", func(t *testing.T) { lockBadInput(t, e) })
		t.Run("MinioGo", func(t *testing.T) { lockMinio(t, e) })
		t.Run("AnonymousBypass", func(t *testing.T) { lockAnonymousBypass(t, e) })
		t.Run("PostObject", func(t *testing.T) { lockPostObject(t, e) })
	})
}

func lockBucketConfiguration(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	v, err := e.s3.GetBucketVersioning(ctx(t), &s3.GetBucketVersioningInput{Bucket: &b})
	must(t, "GetBucketVersioning", err)
	if v.Status != types.BucketVersioningStatusEnabled {
		t.Errorf("a bucket created with object lock: got versioning %q, want Enabled", v.Status)
	}
	c, err := e.s3.GetObjectLockConfiguration(ctx(t), &s3.GetObjectLockConfigurationInput{Bucket: &b})
	must(t, "GetObjectLockConfiguration", err)
	if c.ObjectLockConfiguration.ObjectLockEnabled != types.ObjectLockEnabledEnabled || c.ObjectLockConfiguration.Rule != nil {
		t.Errorf("configuration: got %+v, want Enabled without a rule", c.ObjectLockConfiguration)
	}
	_, err = e.s3.PutBucketVersioning(ctx(t), &s3.PutBucketVersioningInput{Bucket: &b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantAWSError(t, "suspend a locked bucket", err, "InvalidBucketState", 409)
	e.setVersioning(t, b, types.BucketVersioningStatusEnabled) // enabling again is no change
	plain := e.bucket(t)
	_, err = e.s3.GetObjectLockConfiguration(ctx(t), &s3.GetObjectLockConfigurationInput{Bucket: &plain})
	wantAWSError(t, "GetObjectLockConfiguration without lock", err, "ObjectLockConfigurationNotFoundError", 404)
	e.putObject(t, plain, "k", []byte("x"))
	_, err = e.s3.GetObjectRetention(ctx(t), &s3.GetObjectRetentionInput{Bucket: &plain, Key: aws.String("k")})
	wantAWSError(t, "GetObjectRetention without lock", err, "InvalidRequest", 400)
	_, err = e.s3.PutObjectLegalHold(ctx(t), &s3.PutObjectLegalHoldInput{Bucket: &plain, Key: aws.String("k"),
		LegalHold: &types.ObjectLockLegalHold{Status: types.ObjectLockLegalHoldStatusOn}})
	wantAWSError(t, "PutObjectLegalHold without lock", err, "InvalidRequest", 400)
	cfg := &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}
	_, err = e.s3.PutObjectLockConfiguration(ctx(t), &s3.PutObjectLockConfigurationInput{Bucket: &plain, ObjectLockConfiguration: cfg})
	wantAWSError(t, "PutObjectLockConfiguration on an unversioned bucket", err, "InvalidBucketState", 409)
	resp, body := e.do(t, http.MethodDelete, b, "", query("object-lock", ""), nil, nil)
	wantError(t, "DELETE ?object-lock", resp, body, 501, "NotImplemented")
	if _, err := e.s3.HeadBucket(ctx(t), &s3.HeadBucketInput{Bucket: &b}); err != nil {
		t.Errorf("DELETE ?object-lock must not delete the bucket: %v", err)
	}
}

func lockEnableExisting(t *testing.T, e *env) {
	b := e.bucket(t)
	e.setVersioning(t, b, types.BucketVersioningStatusEnabled)
	old := e.putLocked(t, b, "before", nil)
	_, err := e.s3.PutObjectLockConfiguration(ctx(t), &s3.PutObjectLockConfigurationInput{Bucket: &b,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled}})
	must(t, "PutObjectLockConfiguration on a versioned bucket", err)
	_, err = e.s3.PutBucketVersioning(ctx(t), &s3.PutBucketVersioningInput{Bucket: &b,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusSuspended}})
	wantAWSError(t, "suspend after enabling lock", err, "InvalidBucketState", 409)
	_, err = e.s3.GetObjectRetention(ctx(t), &s3.GetObjectRetentionInput{Bucket: &b, Key: aws.String("before"), VersionId: &old})
	wantAWSError(t, "GetObjectRetention of a version without one", err, "NoSuchObjectLockConfiguration", 404)
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	_, err = e.s3.PutObjectRetention(ctx(t), &s3.PutObjectRetentionInput{Bucket: &b, Key: aws.String("before"), VersionId: &old,
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &until}})
	must(t, "PutObjectRetention on an older version", err)
	wantAWSError(t, "delete the now locked version", e.deleteVersion(b, "before", old, false, t), "AccessDenied", 403)
}

func lockCompliance(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	until := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	id := e.putLocked(t, b, "c", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeCompliance, &until
	})
	head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: aws.String("c")})
	must(t, "HeadObject", err)
	if head.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(head.ObjectLockRetainUntilDate).Equal(until) {
		t.Errorf("HEAD: got mode %q until %v, want COMPLIANCE %v", head.ObjectLockMode, head.ObjectLockRetainUntilDate, until)
	}
	get, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &b, Key: aws.String("c"), VersionId: &id})
	must(t, "GetObject", err)
	get.Body.Close()
	if get.ObjectLockMode != types.ObjectLockModeCompliance {
		t.Errorf("GET: got mode %q, want COMPLIANCE", get.ObjectLockMode)
	}
	wantAWSError(t, "delete a compliance version", e.deleteVersion(b, "c", id, false, t), "AccessDenied", 403)
	wantAWSError(t, "delete a compliance version, bypass", e.deleteVersion(b, "c", id, true, t), "AccessDenied", 403)
	retain := func(mode types.ObjectLockRetentionMode, u time.Time, bypass bool) error {
		in := &s3.PutObjectRetentionInput{Bucket: &b, Key: aws.String("c"), VersionId: &id,
			Retention: &types.ObjectLockRetention{Mode: mode, RetainUntilDate: &u}}
		if bypass {
			in.BypassGovernanceRetention = aws.Bool(true)
		}
		_, err := e.s3.PutObjectRetention(ctx(t), in)
		return err
	}
	wantAWSError(t, "shorten compliance", retain(types.ObjectLockRetentionModeCompliance, until.Add(-time.Hour), true), "AccessDenied", 403)
	wantAWSError(t, "compliance to governance", retain(types.ObjectLockRetentionModeGovernance, until.Add(time.Hour), true), "AccessDenied", 403)
	must(t, "extend compliance", retain(types.ObjectLockRetentionModeCompliance, until.Add(time.Hour), false))
	r, err := e.s3.GetObjectRetention(ctx(t), &s3.GetObjectRetentionInput{Bucket: &b, Key: aws.String("c")})
	must(t, "GetObjectRetention", err)
	if r.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(r.Retention.RetainUntilDate).Equal(until.Add(time.Hour)) {
		t.Errorf("retention after extension: got %s %v", r.Retention.Mode, r.Retention.RetainUntilDate)
	}
	// A delete naming no version adds a marker: allowed, nothing removed.
	del, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &b, Key: aws.String("c")})
	must(t, "DeleteObject without versionId", err)
	if !aws.ToBool(del.DeleteMarker) {
		t.Errorf("delete without versionId: got no delete marker")
	}
	marker := aws.ToString(del.VersionId)
	_, err = e.s3.PutObjectRetention(ctx(t), &s3.PutObjectRetentionInput{Bucket: &b, Key: aws.String("c"), VersionId: &marker,
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &until}})
	wantAWSError(t, "retention of a delete marker", err, "MethodNotAllowed", 405)
	_, err = e.s3.GetObjectRetention(ctx(t), &s3.GetObjectRetentionInput{Bucket: &b, Key: aws.String("c"), VersionId: aws.String("0190d1b6-0000-7000-8000-000000000000")})
	wantAWSError(t, "retention of a missing version", err, "NoSuchVersion", 404)
	if got := e.versionsOf(t, b, "", 1000); len(got) != 2 {
		t.Errorf("versions: got %v, want the marker and the locked version", got)
	}
	// Listings read locked records like any other.
	list, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &b})
	must(t, "ListObjectsV2 of a locked bucket", err)
	if len(list.Contents) != 0 {
		t.Errorf("ListObjectsV2: got %d keys, want none (c's newest version is a marker)", len(list.Contents))
	}
	// DeleteObjects: the locked version is refused per key, others go.
	free := e.putLocked(t, b, "free", nil)
	out, err := e.s3.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{Bucket: &b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("c"), VersionId: &id}, {Key: aws.String("free"), VersionId: &free}}}})
	must(t, "DeleteObjects", err)
	if len(out.Errors) != 1 || aws.ToString(out.Errors[0].Key) != "c" || aws.ToString(out.Errors[0].Code) != "AccessDenied" ||
		len(out.Deleted) != 1 || aws.ToString(out.Deleted[0].Key) != "free" {
		t.Errorf("DeleteObjects: got deleted %d, errors %+v; want free deleted and c AccessDenied", len(out.Deleted), out.Errors)
	}
}

func lockGovernance(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	until := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	id := e.putLocked(t, b, "g", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, &until
	})
	wantAWSError(t, "delete a governance version", e.deleteVersion(b, "g", id, false, t), "AccessDenied", 403)
	short := until.Add(-time.Hour)
	_, err := e.s3.PutObjectRetention(ctx(t), &s3.PutObjectRetentionInput{Bucket: &b, Key: aws.String("g"), VersionId: &id,
		Retention: &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &short}})
	wantAWSError(t, "shorten governance without bypass", err, "AccessDenied", 403)
	_, err = e.s3.PutObjectRetention(ctx(t), &s3.PutObjectRetentionInput{Bucket: &b, Key: aws.String("g"), VersionId: &id,
		BypassGovernanceRetention: aws.Bool(true),
		Retention:                 &types.ObjectLockRetention{Mode: types.ObjectLockRetentionModeGovernance, RetainUntilDate: &short}})
	must(t, "shorten governance with bypass", err)
	must(t, "delete a governance version with bypass", e.deleteVersion(b, "g", id, true, t))
	// A copy takes its lock from its own headers, never from the source.
	src := e.putLocked(t, b, "src", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, &until
	})
	cp, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &b, Key: aws.String("copy"), CopySource: aws.String(b + "/src?versionId=" + src),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	must(t, "CopyObject with legal hold", err)
	h, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: aws.String("copy"), VersionId: cp.VersionId})
	must(t, "HeadObject copy", err)
	if h.ObjectLockMode != "" || h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("copy: got mode %q hold %q, want no retention and hold ON", h.ObjectLockMode, h.ObjectLockLegalHoldStatus)
	}
}

func lockLegalHold(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	id := e.putLocked(t, b, "h", nil)
	_, err := e.s3.GetObjectLegalHold(ctx(t), &s3.GetObjectLegalHoldInput{Bucket: &b, Key: aws.String("h")})
	wantAWSError(t, "GetObjectLegalHold never set", err, "NoSuchObjectLockConfiguration", 404)
	hold := func(s types.ObjectLockLegalHoldStatus) {
		_, err := e.s3.PutObjectLegalHold(ctx(t), &s3.PutObjectLegalHoldInput{Bucket: &b, Key: aws.String("h"), VersionId: &id,
			LegalHold: &types.ObjectLockLegalHold{Status: s}})
		must(t, "PutObjectLegalHold "+string(s), err)
		got, err := e.s3.GetObjectLegalHold(ctx(t), &s3.GetObjectLegalHoldInput{Bucket: &b, Key: aws.String("h"), VersionId: &id})
		must(t, "GetObjectLegalHold", err)
		if got.LegalHold.Status != s {
			t.Errorf("legal hold: got %q, want %q", got.LegalHold.Status, s)
		}
	}
	hold(types.ObjectLockLegalHoldStatusOn)
	wantAWSError(t, "delete under legal hold, bypass", e.deleteVersion(b, "h", id, true, t), "AccessDenied", 403)
	// Multipart: the legal hold asked at creation is the object's at Complete.
	up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &b, Key: aws.String("mp"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	must(t, "CreateMultipartUpload with legal hold", err)
	part, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(1),
		Body: strings.NewReader("one part"), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	must(t, "UploadPart with a checksum", err)
	etag := aws.ToString(part.ETag)
	_, err = e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &b, Key: aws.String("mp"), UploadId: up.UploadId, PartNumber: aws.Int32(2),
		Body: strings.NewReader("no checksum")})
	wantAWSError(t, "UploadPart of a locked upload without a checksum", err, "InvalidRequest", 400)
	done, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &b, Key: aws.String("mp"), UploadId: up.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: &etag}}}})
	must(t, "CompleteMultipartUpload", err)
	wantAWSError(t, "delete a multipart object under legal hold", e.deleteVersion(b, "mp", aws.ToString(done.VersionId), false, t), "AccessDenied", 403)
	hold(types.ObjectLockLegalHoldStatusOff)
	must(t, "delete once the hold is off", e.deleteVersion(b, "h", id, false, t))
}

func lockDefaultRetention(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	_, err := e.s3.PutObjectLockConfiguration(ctx(t), &s3.PutObjectLockConfigurationInput{Bucket: &b,
		ObjectLockConfiguration: &types.ObjectLockConfiguration{ObjectLockEnabled: types.ObjectLockEnabledEnabled,
			Rule: &types.ObjectLockRule{DefaultRetention: &types.DefaultRetention{Mode: types.ObjectLockRetentionModeGovernance, Days: aws.Int32(1)}}}})
	must(t, "PutObjectLockConfiguration default retention", err)
	c, err := e.s3.GetObjectLockConfiguration(ctx(t), &s3.GetObjectLockConfigurationInput{Bucket: &b})
	must(t, "GetObjectLockConfiguration", err)
	if r := c.ObjectLockConfiguration.Rule; r == nil || r.DefaultRetention.Mode != types.ObjectLockRetentionModeGovernance || aws.ToInt32(r.DefaultRetention.Days) != 1 {
		t.Errorf("configuration: got %+v, want GOVERNANCE 1 day", r)
	}
	before := time.Now()
	id := e.putLocked(t, b, "d", nil)
	h, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: aws.String("d"), VersionId: &id})
	must(t, "HeadObject", err)
	u := aws.ToTime(h.ObjectLockRetainUntilDate)
	if h.ObjectLockMode != types.ObjectLockModeGovernance || u.Before(before.Add(24*time.Hour-time.Second)) || u.After(time.Now().Add(24*time.Hour+time.Second)) {
		t.Errorf("default retention: got %q until %v, want GOVERNANCE for a day", h.ObjectLockMode, u)
	}
	wantAWSError(t, "delete under default retention", e.deleteVersion(b, "d", id, false, t), "AccessDenied", 403)
	list, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &b})
	must(t, "ListObjectsV2 of locked objects", err)
	if len(list.Contents) != 1 || aws.ToString(list.Contents[0].Key) != "d" {
		t.Errorf("ListObjectsV2: got %d keys, want d", len(list.Contents))
	}
	// S3 wants Content-MD5 or a checksum with data that will be locked.
	body := []byte("no digest")
	resp, rb := e.do(t, http.MethodPut, b, "nodigest", nil, nil, body)
	wantError(t, "PUT without digest into a default-retention bucket", resp, rb, 400, "InvalidRequest")
	resp, rb = e.do(t, http.MethodPut, b, "digest", nil, md5Header(body), body)
	wantStatus(t, "PUT with Content-MD5", resp, rb, 200)
}

func lockBadInput(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	cfg := func(doc string) (*http.Response, []byte) {
		return e.do(t, http.MethodPut, b, "", query("object-lock", ""), md5Header([]byte(doc)), []byte(doc))
	}
	for _, tc := range []struct{ name, doc, code string }{
		{"not xml", "<ObjectLockConfiguration>", "MalformedXML"},
		{"disabled", "<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", "MalformedXML"},
		{"days and years", "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML"},
		{"zero days", "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "InvalidArgument"},
	} {
		resp, body := cfg(tc.doc)
		wantError(t, "PutObjectLockConfiguration "+tc.name, resp, body, 400, tc.code)
	}
	doc := []byte("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>")
	resp, body := e.do(t, http.MethodPut, b, "", query("object-lock", ""), nil, doc)
	wantError(t, "PutObjectLockConfiguration without Content-MD5", resp, body, 400, "InvalidRequest")
	data := []byte("x")
	for _, tc := range []struct {
		name string
		h    http.Header
	}{
		{"mode without date", hdr("X-Amz-Object-Lock-Mode", "GOVERNANCE")},
		{"bad mode", hdr("X-Amz-Object-Lock-Mode", "STRICT", "X-Amz-Object-Lock-Retain-Until-Date", "2099-01-01T00:00:00Z")},
		{"past date", hdr("X-Amz-Object-Lock-Mode", "GOVERNANCE", "X-Amz-Object-Lock-Retain-Until-Date", "2001-01-01T00:00:00Z")},
		{"bad legal hold", hdr("X-Amz-Object-Lock-Legal-Hold", "MAYBE")},
	} {
		h := md5Header(data)
		for k, v := range tc.h {
			h[k] = v
		}
		resp, body := e.do(t, http.MethodPut, b, "bad", nil, h, data)
		wantError(t, "PutObject "+tc.name, resp, body, 400, "InvalidArgument")
	}
	h := hdr("X-Amz-Object-Lock-Legal-Hold", "ON")
	resp, body = e.do(t, http.MethodPut, b, "bad", nil, h, data)
	wantError(t, "PutObject with lock headers, no digest", resp, body, 400, "InvalidRequest")
	e.putLocked(t, b, "k", nil)
	for _, doc := range []string{"<Retention><Mode>GOVERNANCE</Mode></Retention>", "<Retention><Mode>x</Mode><RetainUntilDate>2099-01-01T00:00:00Z</RetainUntilDate></Retention>"} {
		resp, body := e.do(t, http.MethodPut, b, "k", query("retention", ""), md5Header([]byte(doc)), []byte(doc))
		wantError(t, "PutObjectRetention "+doc, resp, body, 400, "MalformedXML")
	}
	past := "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>2001-01-01T00:00:00Z</RetainUntilDate></Retention>"
	resp, body = e.do(t, http.MethodPut, b, "k", query("retention", ""), md5Header([]byte(past)), []byte(past))
	wantError(t, "PutObjectRetention in the past", resp, body, 400, "InvalidArgument")
	hold := "<LegalHold><Status>MAYBE</Status></LegalHold>"
	resp, body = e.do(t, http.MethodPut, b, "k", query("legal-hold", ""), md5Header([]byte(hold)), []byte(hold))
	wantError(t, "PutObjectLegalHold MAYBE", resp, body, 400, "MalformedXML")
	hold = "<LegalHold><Status>ON</Status></LegalHold>"
	resp, body = e.do(t, http.MethodPut, b, "k", query("legal-hold", ""), nil, []byte(hold))
	wantError(t, "PutObjectLegalHold without Content-MD5", resp, body, 400, "InvalidRequest")
	resp, body = e.do(t, http.MethodPut, e.bucketName(t), "", nil, hdr("X-Amz-Bucket-Object-Lock-Enabled", "maybe"), nil)
	wantError(t, "CreateBucket lock maybe", resp, body, 400, "InvalidArgument")
}

func lockMinio(t *testing.T, e *env) {
	c := ctx(t)
	b := e.bucketName(t)
	must(t, "MakeBucket with lock", e.mc.MakeBucket(c, b, minio.MakeBucketOptions{ObjectLocking: true}))
	mode, days, unit := minio.Governance, uint(2), minio.Days
	must(t, "SetObjectLockConfig", e.mc.SetObjectLockConfig(c, b, &mode, &days, &unit))
	enabled, gm, gv, gu, err := e.mc.GetObjectLockConfig(c, b)
	must(t, "GetObjectLockConfig", err)
	if enabled != "Enabled" || gm == nil || *gm != minio.Governance || gv == nil || *gv != 2 || gu == nil || *gu != minio.Days {
		t.Errorf("GetObjectLockConfig: got %q %v %v %v", enabled, gm, gv, gu)
	}
	until := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	info, err := e.mc.PutObject(c, b, "m", bytes.NewReader([]byte("minio")), 5, minio.PutObjectOptions{
		Mode: minio.Compliance, RetainUntilDate: until, LegalHold: minio.LegalHoldEnabled, SendContentMd5: true})
	must(t, "PutObject with lock", err)
	rm, ru, err := e.mc.GetObjectRetention(c, b, "m", info.VersionID)
	must(t, "GetObjectRetention", err)
	if rm == nil || *rm != minio.Compliance || ru == nil || !ru.Equal(until) {
		t.Errorf("GetObjectRetention: got %v %v, want COMPLIANCE %v", rm, ru, until)
	}
	st, err := e.mc.GetObjectLegalHold(c, b, "m", minio.GetObjectLegalHoldOptions{VersionID: info.VersionID})
	must(t, "GetObjectLegalHold", err)
	if st == nil || *st != minio.LegalHoldEnabled {
		t.Errorf("GetObjectLegalHold: got %v, want ON", st)
	}
	err = e.mc.RemoveObject(c, b, "m", minio.RemoveObjectOptions{VersionID: info.VersionID, GovernanceBypass: true})
	wantMinioError(t, "RemoveObject compliance", err, "AccessDenied", 403)
	g, err := e.mc.PutObject(c, b, "gov", bytes.NewReader([]byte("minio")), 5, minio.PutObjectOptions{SendContentMd5: true})
	must(t, "PutObject default retention", err)
	gmode, _, err := e.mc.GetObjectRetention(c, b, "gov", g.VersionID)
	must(t, "GetObjectRetention default", err)
	if gmode == nil || *gmode != minio.Governance {
		t.Errorf("default retention through minio-go: got %v, want GOVERNANCE", gmode)
	}
	err = e.mc.RemoveObject(c, b, "gov", minio.RemoveObjectOptions{VersionID: g.VersionID})
	wantMinioError(t, "RemoveObject governance", err, "AccessDenied", 403)
	shorter := time.Now().Add(time.Hour).UTC()
	must(t, "PutObjectRetention shorten with bypass", e.mc.PutObjectRetention(c, b, "gov", minio.PutObjectRetentionOptions{
		VersionID: g.VersionID, Mode: &mode, RetainUntilDate: &shorter, GovernanceBypass: true}))
	off := minio.LegalHoldDisabled
	must(t, "PutObjectLegalHold OFF", e.mc.PutObjectLegalHold(c, b, "gov", minio.PutObjectLegalHoldOptions{VersionID: g.VersionID, Status: &off}))
	must(t, "RemoveObject governance with bypass", e.mc.RemoveObject(c, b, "gov", minio.RemoveObjectOptions{VersionID: g.VersionID, GovernanceBypass: true}))
}

// lockAnonymousBypass checks that an anonymous caller whom a bucket
// policy lets delete versions may bypass GOVERNANCE retention only if the
// policy also allows s3:BypassGovernanceRetention.
func lockAnonymousBypass(t *testing.T, e *env) {
	b := e.lockedBucket(t)
	until := time.Now().Add(time.Hour).UTC()
	id := e.putLocked(t, b, "a", func(in *s3.PutObjectInput) {
		in.ObjectLockMode, in.ObjectLockRetainUntilDate = types.ObjectLockModeGovernance, &until
	})
	setPolicy := func(actions string) {
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":[` + actions + `],"Resource":"arn:aws:s3:::` + b + `/*"}]}`
		_, err := e.s3.PutBucketPolicy(ctx(t), &s3.PutBucketPolicyInput{Bucket: &b, Policy: &doc})
		must(t, "PutBucketPolicy", err)
	}
	anonDelete := func() *http.Response {
		req := e.request(t, http.MethodDelete, b, "a", query("versionId", id), nil)
		req.Header.Set("X-Amz-Bypass-Governance-Retention", "true")
		resp, _ := e.send(t, req)
		return resp
	}
	setPolicy(`"s3:DeleteObjectVersion"`)
	if resp := anonDelete(); resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous bypass without s3:BypassGovernanceRetention: got %d, want 403", resp.StatusCode)
	}
	setPolicy(`"s3:DeleteObjectVersion","s3:BypassGovernanceRetention"`)
	if resp := anonDelete(); resp.StatusCode != http.StatusNoContent {
		t.Errorf("anonymous bypass allowed by the policy: got %d, want 204", resp.StatusCode)
	}
}

// lockPostObject uploads through POST forms whose fields carry object
// lock values, into a bucket with object lock and into one without.
func lockPostObject(t *testing.T, e *env) {
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	post := func(bucket string) (*http.Response, []byte) {
		p := minio.NewPostPolicy()
		must(t, "SetBucket", p.SetBucket(bucket))
		must(t, "SetKey", p.SetKey("posted"))
		must(t, "SetExpires", p.SetExpires(time.Now().Add(10*time.Minute)))
		must(t, "mode", p.SetUserData("object-lock-mode", "COMPLIANCE"))
		must(t, "until", p.SetUserData("object-lock-retain-until-date", until.Format(time.RFC3339)))
		must(t, "hold", p.SetUserData("object-lock-legal-hold", "ON"))
		u, fields, err := e.mc.PresignedPostPolicy(ctx(t), p)
		must(t, "PresignedPostPolicy", err)
		return e.postForm(t, u.String(), fields, "f.txt", []byte("posted"))
	}
	b := e.lockedBucket(t)
	resp, body := post(b)
	wantStatus(t, "POST with lock fields", resp, body, http.StatusNoContent)
	h, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &b, Key: aws.String("posted")})
	must(t, "HeadObject", err)
	if h.ObjectLockMode != types.ObjectLockModeCompliance || !aws.ToTime(h.ObjectLockRetainUntilDate).Equal(until) ||
		h.ObjectLockLegalHoldStatus != types.ObjectLockLegalHoldStatusOn {
		t.Errorf("posted object: got %q %v %q", h.ObjectLockMode, h.ObjectLockRetainUntilDate, h.ObjectLockLegalHoldStatus)
	}
	plain := e.bucket(t)
	resp, body = post(plain)
	wantError(t, "POST with lock fields into a bucket without lock", resp, body, 400, "InvalidRequest")
}
