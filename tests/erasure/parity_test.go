package erasure

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/testserver"
)

// TestParityAndStorageClass: --parity reaches the engine (admin info
// shows the layout), and objects PUT with the REDUCED_REDUNDANCY class
// report it and read back.
func TestParityAndStorageClass(t *testing.T) {
	tests := []struct {
		drives, parity   int
		wantData, wantPa int
	}{
		{4, 0, 2, 2},
		{4, 1, 3, 1},
		{6, 3, 3, 3},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d drives parity %d", tt.drives, tt.parity), func(t *testing.T) {
			t.Parallel()
			srv := testserver.Start(t, testserver.Options{Drives: tt.drives, Configure: func(c *config.Server) { c.Parity = tt.parity }})
			info := adminInfo(t, srv.Endpoint)
			if info.DataShards != tt.wantData || info.ParityShards != tt.wantPa {
				t.Errorf("layout: got %d+%d, want %d+%d", info.DataShards, info.ParityShards, tt.wantData, tt.wantPa)
			}
			c := srv.S3Client(t)
			ctx := context.Background()
			if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("classes")}); err != nil {
				t.Fatal(err)
			}
			for _, size := range []int{100, 700 << 10} {
				key := fmt.Sprintf("rrs-%d", size)
				b := body(size, size)
				_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("classes"), Key: aws.String(key), Body: bytes.NewReader(b), StorageClass: types.StorageClassReducedRedundancy})
				if err != nil {
					t.Fatalf("PUT %s: %v", key, err)
				}
				head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("classes"), Key: aws.String(key)})
				if err != nil || head.StorageClass != types.StorageClassReducedRedundancy {
					t.Errorf("HEAD %s: got class %q, %v; want REDUCED_REDUNDANCY", key, head.StorageClass, err)
				}
				got, err := getBody(ctx, c, "classes", key)
				if err != nil || !bytes.Equal(got, b) {
					t.Errorf("GET %s: got %d bytes, %v", key, len(got), err)
				}
			}
		})
	}
}
