package integration

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
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

// compositeETag returns S3's ETag of a multipart object made of parts:
// the MD5 of the parts' binary MD5s, "-N".
func compositeETag(parts [][]byte) string {
	h := md5.New()
	for _, p := range parts {
		s := md5.Sum(p)
		h.Write(s[:])
	}
	return fmt.Sprintf("%s-%d", hex.EncodeToString(h.Sum(nil)), len(parts))
}

// multipart uploads parts as one object with aws-sdk-go-v2 and returns the
// ETag Complete answered.
func (e *env) multipart(t testing.TB, bucket, key string, parts [][]byte) string {
	t.Helper()
	id := e.createUpload(t, bucket, key)
	var done []types.CompletedPart
	for i, p := range parts {
		etag := e.uploadPart(t, bucket, key, id, int32(i+1), p)
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: aws.String(etag)})
	}
	out, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{
		Bucket: &bucket, Key: &key, UploadId: &id, MultipartUpload: &types.CompletedMultipartUpload{Parts: done},
	})
	must(t, "CompleteMultipartUpload", err)
	return aws.ToString(out.ETag)
}

func (e *env) createUpload(t testing.TB, bucket, key string) string {
	t.Helper()
	out, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	must(t, "CreateMultipartUpload", err)
	if aws.ToString(out.UploadId) == "" || aws.ToString(out.Key) != key || aws.ToString(out.Bucket) != bucket {
		t.Fatalf("CreateMultipartUpload: got upload %q key %q bucket %q", aws.ToString(out.UploadId), aws.ToString(out.Key), aws.ToString(out.Bucket))
	}
	return aws.ToString(out.UploadId)
}

func (e *env) uploadPart(t testing.TB, bucket, key, id string, n int32, p []byte) string {
	t.Helper()
	out, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: &id, PartNumber: &n, Body: bytes.NewReader(p)})
	must(t, fmt.Sprintf("UploadPart %d", n), err)
	if got, want := aws.ToString(out.ETag), quoted(md5Hex(p)); got != want {
		t.Errorf("UploadPart %d: got ETag %s, want %s", n, got, want)
	}
	return aws.ToString(out.ETag)
}

func completed(nums []int32, etags []string) *types.CompletedMultipartUpload {
	c := &types.CompletedMultipartUpload{}
	for i, n := range nums {
		c.Parts = append(c.Parts, types.CompletedPart{PartNumber: aws.Int32(n), ETag: aws.String(etags[i])})
	}
	return c
}

// TestMultipartUpload runs a full upload with aws-sdk-go-v2: metadata set at
// create, a replaced part, ListParts paging, the composite ETag, the body.
func TestMultipartUpload(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		key := "big/object.bin"
		out, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{
			Bucket: &bucket, Key: &key, ContentType: aws.String("application/x-parts"), Metadata: map[string]string{"origin": "multipart"},
		})
		must(t, "CreateMultipartUpload", err)
		id := aws.ToString(out.UploadId)
		parts := [][]byte{data(11, 5<<20), data(12, 5<<20), data(13, 1000)}
		etags := make([]string, len(parts))
		for i, p := range parts {
			etags[i] = e.uploadPart(t, bucket, key, id, int32(i+1), p)
		}
		parts[1] = data(99, 5<<20) // replace part 2
		etags[1] = e.uploadPart(t, bucket, key, id, 2, parts[1])

		var listed []types.Part
		in := &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: &id, MaxParts: aws.Int32(1)}
		for pages := 0; pages < 10; pages++ {
			lp, err := e.s3.ListParts(ctx(t), in)
			must(t, "ListParts", err)
			if len(lp.Parts) > 1 {
				t.Errorf("ListParts max-parts 1: got %d parts", len(lp.Parts))
			}
			listed = append(listed, lp.Parts...)
			if !aws.ToBool(lp.IsTruncated) {
				break
			}
			in.PartNumberMarker = lp.NextPartNumberMarker
		}
		if len(listed) != 3 {
			t.Fatalf("ListParts: got %d parts, want 3", len(listed))
		}
		for i, p := range listed {
			if aws.ToInt32(p.PartNumber) != int32(i+1) || aws.ToInt64(p.Size) != int64(len(parts[i])) || aws.ToString(p.ETag) != etags[i] || p.LastModified == nil {
				t.Errorf("part %d: got number %d size %d etag %s, want %d %d %s", i+1, aws.ToInt32(p.PartNumber), aws.ToInt64(p.Size), aws.ToString(p.ETag), i+1, len(parts[i]), etags[i])
			}
		}
		done, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{
			Bucket: &bucket, Key: &key, UploadId: &id, MultipartUpload: completed([]int32{1, 2, 3}, etags),
		})
		must(t, "CompleteMultipartUpload", err)
		want := quoted(compositeETag(parts))
		if aws.ToString(done.ETag) != want || aws.ToString(done.Key) != key || aws.ToString(done.Bucket) != bucket {
			t.Errorf("Complete: got ETag %s key %q bucket %q, want %s %q %q", aws.ToString(done.ETag), aws.ToString(done.Key), aws.ToString(done.Bucket), want, key, bucket)
		}
		got, obj := e.getObject(t, bucket, key)
		if !bytes.Equal(got, bytes.Join(parts, nil)) {
			t.Errorf("GetObject: content differs from the parts (got %d bytes)", len(got))
		}
		if aws.ToString(obj.ETag) != want || aws.ToString(obj.ContentType) != "application/x-parts" || obj.Metadata["origin"] != "multipart" {
			t.Errorf("GetObject: got ETag %s type %q meta %v, want %s application/x-parts origin=multipart", aws.ToString(obj.ETag), aws.ToString(obj.ContentType), obj.Metadata, want)
		}
		_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: &key, UploadId: &id})
		wantAWSError(t, "ListParts after Complete", err, "NoSuchUpload", http.StatusNotFound)
	})
}

