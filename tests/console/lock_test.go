package console

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestObjectLockDetails checks that the console's object details show a
// version's object lock state (retention and legal hold), for the current
// version and for an older one named by versionId.
func TestObjectLockDetails(t *testing.T) {
	t.Parallel()
	e, c := signedIn(t, 1)
	s3c := e.srv.S3Client(t)
	ctx := t.Context()
	b := "locked"
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b), ObjectLockEnabledForBucket: aws.Bool(true)})
	if err != nil {
		t.Fatalf("CreateBucket with lock: %v", err)
	}
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	old, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("old"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: &until})
	if err != nil {
		t.Fatalf("PutObject locked: %v", err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("k"), Body: strings.NewReader("new"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}); err != nil {
		t.Fatalf("PutObject held: %v", err)
	}
	type details struct {
		VersionID string `json:"versionId"`
		Lock      *struct {
			Mode, RetainUntil, LegalHold string
		} `json:"lock"`
	}
	var cur, prev details
	if status := c.json("GET", "/api/buckets/"+b+"/object?key=k", nil, &cur); status != 200 {
		t.Fatalf("details: got %d", status)
	}
	if cur.Lock == nil || cur.Lock.Mode != "" || cur.Lock.LegalHold != "ON" {
		t.Errorf("current version lock: got %+v, want a legal hold ON and no retention", cur.Lock)
	}
	if status := c.json("GET", "/api/buckets/"+b+"/object?key=k&versionId="+aws.ToString(old.VersionId), nil, &prev); status != 200 {
		t.Fatalf("details of the old version: got %d", status)
	}
	got, _ := time.Parse(time.RFC3339, "")
	if prev.Lock != nil {
		got, _ = time.Parse(time.RFC3339, prev.Lock.RetainUntil)
	}
	if prev.VersionID != aws.ToString(old.VersionId) || prev.Lock == nil || prev.Lock.Mode != "COMPLIANCE" || !got.Equal(until) || prev.Lock.LegalHold != "" {
		t.Errorf("old version: got %+v lock %+v, want COMPLIANCE until %v", prev, prev.Lock, until)
	}
}

// TestVersionsAndRestore lists a key's versions through the console and
// restores an older one: it becomes the newest, every version is kept.
func TestVersionsAndRestore(t *testing.T) {
	t.Parallel()
	e, c := signedIn(t, 1)
	s3c := e.srv.S3Client(t)
	ctx := t.Context()
	b := "versioned"
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
		t.Fatalf("CreateBucket: %v", err)
	}
	if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String(b),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatalf("PutBucketVersioning: %v", err)
	}
	var ids []string
	for _, body := range []string{"first", "second"} {
		out, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("doc a.txt"), Body: strings.NewReader(body)})
		if err != nil {
			t.Fatalf("PutObject: %v", err)
		}
		ids = append(ids, aws.ToString(out.VersionId))
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(b), Key: aws.String("doc a.txt.bak"), Body: strings.NewReader("other key")}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	type listing struct {
		Versions []struct {
			VersionID    string `json:"versionId"`
			Latest       bool   `json:"latest"`
			DeleteMarker bool   `json:"deleteMarker"`
			Size         int64  `json:"size"`
		} `json:"versions"`
	}
	var l listing
	if status := c.json("GET", "/api/buckets/"+b+"/versions?key=doc+a.txt", nil, &l); status != 200 {
		t.Fatalf("versions: got %d", status)
	}
	if len(l.Versions) != 2 || l.Versions[0].VersionID != ids[1] || !l.Versions[0].Latest || l.Versions[1].VersionID != ids[0] {
		t.Fatalf("versions: got %+v, want %v newest first (and not the other key)", l.Versions, ids)
	}
	var restored struct {
		VersionID string `json:"versionId"`
	}
	if status := c.json("POST", "/api/buckets/"+b+"/restore", map[string]string{"key": "doc a.txt", "versionId": ids[0]}, &restored); status != 200 || restored.VersionID == "" {
		t.Fatalf("restore: got %d %+v", status, restored)
	}
	got, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b), Key: aws.String("doc a.txt")})
	if err != nil {
		t.Fatalf("GetObject: %v", err)
	}
	defer got.Body.Close()
	var buf strings.Builder
	io.Copy(&buf, got.Body)
	if buf.String() != "first" || aws.ToString(got.VersionId) != restored.VersionID {
		t.Errorf("after restore: got %q version %s, want first as %s", buf.String(), aws.ToString(got.VersionId), restored.VersionID)
	}
	if status := c.json("GET", "/api/buckets/"+b+"/versions?key=doc+a.txt", nil, &l); status != 200 || len(l.Versions) != 3 {
		t.Errorf("versions after restore: got %d %+v, want 3", status, l.Versions)
	}
	if status := c.json("POST", "/api/buckets/"+b+"/restore", map[string]string{"key": "doc a.txt", "versionId": "nope"}, nil); status != 404 {
		t.Errorf("restore of an unknown version: got %d, want 404", status)
	}
}
