package bench

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// createBucket creates bucket and reports whether this call created it
// (false when it already existed and is owned by the caller).
func (c *client) createBucket(ctx context.Context, bucket string) (bool, error) {
	resp, err := c.do(ctx, &request{method: http.MethodPut, bucket: bucket})
	if err == nil {
		discard(resp)
		return true, nil
	}
	if isCode(err, "BucketAlreadyOwnedByYou") {
		return false, nil
	}
	if isStatus(err, http.StatusConflict) && c.bucketExists(ctx, bucket) {
		return false, nil
	}
	return false, err
}

func (c *client) bucketExists(ctx context.Context, bucket string) bool {
	resp, err := c.do(ctx, &request{method: http.MethodHead, bucket: bucket})
	if err != nil {
		return false
	}
	discard(resp)
	return true
}

func (c *client) deleteBucket(ctx context.Context, bucket string) error {
	resp, err := c.do(ctx, &request{method: http.MethodDelete, bucket: bucket})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

func (c *client) putObject(ctx context.Context, bucket, key string, body []byte) error {
	resp, err := c.do(ctx, &request{method: http.MethodPut, bucket: bucket, key: key, body: body,
		header: map[string]string{"Content-Type": "application/octet-stream"}})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// getObject reads the whole object through buf and returns its length.
// When want is not nil the content must equal it.
func (c *client) getObject(ctx context.Context, bucket, key string, buf, want []byte) (int64, error) {
	resp, err := c.do(ctx, &request{method: http.MethodGet, bucket: bucket, key: key})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var n int64
	for {
		m, err := resp.Body.Read(buf)
		if want != nil && m > 0 {
			if n+int64(m) > int64(len(want)) || !bytes.Equal(buf[:m], want[n:n+int64(m)]) {
				return n, fmt.Errorf("bench: GET %s/%s: content differs from what was written at byte %d", bucket, key, n)
			}
		}
		n += int64(m)
		if err == io.EOF {
			break
		}
		if err != nil {
			return n, fmt.Errorf("bench: GET %s/%s: read body: %w", bucket, key, err)
		}
	}
	if want != nil && n != int64(len(want)) {
		return n, fmt.Errorf("bench: GET %s/%s: got %d bytes, want %d", bucket, key, n, len(want))
	}
	return n, nil
}

// headObject returns the object's Content-Length.
func (c *client) headObject(ctx context.Context, bucket, key string) (int64, error) {
	resp, err := c.do(ctx, &request{method: http.MethodHead, bucket: bucket, key: key})
	if err != nil {
		return 0, err
	}
	discard(resp)
	return resp.ContentLength, nil
}

// deleteObject deletes key, or the version of it o names.
func (c *client) deleteObject(ctx context.Context, bucket string, o objectRef) error {
	q := ""
	if o.versionID != "" {
		q = canonicalQuery("versionId", o.versionID)
	}
	resp, err := c.do(ctx, &request{method: http.MethodDelete, bucket: bucket, key: o.key, query: q})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// listObjects fetches one ListObjectsV2 page into buf (grown as needed)
// and returns the page's summary and buf.
func (c *client) listObjects(ctx context.Context, bucket, prefix, startAfter, token string, maxKeys int, buf *bytes.Buffer) (listPage, error) {
	q := []string{"list-type", "2", "max-keys", strconv.Itoa(maxKeys), "prefix", prefix}
	if token != "" {
		q = append(q, "continuation-token", token)
	} else if startAfter != "" {
		q = append(q, "start-after", startAfter)
	}
	if err := c.getInto(ctx, bucket, canonicalQuery(q...), buf, "list"); err != nil {
		return listPage{}, err
	}
	p := scanListPage(buf.Bytes())
	if p.truncated && p.next == "" {
		return p, fmt.Errorf("bench: list %s: truncated page without a continuation token", bucket)
	}
	return p, nil
}

// getInto sends a GET of bucket with query and reads the whole answer
// into buf (reset first); what names the call in errors.
func (c *client) getInto(ctx context.Context, bucket, query string, buf *bytes.Buffer, what string) error {
	resp, err := c.do(ctx, &request{method: http.MethodGet, bucket: bucket, query: query})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return fmt.Errorf("bench: %s %s: read body: %w", what, bucket, err)
	}
	return nil
}

// deleteObjects removes up to 1,000 objects or versions with one
// DeleteObjects request and returns how many the server reported as
// failed.
func (c *client) deleteObjects(ctx context.Context, bucket string, refs []objectRef) (int, error) {
	body := deleteObjectsXML(refs)
	sum := md5.Sum(body)
	resp, err := c.do(ctx, &request{method: http.MethodPost, bucket: bucket, query: "delete=", body: body,
		header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:]), "Content-Type": "application/xml"}})
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return 0, fmt.Errorf("bench: delete objects in %s: read body: %w", bucket, err)
	}
	return bytes.Count(b, []byte("<Error>")), nil
}

