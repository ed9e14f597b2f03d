package integration

import (
	"bytes"
	"encoding/xml"
	"mime/multipart"
	"net/http"
	"sort"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
)

// postForm sends fields (in name order) and a file as a multipart form,
// the way a browser or curl -F does, with plain net/http.
func (e *env) postForm(t testing.TB, target string, fields map[string]string, filename string, file []byte) (*http.Response, []byte) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	names := make([]string, 0, len(fields))
	for k := range fields {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		must(t, "write field", w.WriteField(k, fields[k]))
	}
	fw, err := w.CreateFormFile("file", filename)
	must(t, "create file part", err)
	fw.Write(file)
	must(t, "close form", w.Close())
	req, err := http.NewRequest(http.MethodPost, target, &buf)
	must(t, "new request", err)
	req.Header.Set("Content-Type", w.FormDataContentType())
	return e.send(t, req)
}

// TestPostObject uploads through POST policies made by minio-go's
// PresignedPostPolicy (a real client's signing) and sent as plain HTML-style
// forms, then reads the objects back with the client.
func TestPostObject(t *testing.T) {
	run(t, func(t *testing.T, e *env) {
		bucket := e.bucket(t)
		t.Run("exact key with metadata, 201", func(t *testing.T) {
			p := minio.NewPostPolicy()
			must(t, "SetBucket", p.SetBucket(bucket))
			must(t, "SetKey", p.SetKey("forms/report.txt"))
			must(t, "SetExpires", p.SetExpires(time.Now().Add(10*time.Minute)))
			must(t, "SetContentType", p.SetContentType("text/plain"))
			must(t, "SetContentLengthRange", p.SetContentLengthRange(1, 1<<20))
			must(t, "SetUserMetadata", p.SetUserMetadata("origin", "browser"))
			must(t, "SetSuccessStatusAction", p.SetSuccessStatusAction("201"))
			u, fields, err := e.mc.PresignedPostPolicy(ctx(t), p)
			must(t, "PresignedPostPolicy", err)
			body := data(7, 5000)
			resp, rb := e.postForm(t, u.String(), fields, "report.txt", body)
			wantStatus(t, "POST", resp, rb, http.StatusCreated)
			var doc struct {
				Bucket, Key, ETag string
			}
			must(t, "PostResponse", xml.Unmarshal(rb, &doc))
			if doc.Bucket != bucket || doc.Key != "forms/report.txt" || doc.ETag != quoted(md5Hex(body)) {
				t.Errorf("PostResponse: got %+v", doc)
			}
			obj, err := e.mc.GetObject(ctx(t), bucket, "forms/report.txt", minio.GetObjectOptions{})
			must(t, "GetObject", err)
			defer obj.Close()
			st, err := obj.Stat()
			must(t, "Stat", err)
			var got bytes.Buffer
			got.ReadFrom(obj)
			if !bytes.Equal(got.Bytes(), body) || st.ContentType != "text/plain" || st.UserMetadata["Origin"] != "browser" {
				t.Errorf("object: got %d bytes, type %q, metadata %v", got.Len(), st.ContentType, st.UserMetadata)
			}
		})
		t.Run("key prefix with filename, large file", func(t *testing.T) {
			p := minio.NewPostPolicy()
			must(t, "SetBucket", p.SetBucket(bucket))
			must(t, "SetKeyStartsWith", p.SetKeyStartsWith("inbox/"))
			must(t, "SetExpires", p.SetExpires(time.Now().Add(10*time.Minute)))
			u, fields, err := e.mc.PresignedPostPolicy(ctx(t), p)
			must(t, "PresignedPostPolicy", err)
			fields["key"] = "inbox/${filename}"
			body := data(8, 3<<20+17)
			resp, rb := e.postForm(t, u.String(), fields, "scan 1.pdf", body)
			wantStatus(t, "POST", resp, rb, http.StatusNoContent)
			if resp.Header.Get("ETag") != quoted(md5Hex(body)) {
				t.Errorf("ETag: got %s, want %s", resp.Header.Get("ETag"), quoted(md5Hex(body)))
			}
			obj, err := e.mc.GetObject(ctx(t), bucket, "inbox/scan 1.pdf", minio.GetObjectOptions{})
			must(t, "GetObject", err)
			defer obj.Close()
			var got bytes.Buffer
			got.ReadFrom(obj)
			if !bytes.Equal(got.Bytes(), body) {
				t.Errorf("object: got %d bytes, want %d equal bytes", got.Len(), len(body))
			}
			fields["key"] = "elsewhere/x"
			resp, rb = e.postForm(t, u.String(), fields, "x", []byte("x"))
			wantError(t, "POST outside the prefix", resp, rb, http.StatusForbidden, "AccessDenied")
		})
		t.Run("size limit and anonymous", func(t *testing.T) {
			p := minio.NewPostPolicy()
			must(t, "SetBucket", p.SetBucket(bucket))
			must(t, "SetKey", p.SetKey("limited"))
			must(t, "SetExpires", p.SetExpires(time.Now().Add(10*time.Minute)))
			must(t, "SetContentLengthRange", p.SetContentLengthRange(0, 100))
			u, fields, err := e.mc.PresignedPostPolicy(ctx(t), p)
			must(t, "PresignedPostPolicy", err)
			resp, rb := e.postForm(t, u.String(), fields, "big", data(9, 101))
			wantError(t, "POST over the range", resp, rb, http.StatusBadRequest, "EntityTooLarge")
			_, err = e.mc.StatObject(ctx(t), bucket, "limited", minio.StatObjectOptions{})
			wantMinioError(t, "StatObject after a refused POST", err, "NoSuchKey", http.StatusNotFound)
			resp, rb = e.postForm(t, u.String(), map[string]string{"key": "anon"}, "a", []byte("a"))
			wantError(t, "anonymous POST", resp, rb, http.StatusForbidden, "AccessDenied")
		})
	})
}
