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
	"time"
)

// A versioned run (Config.Versioning) works in a bucket with S3
// versioning enabled through the plain PutBucketVersioning call, so it
// measures any S3 server, may write several versions of each prepared
// key, lists versions with ListObjectVersions, and removes every version
// it wrote at the end.

// objectRef names one object, or one version of it when versionID is set.
type objectRef struct{ key, versionID string }

// putBucketVersioning turns versioning on for bucket.
func (c *client) putBucketVersioning(ctx context.Context, bucket string) error {
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>` +
		`<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Enabled</Status></VersioningConfiguration>`)
	sum := md5.Sum(body)
	resp, err := c.do(ctx, &request{method: http.MethodPut, bucket: bucket, query: "versioning=", body: body,
		header: map[string]string{"Content-MD5": base64.StdEncoding.EncodeToString(sum[:]), "Content-Type": "application/xml"}})
	if err != nil {
		return err
	}
	discard(resp)
	return nil
}

// bucketVersioning returns the Status of bucket's versioning: "Enabled",
// "Suspended", or "" for a bucket never versioned.
func (c *client) bucketVersioning(ctx context.Context, bucket string) (string, error) {
	resp, err := c.do(ctx, &request{method: http.MethodGet, bucket: bucket, query: "versioning="})
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", fmt.Errorf("bench: get versioning of %s: read body: %w", bucket, err)
	}
	return xmlElement(b, "Status"), nil
}

// versionsPage is what a ListObjectVersions page tells the generator.
type versionsPage struct {
	versions      int // <Version> and <DeleteMarker> entries
	nextKey       string
	nextVersionID string
	truncated     bool
}

// scanVersionsPage reads a ListVersionsResult document.
func scanVersionsPage(b []byte) versionsPage {
	return versionsPage{
		versions:      bytes.Count(b, []byte("<Version>")) + bytes.Count(b, []byte("<DeleteMarker>")),
		nextKey:       xmlElement(b, "NextKeyMarker"),
		nextVersionID: xmlElement(b, "NextVersionIdMarker"),
		truncated:     xmlElement(b, "IsTruncated") == "true",
	}
}

// scanVersionRefs appends the key and version ID of every <Version> and
// <DeleteMarker> entry of a ListVersionsResult document.
func scanVersionRefs(dst []objectRef, b []byte) []objectRef {
	for _, name := range []string{"Version", "DeleteMarker"} {
		rest := b
		for {
			var e []byte
			e, rest = xmlNext(rest, name)
			if rest == nil {
				break
			}
			dst = append(dst, objectRef{key: xmlElement(e, "Key"), versionID: xmlElement(e, "VersionId")})
		}
	}
	return dst
}

// listObjectVersions fetches one ListObjectVersions page into buf,
// starting after keyMarker and versionMarker when set.
func (c *client) listObjectVersions(ctx context.Context, bucket, prefix, keyMarker, versionMarker string, maxKeys int, buf *bytes.Buffer) (versionsPage, error) {
	q := []string{"versions", "", "max-keys", strconv.Itoa(maxKeys), "prefix", prefix}
	if keyMarker != "" {
		q = append(q, "key-marker", keyMarker)
		if versionMarker != "" {
			q = append(q, "version-id-marker", versionMarker)
		}
	}
	if err := c.getInto(ctx, bucket, canonicalQuery(q...), buf, "list versions"); err != nil {
		return versionsPage{}, err
	}
	p := scanVersionsPage(buf.Bytes())
	if p.truncated && p.nextKey == "" {
		return p, fmt.Errorf("bench: list versions %s: truncated page without a NextKeyMarker", bucket)
	}
	return p, nil
}

// deleteObjectsXML is the body of a quiet DeleteObjects request for refs.
func deleteObjectsXML(refs []objectRef) []byte {
	var sb strings.Builder
	sb.WriteString(`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet>`)
	for _, o := range refs {
		sb.WriteString("<Object><Key>")
		sb.WriteString(xmlEscape(o.key))
		sb.WriteString("</Key>")
		if o.versionID != "" {
			sb.WriteString("<VersionId>")
			sb.WriteString(xmlEscape(o.versionID))
			sb.WriteString("</VersionId>")
		}
		sb.WriteString("</Object>")
	}
	sb.WriteString("</Delete>")
	return []byte(sb.String())
}

// listVersions reads one ListObjectVersions page; a listing goes from
// ListStart to the end (or for ListPages pages) and then starts over.
func (w *worker) listVersions(ctx context.Context, ph *phase) {
	cfg := &w.r.cfg
	keyMarker, versionMarker := w.listToken, w.listVersion
	if keyMarker == "" && w.r.listAt > 0 {
		keyMarker = w.r.lay.preparedKey(w.r.listAt - 1)
	}
	start := time.Now()
	p, err := w.r.c.listObjectVersions(ctx, w.r.bucket, w.r.lay.prefix+"/", keyMarker, versionMarker, cfg.ListMaxKeys, &w.listBuf)
	w.record(ph, opListVersions, start, 0, int64(p.versions), err)
	if err != nil {
		w.listToken, w.listVersion, w.listPages, w.listKeys = "", "", 0, 0
		return
	}
	w.listPages++
	w.listKeys += int64(p.versions)
	if p.truncated && (cfg.ListPages == 0 || w.listPages < cfg.ListPages) {
		w.listToken, w.listVersion = p.nextKey, p.nextVersionID
		return
	}
	if want := int64(cfg.Objects-w.r.listAt) * int64(cfg.VersionsPerKey); cfg.Verify && !p.truncated && w.listKeys != want {
		err := fmt.Errorf("bench: a version listing of %s/ returned %d versions, want %d", w.r.lay.prefix, w.listKeys, want)
		w.rec.fail(opListVersions, err)
		ph.failed(err)
	}
	w.listToken, w.listVersion, w.listPages, w.listKeys = "", "", 0, 0
}

// removeVersions deletes every version and delete marker under the run's
// prefix, a ListObjectVersions page at a time, with up to 8 batch
// deletes in flight.
func (r *runner) removeVersions(ctx context.Context) (int64, error) {
	keyMarker, versionMarker := "", ""
	return r.removePages(ctx, "versions", func(buf *bytes.Buffer) ([]objectRef, bool, error) {
		p, err := r.c.listObjectVersions(ctx, r.bucket, r.lay.prefix+"/", keyMarker, versionMarker, 1000, buf)
		if err != nil {
			return nil, false, err
		}
		keyMarker, versionMarker = p.nextKey, p.nextVersionID
		return scanVersionRefs(nil, buf.Bytes()), p.truncated, nil
	})
}

// setupVersioning turns versioning on for a bucket the run created, or
// checks that a bucket it did not create is versioned already: the bench
// never changes the versioning of a bucket it does not own, since a
// versioned bucket cannot go back.
func (r *runner) setupVersioning(ctx context.Context, created bool) error {
	if created {
		if err := r.c.putBucketVersioning(ctx, r.bucket); err != nil {
			return fmt.Errorf("bench: enable versioning on %s: %w", r.bucket, err)
		}
		return nil
	}
	st, err := r.c.bucketVersioning(ctx, r.bucket)
	if err != nil {
		return fmt.Errorf("bench: versioning of %s: %w", r.bucket, err)
	}
	if st != "Enabled" {
		return fmt.Errorf("bench: bucket %s is not versioned (status %q); enable versioning on it or let the run create its bucket", r.bucket, st)
	}
	return nil
}