// createUpload starts a multipart upload and returns its id.
func (c *client) createUpload(ctx context.Context, bucket, key string) (string, error) {
	resp, err := c.do(ctx, &request{method: http.MethodPost, bucket: bucket, key: key, query: "uploads=",
		header: map[string]string{"Content-Type": "application/octet-stream"}})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("bench: create upload %s/%s: %w", bucket, key, err)
	}
	id := xmlElement(b, "UploadId")
	if id == "" {
		return "", fmt.Errorf("bench: create upload %s/%s: answer has no UploadId", bucket, key)
	}
	return id, nil
}

// uploadPart sends one part and returns its ETag as the server sent it.
func (c *client) uploadPart(ctx context.Context, bucket, key, uploadID string, number int, body []byte) (string, error) {
	q := canonicalQuery("partNumber", strconv.Itoa(number), "uploadId", uploadID)
	resp, err := c.do(ctx, &request{method: http.MethodPut, bucket: bucket, key: key, query: q, body: body})
	if err != nil {
		return "", err
	}
	discard(resp)
	etag := resp.Header.Get("ETag")
	if etag == "" {
		return "", fmt.Errorf("bench: upload part %d of %s/%s: answer has no ETag", number, bucket, key)
	}
	return etag, nil
}

// completeUpload assembles the parts, whose ETags are given in order.
func (c *client) completeUpload(ctx context.Context, bucket, key, uploadID string, etags []string) error {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload>`)
	for i, e := range etags {
		fmt.Fprintf(&sb, "<Part><PartNumber>%d</PartNumber><ETag>%s</ETag></Part>", i+1, xmlEscape(e))
	}
	sb.WriteString("</CompleteMultipartUpload>")
	resp, err := c.do(ctx, &request{method: http.MethodPost, bucket: bucket, key: key,
		query: canonicalQuery("uploadId", uploadID), body: []byte(sb.String()),
		header: map[string]string{"Content-Type": "application/xml"}})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	// An error can arrive inside a 200 answer once the server has started
	// sending it.
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return fmt.Errorf("bench: complete upload %s/%s: %w", bucket, key, err)
	}
	if bytes.Contains(b, []byte("<Error>")) {
		return &S3Error{Status: resp.StatusCode, Code: xmlElement(b, "Code"), Op: "complete upload " + bucket + "/" + key}
	}
	return nil
}

func (c *client) abortUpload(ctx context.Context, bucket, key, uploadID string) error {
	resp, err := c.do(ctx, &request{method: http.MethodDelete, bucket: bucket, key: key, query: canonicalQuery("uploadId", uploadID)})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// upload names one multipart upload in progress.
type upload struct{ key, id string }

// listUploads returns up to 1,000 uploads in progress under prefix.
func (c *client) listUploads(ctx context.Context, bucket, prefix string) ([]upload, error) {
	q := canonicalQuery("prefix", prefix, "uploads", "")
	resp, err := c.do(ctx, &request{method: http.MethodGet, bucket: bucket, query: q})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("bench: list uploads in %s: %w", bucket, err)
	}
	var out []upload
	for {
		var u []byte
		u, b = xmlNext(b, "Upload")
		if b == nil {
			return out, nil
		}
		out = append(out, upload{key: xmlElement(u, "Key"), id: xmlElement(u, "UploadId")})
	}
}
