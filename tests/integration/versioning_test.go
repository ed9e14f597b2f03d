package integration

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/minio/minio-go/v7"
)

// setVersioning sets a bucket's versioning status with aws-sdk-go-v2.
func (e *env) setVersioning(t testing.TB, bucket string, status types.BucketVersioningStatus) {
	t.Helper()
	_, err := e.s3.PutBucketVersioning(ctx(t), &s3.PutBucketVersioningInput{
		Bucket:                  &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: status},
	})
	must(t, "PutBucketVersioning "+string(status), err)
}

// versionsOf lists every version of bucket, page by page of maxKeys,
// with aws-sdk-go-v2 (to check its parse of every page) and the raw
// answer (which keeps versions and delete markers in listing order), as
// "key@id" with "*" after delete markers and "!" after the latest.
func (e *env) versionsOf(t testing.TB, bucket, prefix string, maxKeys int32) []string {
	t.Helper()
	q := url.Values{"versions": {""}, "max-keys": {fmt.Sprint(maxKeys)}, "prefix": {prefix}}
	var out []string
	for range 1000 {
		resp, body := e.do(t, http.MethodGet, bucket, "", q, nil, nil)
		wantStatus(t, "ListObjectVersions", resp, body, http.StatusOK)
		dec := xml.NewDecoder(bytes.NewReader(body))
		var doc struct {
			IsTruncated                        bool
			NextKeyMarker, NextVersionIdMarker string
		}
		n := 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			must(t, "parse listing", err)
			se, ok := tok.(xml.StartElement)
			if !ok {
				continue
			}
			switch se.Name.Local {
			case "Version", "DeleteMarker":
				var v struct {
					Key, VersionId string
					IsLatest       bool
				}
				must(t, "parse entry", dec.DecodeElement(&v, &se))
				s := v.Key + "@" + v.VersionId
				if se.Name.Local == "DeleteMarker" {
					s += "*"
				}
				if v.IsLatest {
					s += "!"
				}
				out = append(out, s)
				n++
			case "CommonPrefixes":
				must(t, "skip prefix", dec.Skip())
				n++
			case "IsTruncated":
				must(t, "parse", dec.DecodeElement(&doc.IsTruncated, &se))
			case "NextKeyMarker":
				must(t, "parse", dec.DecodeElement(&doc.NextKeyMarker, &se))
			case "NextVersionIdMarker":
				must(t, "parse", dec.DecodeElement(&doc.NextVersionIdMarker, &se))
			}
		}
		if n > int(maxKeys) {
			t.Fatalf("page of %d entries, want at most %d", n, maxKeys)
		}
		in := &s3.ListObjectVersionsInput{Bucket: &bucket, MaxKeys: aws.Int32(maxKeys), Prefix: aws.String(prefix)}
		if m := q.Get("key-marker"); m != "" {
			in.KeyMarker = aws.String(m)
		}
		if m := q.Get("version-id-marker"); m != "" {
			in.VersionIdMarker = aws.String(m)
		}
		res, err := e.s3.ListObjectVersions(ctx(t), in)
		must(t, "ListObjectVersions (sdk)", err)
		if got := len(res.Versions) + len(res.DeleteMarkers) + len(res.CommonPrefixes); got != n || aws.ToBool(res.IsTruncated) != doc.IsTruncated {
			t.Fatalf("sdk page: got %d entries truncated %v, raw %d truncated %v", got, aws.ToBool(res.IsTruncated), n, doc.IsTruncated)
		}
		if !doc.IsTruncated {
			return out
		}
		q.Set("key-marker", doc.NextKeyMarker)
		q.Set("version-id-marker", doc.NextVersionIdMarker)
	}
	t.Fatal("version listing never ended")
	return nil
}

// putVersion writes key with aws-sdk-go-v2 and returns its version ID.
func (e *env) putVersion(t testing.TB, bucket, key string, body []byte) string {
	t.Helper()
	out, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body)})
	must(t, "PutObject "+key, err)
	return aws.ToString(out.VersionId)
}

// getVersion reads one version with aws-sdk-go-v2.
func (e *env) getVersion(t testing.TB, bucket, key, id string) []byte {
	t.Helper()
	in := &s3.GetObjectInput{Bucket: &bucket, Key: &key}
	if id != "" {
		in.VersionId = &id
	}
	out, err := e.s3.GetObject(ctx(t), in)
	must(t, "GetObject "+key+"@"+id, err)
	defer out.Body.Close()
	b, err := io.ReadAll(out.Body)
	must(t, "read body", err)
	return b
}