// TestMultipartErrors checks Complete's validation (EntityTooSmall,
// InvalidPart, InvalidPartOrder, MalformedXML), NoSuchUpload, part number
// limits, abort, and conditional Complete.
func TestMultipartErrors(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		small := [][]byte{data(1, 1<<20), data(2, 1<<20)}
		t.Run("entity-too-small", func(t *testing.T) {
			id := e.createUpload(t, bucket, "small")
			etags := []string{e.uploadPart(t, bucket, "small", id, 1, small[0]), e.uploadPart(t, bucket, "small", id, 2, small[1])}
			_, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("small"), UploadId: &id, MultipartUpload: completed([]int32{1, 2}, etags)})
			wantAWSError(t, "Complete with a 1 MiB first part", err, "EntityTooSmall", http.StatusBadRequest)
			// A single small part is the last part: allowed.
			_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("small"), UploadId: &id, MultipartUpload: completed([]int32{2}, etags[1:])})
			must(t, "Complete with only the last small part", err)
			if got, _ := e.getObject(t, bucket, "small"); !bytes.Equal(got, small[1]) {
				t.Errorf("object made of part 2: content differs")
			}
		})
		t.Run("invalid-part", func(t *testing.T) {
			id := e.createUpload(t, bucket, "inv")
			etag := e.uploadPart(t, bucket, "inv", id, 1, data(4, 5<<20))
			_, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("inv"), UploadId: &id,
				MultipartUpload: completed([]int32{1}, []string{`"0123456789abcdef0123456789abcdef"`})})
			wantAWSError(t, "Complete with a wrong ETag", err, "InvalidPart", http.StatusBadRequest)
			_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("inv"), UploadId: &id,
				MultipartUpload: completed([]int32{1, 7}, []string{etag, etag})})
			wantAWSError(t, "Complete with a part never uploaded", err, "InvalidPart", http.StatusBadRequest)
		})
		t.Run("invalid-part-order", func(t *testing.T) {
			id := e.createUpload(t, bucket, "order")
			p := [][]byte{data(5, 5<<20), data(6, 5<<20)}
			etags := []string{e.uploadPart(t, bucket, "order", id, 1, p[0]), e.uploadPart(t, bucket, "order", id, 2, p[1])}
			_, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("order"), UploadId: &id,
				MultipartUpload: completed([]int32{2, 1}, []string{etags[1], etags[0]})})
			wantAWSError(t, "Complete with parts 2,1", err, "InvalidPartOrder", http.StatusBadRequest)
			_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("order"), UploadId: &id,
				MultipartUpload: completed([]int32{1, 1}, []string{etags[0], etags[0]})})
			wantAWSError(t, "Complete with part 1 twice", err, "InvalidPartOrder", http.StatusBadRequest)
		})
		t.Run("malformed-xml", func(t *testing.T) {
			id := e.createUpload(t, bucket, "xml")
			e.uploadPart(t, bucket, "xml", id, 1, []byte("x"))
			for _, body := range []string{"<CompleteMultipartUpload><Part>", "garbage", "<CompleteMultipartUpload></CompleteMultipartUpload>"} {
				resp, rb := e.do(t, http.MethodPost, bucket, "xml", query("uploadId", id), nil, []byte(body))
				wantError(t, "Complete with body "+body, resp, rb, http.StatusBadRequest, "MalformedXML")
			}
		})
		t.Run("no-such-upload", func(t *testing.T) {
			bogus := "bogus-upload-id"
			k := aws.String("k")
			_, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: k, UploadId: &bogus, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
			wantAWSError(t, "UploadPart", err, "NoSuchUpload", http.StatusNotFound)
			_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: k, UploadId: &bogus})
			wantAWSError(t, "ListParts", err, "NoSuchUpload", http.StatusNotFound)
			_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: k, UploadId: &bogus, MultipartUpload: completed([]int32{1}, []string{`"x"`})})
			wantAWSError(t, "CompleteMultipartUpload", err, "NoSuchUpload", http.StatusNotFound)
			_, err = e.s3.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: k, UploadId: &bogus})
			wantAWSError(t, "AbortMultipartUpload", err, "NoSuchUpload", http.StatusNotFound)
			// An upload ID is bound to its key.
			id := e.createUpload(t, bucket, "bound")
			_, err = e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: aws.String("other"), UploadId: &id, PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
			wantAWSError(t, "UploadPart under another key", err, "NoSuchUpload", http.StatusNotFound)
		})
		t.Run("part-numbers", func(t *testing.T) {
			id := e.createUpload(t, bucket, "nums")
			for _, n := range []string{"0", "10001", "-1", "x"} {
				resp, rb := e.do(t, http.MethodPut, bucket, "nums", query("uploadId", id, "partNumber", n), nil, []byte("x"))
				wantError(t, "UploadPart partNumber="+n, resp, rb, http.StatusBadRequest, "InvalidArgument")
			}
			etag := e.uploadPart(t, bucket, "nums", id, 10000, []byte("last possible part"))
			_, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("nums"), UploadId: &id, MultipartUpload: completed([]int32{10000}, []string{etag})})
			must(t, "Complete with part 10000", err)
		})
		t.Run("abort", func(t *testing.T) {
			id := e.createUpload(t, bucket, "aborted")
			e.uploadPart(t, bucket, "aborted", id, 1, []byte("x"))
			_, err := e.s3.AbortMultipartUpload(ctx(t), &s3.AbortMultipartUploadInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: &id})
			must(t, "AbortMultipartUpload", err)
			_, err = e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &bucket, Key: aws.String("aborted"), UploadId: &id})
			wantAWSError(t, "ListParts after abort", err, "NoSuchUpload", http.StatusNotFound)
			_, err = e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("aborted")})
			wantAWSError(t, "HeadObject after abort", err, "NotFound", http.StatusNotFound)
		})
		t.Run("conditional-complete", func(t *testing.T) {
			e.putObject(t, bucket, "exists", []byte("already here"))
			id := e.createUpload(t, bucket, "exists")
			etag := e.uploadPart(t, bucket, "exists", id, 1, []byte("new"))
			_, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("exists"), UploadId: &id,
				MultipartUpload: completed([]int32{1}, []string{etag}), IfNoneMatch: aws.String("*")})
			wantAWSError(t, "Complete If-None-Match * onto an existing key", err, "PreconditionFailed", http.StatusPreconditionFailed)
			if got, _ := e.getObject(t, bucket, "exists"); string(got) != "already here" {
				t.Errorf("after refused Complete: got %q, want the old content", got)
			}
		})
	})
}

