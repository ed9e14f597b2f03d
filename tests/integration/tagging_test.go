package integration

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/tags"
)

func tagSet(m map[string]string) *types.Tagging {
	tg := &types.Tagging{TagSet: []types.Tag{}}
	for k, v := range m {
		tg.TagSet = append(tg.TagSet, types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	return tg
}

// nTags returns n distinct tags.
func nTags(n int) map[string]string {
	m := map[string]string{}
	for i := 0; i < n; i++ {
		m[fmt.Sprintf("key%02d", i)] = fmt.Sprintf("value %d", i)
	}
	return m
}

// TestTagging checks Put/Get/DeleteObjectTagging with both clients,
// x-amz-tagging on PUT, the tagging count header, and that an overwrite
// drops the old tags.
func TestTagging(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "obj", []byte("tagged"))
		want := map[string]string{"project": "hoard", "stage": "test run", "empty": ""}
		_, err := e.s3.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: &bucket, Key: aws.String("obj"), Tagging: tagSet(want)})
		must(t, "PutObjectTagging", err)
		if got := e.tagsOf(t, bucket, "obj"); !maps.Equal(got, want) {
			t.Errorf("GetObjectTagging: got %v, want %v", got, want)
		}
		mt, err := e.mc.GetObjectTagging(ctx(t), bucket, "obj", minio.GetObjectTaggingOptions{})
		must(t, "minio GetObjectTagging", err)
		if !maps.Equal(mt.ToMap(), want) {
			t.Errorf("minio GetObjectTagging: got %v, want %v", mt.ToMap(), want)
		}
		resp, _ := e.do(t, http.MethodHead, bucket, "obj", nil, nil, nil)
		if got := resp.Header.Get("x-amz-tagging-count"); got != "3" {
			t.Errorf("HEAD x-amz-tagging-count: got %q, want 3", got)
		}

		replacement, _ := tags.NewTags(map[string]string{"only": "one"}, true)
		must(t, "minio PutObjectTagging", e.mc.PutObjectTagging(ctx(t), bucket, "obj", replacement, minio.PutObjectTaggingOptions{}))
		if got := e.tagsOf(t, bucket, "obj"); !maps.Equal(got, map[string]string{"only": "one"}) {
			t.Errorf("after minio PutObjectTagging: got %v, want only=one", got)
		}
		_, err = e.s3.DeleteObjectTagging(ctx(t), &s3.DeleteObjectTaggingInput{Bucket: &bucket, Key: aws.String("obj")})
		must(t, "DeleteObjectTagging", err)
		if got := e.tagsOf(t, bucket, "obj"); len(got) != 0 {
			t.Errorf("after DeleteObjectTagging: got %v, want none", got)
		}
		if got, _ := e.getObject(t, bucket, "obj"); string(got) != "tagged" {
			t.Errorf("tagging changed the content: got %q", got)
		}

		t.Run("x-amz-tagging", func(t *testing.T) {
			_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("hdr"), Body: strings.NewReader("x"),
				Tagging: aws.String("a=1&b=two%20words&c=")})
			must(t, "PutObject with Tagging", err)
			if got, want := e.tagsOf(t, bucket, "hdr"), map[string]string{"a": "1", "b": "two words", "c": ""}; !maps.Equal(got, want) {
				t.Errorf("tags from x-amz-tagging: got %v, want %v", got, want)
			}
			out, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("hdr")})
			must(t, "GetObject", err)
			out.Body.Close()
			if aws.ToInt32(out.TagCount) != 3 {
				t.Errorf("GetObject TagCount: got %d, want 3", aws.ToInt32(out.TagCount))
			}
			_, err = e.mc.PutObject(ctx(t), bucket, "mc-hdr", strings.NewReader("x"), 1, minio.PutObjectOptions{UserTags: map[string]string{"m": "c"}})
			must(t, "minio PutObject with UserTags", err)
			if got := e.tagsOf(t, bucket, "mc-hdr"); !maps.Equal(got, map[string]string{"m": "c"}) {
				t.Errorf("tags from minio UserTags: got %v, want m=c", got)
			}
			e.putObject(t, bucket, "hdr", []byte("overwritten"))
			if got := e.tagsOf(t, bucket, "hdr"); len(got) != 0 {
				t.Errorf("after an overwrite without tags: got %v, want none", got)
			}
		})
		t.Run("missing-key", func(t *testing.T) {
			k := aws.String("missing")
			_, err := e.s3.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: &bucket, Key: k})
			wantAWSError(t, "GetObjectTagging", err, "NoSuchKey", http.StatusNotFound)
			_, err = e.s3.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: &bucket, Key: k, Tagging: tagSet(map[string]string{"a": "b"})})
			wantAWSError(t, "PutObjectTagging", err, "NoSuchKey", http.StatusNotFound)
			_, err = e.s3.DeleteObjectTagging(ctx(t), &s3.DeleteObjectTaggingInput{Bucket: &bucket, Key: k})
			wantAWSError(t, "DeleteObjectTagging", err, "NoSuchKey", http.StatusNotFound)
		})
	})
}

