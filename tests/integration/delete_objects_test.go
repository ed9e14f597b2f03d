package integration

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// listAll returns every key in bucket (at most 10,000).
func (e *env) listAll(t testing.TB, bucket string) []string {
	t.Helper()
	var keys []string
	p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: &bucket})
	for pages := 0; p.HasMorePages() && pages < 10; pages++ {
		out, err := p.NextPage(ctx(t))
		must(t, "ListObjectsV2", err)
		for _, o := range out.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys
}

func objectIDs(keys ...string) []types.ObjectIdentifier {
	ids := make([]types.ObjectIdentifier, len(keys))
	for i, k := range keys {
		ids[i] = types.ObjectIdentifier{Key: aws.String(k)}
	}
	return ids
}

// TestDeleteObjects checks the multi-object delete in verbose and quiet
// mode with both clients; missing keys count as deleted, as in S3.
func TestDeleteObjects(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		keys := []string{"k1", "k2", "k3", "k4", "k5", "sp ace", "x&y<z>'\"", "k6"}
		for _, k := range keys {
			e.putObject(t, bucket, k, []byte(k))
		}
		t.Run("verbose", func(t *testing.T) {
			out, err := e.s3.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{
				Bucket: &bucket,
				Delete: &types.Delete{Objects: objectIDs("k1", "k2", "missing", "sp ace", "x&y<z>'\"")},
			})
			must(t, "DeleteObjects", err)
			var deleted []string
			for _, d := range out.Deleted {
				deleted = append(deleted, aws.ToString(d.Key))
			}
			slices.Sort(deleted)
			if want := []string{"k1", "k2", "missing", "sp ace", "x&y<z>'\""}; !slices.Equal(deleted, want) || len(out.Errors) != 0 {
				t.Errorf("got Deleted %q Errors %+v, want Deleted %q and no errors", deleted, out.Errors, want)
			}
		})
		t.Run("quiet", func(t *testing.T) {
			out, err := e.s3.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{
				Bucket: &bucket,
				Delete: &types.Delete{Objects: objectIDs("k3", "k4"), Quiet: aws.Bool(true)},
			})
			must(t, "DeleteObjects quiet", err)
			if len(out.Deleted) != 0 || len(out.Errors) != 0 {
				t.Errorf("quiet: got %d Deleted %d Errors, want none", len(out.Deleted), len(out.Errors))
			}
		})
		t.Run("minio", func(t *testing.T) {
			ch := make(chan minio.ObjectInfo, 2)
			ch <- minio.ObjectInfo{Key: "k5"}
			ch <- minio.ObjectInfo{Key: "also-missing"}
			close(ch)
			for rerr := range e.mc.RemoveObjects(ctx(t), bucket, ch, minio.RemoveObjectsOptions{}) {
				t.Errorf("minio RemoveObjects: %s: %v", rerr.ObjectName, rerr.Err)
			}
		})
		if got := e.listAll(t, bucket); !slices.Equal(got, []string{"k6"}) {
			t.Errorf("after deletes: got %q, want [k6]", got)
		}
	})
}

// TestDeleteObjectsMalformed checks that bad multi-object delete bodies get
// 400 MalformedXML: not XML, no objects, more than 1000 objects.
func TestDeleteObjectsMalformed(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "keep", []byte("x"))
		var many strings.Builder
		many.WriteString("<Delete>")
		for i := 0; i < 1001; i++ {
			fmt.Fprintf(&many, "<Object><Key>k%d</Key></Object>", i)
		}
		many.WriteString("</Delete>")
		tests := []struct{ name, body string }{
			{"not-xml", "this is not xml"},
			{"truncated", "<Delete><Object><Key>keep</Key></Object>"},
			{"no-objects", "<Delete></Delete>"},
			{"too-many", many.String()},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				body := []byte(tt.body)
				resp, rb := e.do(t, http.MethodPost, bucket, "", query("delete", ""), hdr("Content-MD5", md5B64(body)), body)
				wantError(t, "POST ?delete", resp, rb, http.StatusBadRequest, "MalformedXML")
			})
		}
		if got := e.listAll(t, bucket); !slices.Equal(got, []string{"keep"}) {
			t.Errorf("after rejected deletes: got %q, want [keep]", got)
		}
	})
}