// TestMultipartCopyPart builds an object from ranges of another with
// UploadPartCopy (aws-sdk-go-v2 and minio-go) plus an uploaded part.
func TestMultipartCopyPart(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		src := data(21, 10<<20+100)
		e.putObject(t, bucket, "src", src)
		const cut = 5 << 20
		id := e.createUpload(t, bucket, "assembled")
		out, err := e.s3.UploadPartCopy(ctx(t), &s3.UploadPartCopyInput{Bucket: &bucket, Key: aws.String("assembled"), UploadId: &id, PartNumber: aws.Int32(1),
			CopySource: copySource(bucket, "src"), CopySourceRange: aws.String(fmt.Sprintf("bytes=0-%d", cut-1))})
		must(t, "UploadPartCopy", err)
		etag1 := aws.ToString(out.CopyPartResult.ETag)
		if etag1 != quoted(md5Hex(src[:cut])) {
			t.Errorf("UploadPartCopy ETag: got %s, want %s", etag1, quoted(md5Hex(src[:cut])))
		}
		p2, err := e.core.CopyObjectPart(ctx(t), bucket, "src", bucket, "assembled", id, 2, cut, int64(len(src)-cut), nil)
		must(t, "minio CopyObjectPart", err)
		if strings.Trim(p2.ETag, `"`) != md5Hex(src[cut:]) {
			t.Errorf("minio CopyObjectPart ETag: got %s, want %s", p2.ETag, md5Hex(src[cut:]))
		}
		tail := []byte("uploaded tail")
		etag3 := e.uploadPart(t, bucket, "assembled", id, 3, tail)
		_, err = e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: aws.String("assembled"), UploadId: &id,
			MultipartUpload: completed([]int32{1, 2, 3}, []string{etag1, quoted(strings.Trim(p2.ETag, `"`)), etag3})})
		must(t, "CompleteMultipartUpload", err)
		want := append(append([]byte(nil), src...), tail...)
		got, obj := e.getObject(t, bucket, "assembled")
		if !bytes.Equal(got, want) {
			t.Errorf("assembled object: content differs (got %d bytes, want %d)", len(got), len(want))
		}
		if wantETag := quoted(compositeETag([][]byte{src[:cut], src[cut:], tail})); aws.ToString(obj.ETag) != wantETag {
			t.Errorf("assembled ETag: got %s, want %s", aws.ToString(obj.ETag), wantETag)
		}
		_, err = e.s3.UploadPartCopy(ctx(t), &s3.UploadPartCopyInput{Bucket: &bucket, Key: aws.String("assembled"), UploadId: aws.String("bogus"), PartNumber: aws.Int32(1), CopySource: copySource(bucket, "src")})
		wantAWSError(t, "UploadPartCopy to a missing upload", err, "NoSuchUpload", http.StatusNotFound)
	})
}