// TestBucketVersioningConfig: a new bucket answers an empty configuration;
// Enabled and Suspended are stored (and seen through every node); MFA
// delete and bad documents are refused without a change.
func TestBucketVersioningConfig(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		got, err := e.s3.GetBucketVersioning(ctx(t), &s3.GetBucketVersioningInput{Bucket: &bucket})
		must(t, "GetBucketVersioning", err)
		if got.Status != "" || got.MFADelete != "" {
			t.Fatalf("new bucket: got status %q mfa %q, want none", got.Status, got.MFADelete)
		}
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		mcfg, err := e.mc.GetBucketVersioning(ctx(t), bucket)
		must(t, "minio GetBucketVersioning", err)
		if mcfg.Status != "Enabled" {
			t.Fatalf("after enabling: minio got %q", mcfg.Status)
		}
		must(t, "minio SuspendVersioning", e.mc.SuspendVersioning(ctx(t), bucket))
		got, err = e.s3.GetBucketVersioning(ctx(t), &s3.GetBucketVersioningInput{Bucket: &bucket})
		must(t, "GetBucketVersioning", err)
		if got.Status != types.BucketVersioningStatusSuspended {
			t.Fatalf("after suspending: got %q", got.Status)
		}
		_, err = e.s3.PutBucketVersioning(ctx(t), &s3.PutBucketVersioningInput{Bucket: &bucket,
			VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled, MFADelete: types.MFADeleteEnabled}})
		wantAWSError(t, "PutBucketVersioning MFA delete", err, "NotImplemented", http.StatusNotImplemented)
		for _, doc := range []string{`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Off</Status></VersioningConfiguration>`, `<VersioningConfiguration/>`, `<nope`} {
			resp, body := e.do(t, http.MethodPut, bucket, "", url.Values{"versioning": {""}}, nil, []byte(doc))
			wantError(t, "PutBucketVersioning "+doc, resp, body, http.StatusBadRequest, "MalformedXML")
		}
		got, err = e.s3.GetBucketVersioning(ctx(t), &s3.GetBucketVersioningInput{Bucket: &bucket})
		if err != nil || got.Status != types.BucketVersioningStatusSuspended {
			t.Fatalf("after refused changes: got %q, %v; want Suspended", got.Status, err)
		}
		_, err = e.s3.GetBucketVersioning(ctx(t), &s3.GetBucketVersioningInput{Bucket: aws.String("missing-" + bucket)})
		wantAWSError(t, "GetBucketVersioning missing bucket", err, "NoSuchBucket", http.StatusNotFound)
	})
}

// TestLoneNullVersionHeader: an object written before versioning was
// turned on is its bucket's null version; once the bucket is versioned
// (or suspended) GET and HEAD answer "x-amz-version-id: null" for it, on
// the node that changed the bucket at once and on every other node
// within a second or so (a cluster node remembers a bucket's versioning
// state for a second rather than read it from a quorum on every GET).
func TestLoneNullVersionHeader(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		_, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: aws.String("old"), Body: strings.NewReader("before")})
		must(t, "PutObject", err)
		for name, c := range map[string]*s3.Client{"node a": e.s3, "node b": e.s3b} {
			h, err := c.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("old")})
			must(t, "HeadObject "+name, err)
			if h.VersionId != nil {
				t.Fatalf("unversioned bucket, %s: got x-amz-version-id %q, want none", name, aws.ToString(h.VersionId))
			}
		}
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		g, err := e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: aws.String("old")})
		must(t, "GetObject", err)
		g.Body.Close()
		if aws.ToString(g.VersionId) != "null" {
			t.Errorf("versioned bucket, node that changed it: got x-amz-version-id %q, want null", aws.ToString(g.VersionId))
		}
		deadline := time.Now().Add(3 * time.Second)
		for {
			h, err := e.s3b.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: aws.String("old")})
			must(t, "HeadObject other node", err)
			if aws.ToString(h.VersionId) == "null" {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("versioned bucket, other node: got x-amz-version-id %q after 3 s, want null", aws.ToString(h.VersionId))
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}

