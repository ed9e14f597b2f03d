package cli

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestStatShowsChecksums(t *testing.T) {
	t.Parallel()
	h := newHarness(t)
	h.mustRun("mb", "local/sums")
	_, err := h.srv.S3Client(t).PutObject(context.Background(), &s3.PutObjectInput{
		Bucket:            aws.String("sums"),
		Key:               aws.String("k.txt"),
		Body:              strings.NewReader("checksummed"),
		ChecksumAlgorithm: types.ChecksumAlgorithmSha256,
		Metadata:          map[string]string{"color": "blue"},
	})
	if err != nil {
		t.Fatal(err)
	}
	st := jsonLines(t, h.mustRun("stat", "--json", "local/sums/k.txt"))[0]
	sums, _ := st["checksums"].(map[string]any)
	want := sha256.Sum256([]byte("checksummed"))
	if sums["SHA256"] != base64.StdEncoding.EncodeToString(want[:]) {
		t.Errorf("stat checksums: got %v, want SHA256", st["checksums"])
	}
	meta, _ := st["userMetadata"].(map[string]any)
	if meta["Color"] != "blue" && meta["color"] != "blue" {
		t.Errorf("stat user metadata: got %v, want color=blue", st["userMetadata"])
	}
	human := h.mustRun("stat", "local/sums/k.txt")
	if !strings.Contains(human, "Checksums") || !strings.Contains(human, "SHA256: ") {
		t.Errorf("stat human: got\n%s\nwant a Checksums section with SHA256", human)
	}
}
