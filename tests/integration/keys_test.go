package integration

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/minio/minio-go/v7"
)

// oddKeys are valid S3 keys that stress path handling and encoding.
var oddKeys = []string{
	".", "..", "../up", "a/../b", "./dot", "dir/./x", "//double//slash", "/leading", "trailing/",
	"with space", " leading-space", "trailing-space ", "per%cent", "%20literal", "plus+sign",
	"emoji😀", "日本語/キー", "?question", "#hash", "semi;colon", "amp&ersand", "eq=uals",
	`back\slash`, `quote"s`, "apos'", "<angle>", "tilde~", "brace{}", "caret^", "pipe|",
	"a", "a/b", "a/b/c", strings.Repeat("k", 1024), strings.Repeat("é", 512),
}

// TestKeysOdd stores every odd key with one client, reads it back with
// both, and checks the listing returns exactly the stored keys in byte
// order.
func TestKeysOdd(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		for i, key := range oddKeys {
			body := []byte("body of " + key)
			if i%2 == 0 {
				e.putObject(t, bucket, key, body)
			} else {
				_, err := e.mc.PutObject(ctx(t), bucket, key, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{})
				must(t, "minio PutObject "+key, err)
			}
		}
		for _, key := range oddKeys {
			want := "body of " + key
			if got, _ := e.getObject(t, bucket, key); string(got) != want {
				t.Errorf("GetObject(%q): got %q, want %q", key, truncate(got), truncate([]byte(want)))
			}
			obj, err := e.mc.GetObject(ctx(t), bucket, key, minio.GetObjectOptions{})
			must(t, "minio GetObject", err)
			got, err := io.ReadAll(obj)
			obj.Close()
			if err != nil || string(got) != want {
				t.Errorf("minio GetObject(%q): got %q, %v; want %q", key, truncate(got), err, truncate([]byte(want)))
			}
		}
		var listed []string
		p := s3.NewListObjectsV2Paginator(e.s3, &s3.ListObjectsV2Input{Bucket: &bucket, MaxKeys: aws.Int32(7)})
		for pages := 0; p.HasMorePages() && pages < 100; pages++ {
			out, err := p.NextPage(ctx(t))
			must(t, "ListObjectsV2", err)
			for _, o := range out.Contents {
				listed = append(listed, aws.ToString(o.Key))
			}
		}
		want := slices.Clone(oddKeys)
		slices.Sort(want)
		if !slices.Equal(listed, want) {
			t.Errorf("ListObjectsV2:\n got %q\nwant %q", listed, want)
		}
		for _, key := range oddKeys {
			_, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String(key)})
			must(t, "DeleteObject "+key, err)
		}
		out, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket})
		must(t, "ListObjectsV2 after deletes", err)
		if len(out.Contents) != 0 {
			t.Errorf("ListObjectsV2 after deleting every key: got %d objects, want 0", len(out.Contents))
		}
	})
}

// TestKeysFileAndFolder checks that a key and a "folder" prefix of it
// coexist in either creation order, as in S3.
func TestKeysFileAndFolder(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		orders := [][]string{{"x", "x/y"}, {"p/q", "p"}, {"m/n/o", "m/n", "m"}}
		for _, keys := range orders {
			for _, k := range keys {
				e.putObject(t, bucket, k, []byte("is "+k))
			}
			for _, k := range keys {
				if got, _ := e.getObject(t, bucket, k); string(got) != "is "+k {
					t.Errorf("GetObject(%q): got %q, want %q", k, got, "is "+k)
				}
			}
		}
		out, err := e.s3.ListObjectsV2(ctx(t), &s3.ListObjectsV2Input{Bucket: &bucket, Delimiter: aws.String("/")})
		must(t, "ListObjectsV2", err)
		var objs, prefixes []string
		for _, o := range out.Contents {
			objs = append(objs, aws.ToString(o.Key))
		}
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if want := []string{"m", "p", "x"}; !slices.Equal(objs, want) {
			t.Errorf("objects: got %q, want %q", objs, want)
		}
		if want := []string{"m/", "p/", "x/"}; !slices.Equal(prefixes, want) {
			t.Errorf("common prefixes: got %q, want %q", prefixes, want)
		}
		// Deleting the "file" leaves the "folder" content and vice versa.
		_, err = e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("x")})
		must(t, "DeleteObject x", err)
		if got, _ := e.getObject(t, bucket, "x/y"); string(got) != "is x/y" {
			t.Errorf("GetObject(x/y) after deleting x: got %q", got)
		}
		_, err = e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("p/q")})
		must(t, "DeleteObject p/q", err)
		if got, _ := e.getObject(t, bucket, "p"); string(got) != "is p" {
			t.Errorf("GetObject(p) after deleting p/q: got %q", got)
		}
	})
}

// TestKeysStayInside writes keys that would escape the drive folder if
// used as file paths and checks nothing appeared outside it.
func TestKeysStayInside(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		root := filepath.Dir(e.srv.DriveDirs[0])
		marker := "hoard-escape-" + filepath.Base(root)
		keys := []string{
			"../" + marker,
			"../../" + marker,
			strings.Repeat("../", 20) + "tmp/" + marker,
			"/../../" + marker,
			`..\..\` + marker,
		}
		for _, k := range keys {
			e.putObject(t, bucket, k, []byte("contained"))
			if got, _ := e.getObject(t, bucket, k); string(got) != "contained" {
				t.Errorf("GetObject(%q): got %q, want %q", k, got, "contained")
			}
		}
		entries, err := os.ReadDir(root)
		must(t, "read test root", err)
		for _, ent := range entries {
			if !slices.Contains(e.srv.DriveDirs, filepath.Join(root, ent.Name())) {
				t.Errorf("found %q beside the drive folders; keys must stay inside their drive", ent.Name())
			}
		}
		for _, p := range []string{filepath.Join(os.TempDir(), marker), filepath.Join(filepath.Dir(root), marker), "/" + marker} {
			if _, err := os.Stat(p); err == nil {
				t.Errorf("a key escaped the drive folder: %s exists", p)
				os.Remove(p)
			}
		}
	})
}

// TestKeysLimits checks the key length limit: 1024 bytes are accepted,
// 1025 are KeyTooLongError, with both clients.
func TestKeysLimits(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, strings.Repeat("x", 1024), []byte("max"))
		long := strings.Repeat("y", 1025)
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &long, Body: strings.NewReader("x")})
		wantAWSError(t, "PutObject 1025-byte key", err, "KeyTooLongError", http.StatusBadRequest)
		resp, body := e.do(t, http.MethodPut, bucket, strings.Repeat("é", 513), nil, nil, []byte("x"))
		wantError(t, "PUT 1026-byte key", resp, body, http.StatusBadRequest, "KeyTooLongError")
		_, err = e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &long})
		wantAWSError(t, "CreateMultipartUpload 1025-byte key", err, "KeyTooLongError", http.StatusBadRequest)
	})
}