// TestVersionedObjects walks one key through S3's versioning rules with
// both clients: version IDs from PUT, copy, multipart and POST; reads,
// tags, attributes and ACLs by version; delete markers and their 404 and
// 405 answers; permanent deletes of versions and markers.
func TestVersionedObjects(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		k := aws.String("doc.txt")
		e.putObject(t, bucket, "doc.txt", []byte("unversioned"))
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		p1, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: k, Body: bytes.NewReader([]byte("one"))})
		must(t, "PutObject v1", err)
		v1 := aws.ToString(p1.VersionId)
		p2, err := e.mc.PutObject(ctx(t), bucket, "doc.txt", bytes.NewReader([]byte("two")), 3, minio.PutObjectOptions{})
		must(t, "minio PutObject v2", err)
		v2 := p2.VersionID
		if v1 == "" || v2 == "" || v1 == v2 || v1 == "null" {
			t.Fatalf("version IDs: got %q and %q, want two new IDs", v1, v2)
		}
		for id, want := range map[string]string{"": "two", v2: "two", v1: "one", "null": "unversioned"} {
			if got := e.getVersion(t, bucket, "doc.txt", id); string(got) != want {
				t.Errorf("GET version %q: got %q, want %q", id, got, want)
			}
		}
		mo, err := e.mc.GetObject(ctx(t), bucket, "doc.txt", minio.GetObjectOptions{VersionID: v1})
		must(t, "minio GetObject v1", err)
		if b, _ := io.ReadAll(mo); string(b) != "one" {
			t.Errorf("minio GET v1: got %q", b)
		}
		mo.Close()
		head, err := e.s3.HeadObject(ctx(t), &s3.HeadObjectInput{Bucket: &bucket, Key: k, VersionId: &v1})
		if err != nil || aws.ToString(head.VersionId) != v1 || aws.ToInt64(head.ContentLength) != 3 {
			t.Errorf("HEAD v1: got %v, %v", head, err)
		}
		// Tags, attributes and ACL of one version.
		_, err = e.s3.PutObjectTagging(ctx(t), &s3.PutObjectTaggingInput{Bucket: &bucket, Key: k, VersionId: &v1, Tagging: tagSet(map[string]string{"v": "1"})})
		must(t, "PutObjectTagging v1", err)
		tg, err := e.s3.GetObjectTagging(ctx(t), &s3.GetObjectTaggingInput{Bucket: &bucket, Key: k, VersionId: &v1})
		if err != nil || len(tg.TagSet) != 1 || aws.ToString(tg.VersionId) != v1 {
			t.Errorf("GetObjectTagging v1: got %+v, %v", tg, err)
		}
		if tags := e.tagsOf(t, bucket, "doc.txt"); len(tags) != 0 {
			t.Errorf("tags of the current version: got %v, want none", tags)
		}
		attrs, err := e.s3.GetObjectAttributes(ctx(t), &s3.GetObjectAttributesInput{Bucket: &bucket, Key: k, VersionId: &v1,
			ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesObjectSize}})
		if err != nil || aws.ToInt64(attrs.ObjectSize) != 3 || aws.ToString(attrs.VersionId) != v1 {
			t.Errorf("GetObjectAttributes v1: got %+v, %v", attrs, err)
		}
		_, err = e.s3.GetObjectAcl(ctx(t), &s3.GetObjectAclInput{Bucket: &bucket, Key: k, VersionId: &v1})
		must(t, "GetObjectAcl v1", err)
		// Copy from an old version; copy onto itself makes a new version.
		cp, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("copy.txt"), CopySource: aws.String(bucket + "/doc.txt?versionId=" + v1)})
		must(t, "CopyObject from v1", err)
		if aws.ToString(cp.CopySourceVersionId) != v1 || aws.ToString(cp.VersionId) == "" {
			t.Errorf("CopyObject: source version %q, new version %q", aws.ToString(cp.CopySourceVersionId), aws.ToString(cp.VersionId))
		}
		self, err := e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("copy.txt"), CopySource: aws.String(bucket + "/copy.txt"),
			MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"a": "b"}})
		must(t, "CopyObject onto itself", err)
		if aws.ToString(self.VersionId) == aws.ToString(cp.VersionId) {
			t.Errorf("copy onto itself: got the same version %q, want a new one", aws.ToString(self.VersionId))
		}
		// Multipart and POST make versions too.
		up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: k})
		must(t, "CreateMultipartUpload", err)
		part, err := e.s3.UploadPart(ctx(t), &s3.UploadPartInput{Bucket: &bucket, Key: k, UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("three"))})
		must(t, "UploadPart", err)
		done, err := e.s3.CompleteMultipartUpload(ctx(t), &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: k, UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: part.ETag}}}})
		must(t, "CompleteMultipartUpload", err)
		v3 := aws.ToString(done.VersionId)
		pol := minio.NewPostPolicy()
		must(t, "SetBucket", pol.SetBucket(bucket))
		must(t, "SetKey", pol.SetKey("doc.txt"))
		must(t, "SetExpires", pol.SetExpires(time.Now().Add(10*time.Minute)))
		u, fields, err := e.mc.PresignedPostPolicy(ctx(t), pol)
		must(t, "PresignedPostPolicy", err)
		resp, rb := e.postForm(t, u.String(), fields, "doc.txt", []byte("four"))
		wantStatus(t, "POST", resp, rb, http.StatusNoContent)
		v4 := resp.Header.Get("x-amz-version-id")
		if v3 == "" || v4 == "" || v3 == v2 || v4 == v3 {
			t.Fatalf("multipart and POST versions: got %q, %q", v3, v4)
		}
		// A delete without a version adds a marker.
		del, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: k})
		must(t, "DeleteObject", err)
		dm := aws.ToString(del.VersionId)
		if !aws.ToBool(del.DeleteMarker) || dm == "" || dm == "null" {
			t.Fatalf("DeleteObject: got marker %v version %q, want a new delete marker", aws.ToBool(del.DeleteMarker), dm)
		}
		for _, method := range []string{http.MethodGet, http.MethodHead} {
			resp, body := e.do(t, method, bucket, "doc.txt", nil, nil, nil)
			if resp.StatusCode != http.StatusNotFound || resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("x-amz-version-id") != dm {
				t.Errorf("%s after delete: got %d, marker %q, version %q; want 404 with the marker's headers", method, resp.StatusCode, resp.Header.Get("x-amz-delete-marker"), resp.Header.Get("x-amz-version-id"))
			}
			if method == http.MethodGet {
				wantError(t, "GET after delete", resp, body, http.StatusNotFound, "NoSuchKey")
			}
			resp, body = e.do(t, method, bucket, "doc.txt", url.Values{"versionId": {dm}}, nil, nil)
			if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("Last-Modified") == "" {
				t.Errorf("%s of the marker: got %d, marker %q, last-modified %q; want 405 with both", method, resp.StatusCode, resp.Header.Get("x-amz-delete-marker"), resp.Header.Get("Last-Modified"))
			}
			if method == http.MethodGet {
				wantError(t, "GET of the marker", resp, body, http.StatusMethodNotAllowed, "MethodNotAllowed")
			}
		}
		_, err = e.mc.StatObject(ctx(t), bucket, "doc.txt", minio.StatObjectOptions{})
		wantMinioError(t, "minio StatObject after delete", err, "NoSuchKey", http.StatusNotFound)
		_, err = e.s3.CopyObject(ctx(t), &s3.CopyObjectInput{Bucket: &bucket, Key: aws.String("x"), CopySource: aws.String(bucket + "/doc.txt?versionId=" + dm)})
		wantAWSError(t, "CopyObject from a marker", err, "InvalidRequest", http.StatusBadRequest)
		if keys := e.listAll(t, bucket); strings.Join(keys, ",") != "copy.txt" {
			t.Errorf("ListObjectsV2 after delete: got %v, want [copy.txt]", keys)
		}
		want := []string{"doc.txt@" + dm + "*!", "doc.txt@" + v4, "doc.txt@" + v3, "doc.txt@" + v2, "doc.txt@" + v1, "doc.txt@null"}
		if got := e.versionsOf(t, bucket, "doc", 1000); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("versions:\n got %v\nwant %v", got, want)
		}
		// Removing the marker by ID brings the key back, announced as a marker.
		resp, _ = e.do(t, http.MethodDelete, bucket, "doc.txt", url.Values{"versionId": {dm}}, nil, nil)
		if resp.StatusCode != http.StatusNoContent || resp.Header.Get("x-amz-delete-marker") != "true" || resp.Header.Get("x-amz-version-id") != dm {
			t.Errorf("DELETE the marker: got %d, marker %q, version %q", resp.StatusCode, resp.Header.Get("x-amz-delete-marker"), resp.Header.Get("x-amz-version-id"))
		}
		if got := e.getVersion(t, bucket, "doc.txt", ""); string(got) != "four" {
			t.Errorf("GET after removing the marker: got %q, want four", got)
		}
		// Deleting a version by ID removes it for good.
		must(t, "minio RemoveObject v4", e.mc.RemoveObject(ctx(t), bucket, "doc.txt", minio.RemoveObjectOptions{VersionID: v4}))
		_, err = e.s3.GetObject(ctx(t), &s3.GetObjectInput{Bucket: &bucket, Key: k, VersionId: &v4})
		wantAWSError(t, "GET removed version", err, "NoSuchVersion", http.StatusNotFound)
		if got := e.getVersion(t, bucket, "doc.txt", ""); string(got) != "three" {
			t.Errorf("GET after removing v4: got %q, want three", got)
		}
	})
}