// TestMultipartListUploads checks ListMultipartUploads with prefix,
// delimiter and key/upload-id marker paging, with both clients.
func TestMultipartListUploads(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		type up struct{ key, id string }
		var all []up
		for _, k := range []string{"a/1", "a/2", "b/1", "b/1", "c"} {
			all = append(all, up{k, e.createUpload(t, bucket, k)})
		}
		out, err := e.s3.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: &bucket, Prefix: aws.String("a/")})
		must(t, "ListMultipartUploads prefix", err)
		var keys []string
		for _, u := range out.Uploads {
			keys = append(keys, aws.ToString(u.Key))
			if u.Initiated == nil || aws.ToString(u.UploadId) == "" {
				t.Errorf("upload %q: missing Initiated or UploadId", aws.ToString(u.Key))
			}
		}
		if !slices.Equal(keys, []string{"a/1", "a/2"}) {
			t.Errorf("prefix a/: got %q, want [a/1 a/2]", keys)
		}
		out, err = e.s3.ListMultipartUploads(ctx(t), &s3.ListMultipartUploadsInput{Bucket: &bucket, Delimiter: aws.String("/")})
		must(t, "ListMultipartUploads delimiter", err)
		keys = nil
		for _, u := range out.Uploads {
			keys = append(keys, aws.ToString(u.Key))
		}
		var prefixes []string
		for _, p := range out.CommonPrefixes {
			prefixes = append(prefixes, aws.ToString(p.Prefix))
		}
		if !slices.Equal(keys, []string{"c"}) || !slices.Equal(prefixes, []string{"a/", "b/"}) {
			t.Errorf("delimiter /: got uploads %q prefixes %q, want [c] [a/ b/]", keys, prefixes)
		}

		var seen []up
		in := &s3.ListMultipartUploadsInput{Bucket: &bucket, MaxUploads: aws.Int32(2)}
		for pages := 0; pages < 10; pages++ {
			page, err := e.s3.ListMultipartUploads(ctx(t), in)
			must(t, "ListMultipartUploads paged", err)
			if len(page.Uploads) > 2 {
				t.Errorf("max-uploads 2: got %d", len(page.Uploads))
			}
			for _, u := range page.Uploads {
				seen = append(seen, up{aws.ToString(u.Key), aws.ToString(u.UploadId)})
			}
			if !aws.ToBool(page.IsTruncated) {
				break
			}
			in.KeyMarker, in.UploadIdMarker = page.NextKeyMarker, page.NextUploadIdMarker
		}
		sortedAll := slices.Clone(all)
		slices.SortStableFunc(sortedAll, func(a, b up) int { return strings.Compare(a.key, b.key) })
		if len(seen) != len(all) {
			t.Fatalf("paged listing: got %v, want every upload once: %v", seen, sortedAll)
		}
		for i := range seen {
			if seen[i].key != sortedAll[i].key {
				t.Errorf("paged listing position %d: got key %q, want %q", i, seen[i].key, sortedAll[i].key)
			}
		}
		for _, u := range all {
			if !slices.Contains(seen, u) {
				t.Errorf("paged listing misses upload %v", u)
			}
		}
		res, err := e.core.ListMultipartUploads(ctx(t), bucket, "b/", "", "", "", 10)
		must(t, "minio ListMultipartUploads", err)
		if len(res.Uploads) != 2 {
			t.Errorf("minio ListMultipartUploads b/: got %d uploads, want 2", len(res.Uploads))
		}
		n := 0
		for u := range e.mc.ListIncompleteUploads(ctx(t), bucket, "", true) {
			must(t, "minio ListIncompleteUploads", u.Err)
			n++
		}
		if n != len(all) {
			t.Errorf("minio ListIncompleteUploads: got %d, want %d", n, len(all))
		}
	})
}

