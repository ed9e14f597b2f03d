package console

import (
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