// TestVersioningSuspended: in a suspended bucket a PUT replaces the null
// version and keeps the others; a DELETE makes a null delete marker.
func TestVersioningSuspended(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		k := aws.String("k")
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		p1, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: k, Body: bytes.NewReader([]byte("kept"))})
		must(t, "PutObject", err)
		v1 := aws.ToString(p1.VersionId)
		e.setVersioning(t, bucket, types.BucketVersioningStatusSuspended)
		for _, body := range []string{"null one", "null two"} {
			p, err := e.s3.PutObject(ctx(t), &s3.PutObjectInput{Bucket: &bucket, Key: k, Body: strings.NewReader(body)})
			must(t, "PutObject suspended", err)
			if aws.ToString(p.VersionId) != "null" {
				t.Errorf("suspended PUT: got version %q, want null", aws.ToString(p.VersionId))
			}
		}
		want := []string{"k@null!", "k@" + v1}
		if got := e.versionsOf(t, bucket, "", 1000); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("after suspended PUTs: got %v, want %v", got, want)
		}
		if got := e.getVersion(t, bucket, "k", "null"); string(got) != "null two" {
			t.Errorf("GET null: got %q", got)
		}
		del, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: k})
		must(t, "DeleteObject suspended", err)
		if !aws.ToBool(del.DeleteMarker) || aws.ToString(del.VersionId) != "null" {
			t.Errorf("suspended DELETE: got marker %v version %q, want a null marker", aws.ToBool(del.DeleteMarker), aws.ToString(del.VersionId))
		}
		want = []string{"k@null*!", "k@" + v1}
		if got := e.versionsOf(t, bucket, "", 1000); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("after suspended DELETE: got %v, want %v", got, want)
		}
		if got := e.getVersion(t, bucket, "k", v1); string(got) != "kept" {
			t.Errorf("GET v1: got %q", got)
		}
	})
}