// TestMultipartMinio uploads with minio-go: the automatic multipart path
// of PutObject (streaming-signed parts) and the manual Core API.
func TestMultipartMinio(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		body := data(31, 11<<20)
		info, err := e.mc.PutObject(ctx(t), bucket, "auto", bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{PartSize: 5 << 20})
		must(t, "minio PutObject multipart", err)
		parts := [][]byte{body[:5<<20], body[5<<20 : 10<<20], body[10<<20:]}
		if want := compositeETag(parts); info.ETag != want {
			t.Errorf("minio multipart ETag: got %s, want %s", info.ETag, want)
		}
		if got, _ := e.getObject(t, bucket, "auto"); !bytes.Equal(got, body) {
			t.Errorf("minio multipart object: content differs")
		}

		id, err := e.core.NewMultipartUpload(ctx(t), bucket, "manual", minio.PutObjectOptions{ContentType: "text/manual"})
		must(t, "minio NewMultipartUpload", err)
		var cps []minio.CompletePart
		for i, p := range parts {
			op, err := e.core.PutObjectPart(ctx(t), bucket, "manual", id, i+1, bytes.NewReader(p), int64(len(p)), minio.PutObjectPartOptions{})
			must(t, "minio PutObjectPart", err)
			cps = append(cps, minio.CompletePart{PartNumber: i + 1, ETag: op.ETag})
		}
		lp, err := e.core.ListObjectParts(ctx(t), bucket, "manual", id, 0, 1000)
		must(t, "minio ListObjectParts", err)
		if len(lp.ObjectParts) != 3 {
			t.Errorf("minio ListObjectParts: got %d parts, want 3", len(lp.ObjectParts))
		}
		up, err := e.core.CompleteMultipartUpload(ctx(t), bucket, "manual", id, cps, minio.PutObjectOptions{})
		must(t, "minio CompleteMultipartUpload", err)
		if up.ETag != compositeETag(parts) {
			t.Errorf("minio Complete ETag: got %s, want %s", up.ETag, compositeETag(parts))
		}
		id, err = e.core.NewMultipartUpload(ctx(t), bucket, "abort-me", minio.PutObjectOptions{})
		must(t, "minio NewMultipartUpload", err)
		must(t, "minio AbortMultipartUpload", e.core.AbortMultipartUpload(ctx(t), bucket, "abort-me", id))
		err = e.core.AbortMultipartUpload(ctx(t), bucket, "abort-me", id)
		wantMinioError(t, "minio AbortMultipartUpload twice", err, "NoSuchUpload", http.StatusNotFound)
	})
}