// TestTaggingLimits checks S3's tag limits on PutObjectTagging and on
// x-amz-tagging: at most 10 tags (BadRequest), keys up to 128 and values up
// to 256 characters (InvalidTag), no duplicate keys, well-formed XML.
func TestTaggingLimits(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.putObject(t, bucket, "obj", []byte("x"))
		tests := []struct {
			name   string
			tags   map[string]string
			code   string
			status int
		}{
			{"ten-tags", nTags(10), "", 200},
			{"eleven-tags", nTags(11), "BadRequest", 400},
			{"key-128", map[string]string{strings.Repeat("k", 128): "v"}, "", 200},
			{"key-129", map[string]string{strings.Repeat("k", 129): "v"}, "InvalidTag", 400},
			{"value-256", map[string]string{"k": strings.Repeat("v", 256)}, "", 200},
			{"value-257", map[string]string{"k": strings.Repeat("v", 257)}, "InvalidTag", 400},
		}
		for _, tt := range tests {
			t.Run("api/"+tt.name, func(t *testing.T) {
				_, err := e.s3.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: &bucket, Key: aws.String("obj"), Tagging: tagSet(tt.tags)})
				if tt.code == "" {
					must(t, "PutObjectTagging", err)
					if got := e.tagsOf(t, bucket, "obj"); !maps.Equal(got, tt.tags) {
						t.Errorf("GetObjectTagging: got %v, want %v", got, tt.tags)
					}
					return
				}
				wantAWSError(t, "PutObjectTagging", err, tt.code, tt.status)
			})
			t.Run("header/"+tt.name, func(t *testing.T) {
				v := url.Values{}
				for k, val := range tt.tags {
					v.Set(k, val)
				}
				key := "hdr-" + tt.name
				_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: strings.NewReader("x"), Tagging: aws.String(v.Encode())})
				if tt.code == "" {
					must(t, "PutObject with Tagging", err)
					return
				}
				wantAWSError(t, "PutObject with Tagging", err, tt.code, tt.status)
				_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: &key})
				wantAWSError(t, "HeadObject after a refused PUT", err, "NotFound", http.StatusNotFound)
			})
		}
		t.Run("duplicate-key", func(t *testing.T) {
			body := []byte(`<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>`)
			resp, rb := e.do(t, http.MethodPut, bucket, "obj", query("tagging", ""), hdr("Content-MD5", md5B64(body)), body)
			wantError(t, "PutObjectTagging with a duplicate key", resp, rb, http.StatusBadRequest, "InvalidTag")
		})
		t.Run("malformed-xml", func(t *testing.T) {
			body := []byte(`<Tagging><TagSet><Tag><Key>a</Key>`)
			resp, rb := e.do(t, http.MethodPut, bucket, "obj", query("tagging", ""), hdr("Content-MD5", md5B64(body)), body)
			wantError(t, "PutObjectTagging with broken XML", resp, rb, http.StatusBadRequest, "MalformedXML")
		})
	})
}