// TestListObjectVersionsPaging pages through many versions of many keys
// with prefixes, delimiters, key and version markers and URL encoding,
// with both clients, and checks ListObjectsV2 hides deleted keys.
func TestListObjectVersionsPaging(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		var want []string
		keys := []string{"a b", "dir/x", "dir/y", "k&1", "z"}
		for _, key := range keys {
			for i := range 3 {
				e.putObject(t, bucket, key, []byte(fmt.Sprint(key, i)))
			}
		}
		if _, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("k&1")}); err != nil {
			t.Fatal(err)
		}
		all := e.versionsOf(t, bucket, "", 1000)
		if len(all) != 16 {
			t.Fatalf("versions: got %d (%v), want 16", len(all), all)
		}
		for _, page := range []int32{1, 2, 5, 7} {
			if got := e.versionsOf(t, bucket, "", page); strings.Join(got, " ") != strings.Join(all, " ") {
				t.Errorf("pages of %d:\n got %v\nwant %v", page, got, all)
			}
		}
		want = nil
		for _, v := range all {
			if strings.HasPrefix(v, "dir/") {
				want = append(want, v)
			}
		}
		if got := e.versionsOf(t, bucket, "dir/", 2); strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("prefix dir/: got %v, want %v", got, want)
		}
		res, err := e.s3.ListObjectVersions(ctx(t), &s3.ListObjectVersionsInput{Bucket: &bucket, Delimiter: aws.String("/"), EncodingType: types.EncodingTypeUrl})
		must(t, "ListObjectVersions delimiter", err)
		if len(res.CommonPrefixes) != 1 || aws.ToString(res.CommonPrefixes[0].Prefix) != "dir/" || len(res.Versions) != 9 || len(res.DeleteMarkers) != 1 {
			t.Errorf("delimiter /: got %d prefixes, %d versions, %d markers; want 1, 9, 1", len(res.CommonPrefixes), len(res.Versions), len(res.DeleteMarkers))
		}
		// url encoding: keys come encoded (the SDK leaves them so).
		if aws.ToString(res.Versions[0].Key) != "a+b" || aws.ToString(res.DeleteMarkers[0].Key) != "k%261" {
			t.Errorf("encoded keys: got version key %q, marker key %q", aws.ToString(res.Versions[0].Key), aws.ToString(res.DeleteMarkers[0].Key))
		}
		resp, body := e.do(t, http.MethodGet, bucket, "", url.Values{"versions": {""}, "encoding-type": {"url"}, "prefix": {"a b"}}, nil, nil)
		wantStatus(t, "ListObjectVersions url", resp, body, http.StatusOK)
		if !bytes.Contains(body, []byte("<Key>a+b</Key>")) || !bytes.Contains(body, []byte("<EncodingType>url</EncodingType>")) {
			t.Errorf("url-encoded listing: got %s", truncate(body))
		}
		// minio-go lists versions and markers with WithVersions.
		n, markers := 0, 0
		for o := range e.mc.ListObjects(ctx(t), bucket, minio.ListObjectsOptions{WithVersions: true, Recursive: true, MaxKeys: 3}) {
			must(t, "minio ListObjects WithVersions", o.Err)
			n++
			if o.IsDeleteMarker {
				markers++
			}
		}
		if n != 16 || markers != 1 {
			t.Errorf("minio versions: got %d entries, %d markers; want 16, 1", n, markers)
		}
		if keys := e.listAll(t, bucket); strings.Join(keys, ",") != "a b,dir/x,dir/y,z" {
			t.Errorf("ListObjectsV2: got %v, want the keys without k&1", keys)
		}
		_, err = e.s3.ListObjectVersions(ctx(t), &s3.ListObjectVersionsInput{Bucket: &bucket, VersionIdMarker: aws.String("x")})
		wantAWSError(t, "version marker without key marker", err, "InvalidArgument", http.StatusBadRequest)
	})
}

