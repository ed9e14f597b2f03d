package integration

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// TestRangeGet checks byte ranges on GET and HEAD: a-b, a-, -n, ranges
// running past the end, and unsatisfiable ranges (416 InvalidRange).
func TestRangeGet(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		body := data(3, 100)
		e.putObject(t, bucket, "r", body)
		e.putObject(t, bucket, "empty", nil)
		tests := []struct {
			name, rng  string
			start, end int // wanted bytes [start, end)
		}{
			{"first-ten", "bytes=0-9", 0, 10},
			{"one-byte", "bytes=10-10", 10, 11},
			{"open-end", "bytes=90-", 90, 100},
			{"from-zero", "bytes=0-", 0, 100},
			{"suffix", "bytes=-10", 90, 100},
			{"suffix-longer-than-object", "bytes=-200", 0, 100},
			{"end-past-size", "bytes=95-200", 95, 100},
			{"last-byte", "bytes=99-99", 99, 100},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				wantRange := "bytes " + strconv.Itoa(tt.start) + "-" + strconv.Itoa(tt.end-1) + "/100"
				resp, got := e.do(t, http.MethodGet, bucket, "r", nil, hdr("Range", tt.rng), nil)
				wantStatus(t, "GET "+tt.rng, resp, got, http.StatusPartialContent)
				if !bytes.Equal(got, body[tt.start:tt.end]) {
					t.Errorf("GET %s: got %d bytes, want bytes %d-%d", tt.rng, len(got), tt.start, tt.end-1)
				}
				if cr := resp.Header.Get("Content-Range"); cr != wantRange {
					t.Errorf("GET %s: got Content-Range %q, want %q", tt.rng, cr, wantRange)
				}
				if ar := resp.Header.Get("Accept-Ranges"); ar != "bytes" {
					t.Errorf("GET %s: got Accept-Ranges %q, want bytes", tt.rng, ar)
				}
				resp, _ = e.do(t, http.MethodHead, bucket, "r", nil, hdr("Range", tt.rng), nil)
				if resp.StatusCode != http.StatusPartialContent || resp.ContentLength != int64(tt.end-tt.start) || resp.Header.Get("Content-Range") != wantRange {
					t.Errorf("HEAD %s: got %d length %d range %q, want 206 %d %q", tt.rng, resp.StatusCode, resp.ContentLength, resp.Header.Get("Content-Range"), tt.end-tt.start, wantRange)
				}
			})
		}
		unsatisfiable := []struct{ key, rng string }{
			{"r", "bytes=100-"},
			{"r", "bytes=100-200"},
			{"r", "bytes=1000-1001"},
			{"empty", "bytes=0-0"},
			{"empty", "bytes=0-"},
		}
		for _, tt := range unsatisfiable {
			t.Run("unsatisfiable/"+tt.key+"/"+tt.rng, func(t *testing.T) {
				resp, got := e.do(t, http.MethodGet, bucket, tt.key, nil, hdr("Range", tt.rng), nil)
				wantError(t, "GET "+tt.rng, resp, got, http.StatusRequestedRangeNotSatisfiable, "InvalidRange")
			})
		}
		t.Run("aws", func(t *testing.T) {
			out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("r"), Range: aws.String("bytes=20-29")})
			must(t, "GetObject range", err)
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			if !bytes.Equal(got, body[20:30]) || aws.ToString(out.ContentRange) != "bytes 20-29/100" {
				t.Errorf("GetObject range: got %d bytes, range %q; want 10 bytes, bytes 20-29/100", len(got), aws.ToString(out.ContentRange))
			}
			_, err = e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("r"), Range: aws.String("bytes=500-")})
			wantAWSError(t, "GetObject unsatisfiable", err, "InvalidRange", http.StatusRequestedRangeNotSatisfiable)
		})
		t.Run("minio", func(t *testing.T) {
			for _, r := range []struct{ start, end int64 }{{5, 14}, {0, -10}, {95, 0}} {
				opts := minio.GetObjectOptions{}
				must(t, "SetRange", opts.SetRange(r.start, r.end))
				rc, _, _, err := e.core.GetObject(ctx(t), bucket, "r", opts)
				must(t, "minio GetObject range", err)
				got, _ := io.ReadAll(rc)
				rc.Close()
				var want []byte
				switch {
				case r.end < 0:
					want = body[100+r.end:]
				case r.end == 0:
					want = body[r.start:]
				default:
					want = body[r.start : r.end+1]
				}
				if !bytes.Equal(got, want) {
					t.Errorf("minio range %d,%d: got %d bytes, want %d", r.start, r.end, len(got), len(want))
				}
			}
		})
	})
}

// TestPartNumberGet checks GET and HEAD with partNumber on a multipart
// object (each part's bytes, parts count) and on a single-part object
// (part 1 is the whole object, part 2 is InvalidPartNumber).
func TestPartNumberGet(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		parts := [][]byte{data(1, 5<<20), data(2, 1<<20+5)}
		e.multipart(t, bucket, "mp", parts)
		e.putObject(t, bucket, "single", []byte("single part"))
		total := strconv.Itoa(len(parts[0]) + len(parts[1]))
		offset := 0
		for i, p := range parts {
			n := int32(i + 1)
			out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("mp"), PartNumber: &n})
			must(t, "GetObject partNumber", err)
			got, _ := io.ReadAll(out.Body)
			out.Body.Close()
			wantRange := "bytes " + strconv.Itoa(offset) + "-" + strconv.Itoa(offset+len(p)-1) + "/" + total
			if !bytes.Equal(got, p) || aws.ToString(out.ContentRange) != wantRange || aws.ToInt32(out.PartsCount) != 2 {
				t.Errorf("part %d: got %d bytes range %q count %d, want %d bytes %q 2", n, len(got), aws.ToString(out.ContentRange), aws.ToInt32(out.PartsCount), len(p), wantRange)
			}
			head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("mp"), PartNumber: &n})
			must(t, "HeadObject partNumber", err)
			if aws.ToInt64(head.ContentLength) != int64(len(p)) || aws.ToInt32(head.PartsCount) != 2 {
				t.Errorf("HEAD part %d: got length %d count %d, want %d 2", n, aws.ToInt64(head.ContentLength), aws.ToInt32(head.PartsCount), len(p))
			}
			offset += len(p)
		}
		resp, body := e.do(t, http.MethodGet, bucket, "mp", query("partNumber", "3"), nil, nil)
		wantError(t, "GET partNumber=3 of 2", resp, body, http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber")

		resp, body = e.do(t, http.MethodGet, bucket, "single", query("partNumber", "1"), nil, nil)
		wantStatus(t, "GET single partNumber=1", resp, body, http.StatusPartialContent)
		if string(body) != "single part" || resp.Header.Get("Content-Range") != "bytes 0-10/11" {
			t.Errorf("GET single partNumber=1: got %q range %q, want the whole object, bytes 0-10/11", body, resp.Header.Get("Content-Range"))
		}
		resp, body = e.do(t, http.MethodGet, bucket, "single", query("partNumber", "2"), nil, nil)
		wantError(t, "GET single partNumber=2", resp, body, http.StatusRequestedRangeNotSatisfiable, "InvalidPartNumber")
		resp, body = e.do(t, http.MethodGet, bucket, "mp", query("partNumber", "1"), hdr("Range", "bytes=0-1"), nil)
		wantError(t, "GET with partNumber and Range", resp, body, http.StatusBadRequest, "InvalidRequest")
	})
}