// TestDeleteObjectsVersions deletes versions, markers and keys in one
// batch and checks DeleteMarker and DeleteMarkerVersionId in the answer.
func TestDeleteObjectsVersions(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		e.setVersioning(t, bucket, types.BucketVersioningStatusEnabled)
		a1 := e.putVersion(t, bucket, "a", []byte("a1"))
		a2 := e.putVersion(t, bucket, "a", []byte("a2"))
		e.putObject(t, bucket, "b", []byte("b"))
		del, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &bucket, Key: aws.String("c")})
		must(t, "DeleteObject of a missing key", err)
		cm := aws.ToString(del.VersionId)
		out, err := e.s3.DeleteObjects(ctx(t), &s3.DeleteObjectsInput{Bucket: &bucket, Delete: &types.Delete{Objects: []types.ObjectIdentifier{
			{Key: aws.String("a"), VersionId: &a1}, {Key: aws.String("a"), VersionId: &a2},
			{Key: aws.String("b")}, {Key: aws.String("c"), VersionId: &cm},
		}}})
		must(t, "DeleteObjects", err)
		if len(out.Errors) != 0 || len(out.Deleted) != 4 {
			t.Fatalf("DeleteObjects: got %d deleted, errors %+v", len(out.Deleted), out.Errors)
		}
		byKey := map[string][]types.DeletedObject{}
		for _, d := range out.Deleted {
			byKey[aws.ToString(d.Key)] = append(byKey[aws.ToString(d.Key)], d)
		}
		if b := byKey["b"]; len(b) != 1 || !aws.ToBool(b[0].DeleteMarker) || aws.ToString(b[0].DeleteMarkerVersionId) == "" || b[0].VersionId != nil {
			t.Errorf("b: got %+v, want a new delete marker", b)
		}
		if c := byKey["c"]; len(c) != 1 || !aws.ToBool(c[0].DeleteMarker) || aws.ToString(c[0].DeleteMarkerVersionId) != cm || aws.ToString(c[0].VersionId) != cm {
			t.Errorf("c: got %+v, want the marker %s removed", c, cm)
		}
		for _, a := range byKey["a"] {
			if aws.ToBool(a.DeleteMarker) {
				t.Errorf("a: got %+v, want versions removed", a)
			}
		}
		got := e.versionsOf(t, bucket, "", 1000)
		if len(got) != 2 || !strings.HasPrefix(got[0], "b@") || !strings.HasSuffix(got[0], "*!") {
			t.Errorf("after DeleteObjects: got %v, want b's marker and b", got)
		}
	})
}
