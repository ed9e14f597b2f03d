package console

import (
	"bytes"
	"crypto/md5"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// maxShareExpiry is the longest a SigV4 presigned URL may live.
const maxShareExpiry = 7 * 24 * time.Hour

func contentMD5(b []byte) string {
	sum := md5.Sum(b)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// checksumJSON is one additional checksum of an object.
type checksumJSON struct {
	Algorithm string `json:"algorithm"`
	Type      string `json:"type,omitempty"`
	Value     string `json:"value"`
}

// detailsJSON describes one object.
type detailsJSON struct {
	Key          string            `json:"key"`
	Size         int64             `json:"size"`
	Modified     time.Time         `json:"modified"`
	ETag         string            `json:"etag"`
	ContentType  string            `json:"contentType"`
	StorageClass string            `json:"storageClass"`
	VersionID    string            `json:"versionId,omitempty"`
	Parts        int               `json:"parts,omitempty"`
	Headers      map[string]string `json:"headers"`
	Metadata     map[string]string `json:"metadata"`
	Checksums    []checksumJSON    `json:"checksums"`
	Tags         map[string]string `json:"tags"`
	// Lock is the version's object lock state, nil when it has none.
	Lock *lockJSON `json:"lock,omitempty"`
}

// lockJSON is a version's object lock state: its retention (Mode and
// RetainUntil, both empty without one) and legal hold ("ON", "OFF" or
// empty when never set).
type lockJSON struct {
	Mode        string `json:"mode,omitempty"`
	RetainUntil string `json:"retainUntil,omitempty"`
	LegalHold   string `json:"legalHold,omitempty"`
}

// lockOf reads the object lock headers of a HEAD answer.
func lockOf(hdr http.Header) *lockJSON {
	l := lockJSON{Mode: hdr.Get("X-Amz-Object-Lock-Mode"), RetainUntil: hdr.Get("X-Amz-Object-Lock-Retain-Until-Date"),
		LegalHold: hdr.Get("X-Amz-Object-Lock-Legal-Hold")}
	if l == (lockJSON{}) {
		return nil
	}
	return &l
}

// storedHeaders are the standard headers S3 stores with an object.
var storedHeaders = []string{"Cache-Control", "Content-Disposition", "Content-Encoding", "Content-Language", "Expires"}

// objectDetails answers an object's metadata, checksums, tags and object
// lock state, from a HEAD (with checksum mode on) and a GetObjectTagging;
// versionId names a version other than the current one.
func (h *Handler) objectDetails(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	key, ok := objectKey(w, r)
	if !ok {
		return
	}
	var q url.Values
	if v := r.URL.Query().Get("versionId"); v != "" {
		q = url.Values{"versionId": {v}}
	}
	rec, err := h.do(r, sess, s3Call{Method: http.MethodHead, Bucket: bucket, Key: key, Query: q,
		Header: http.Header{"X-Amz-Checksum-Mode": {"ENABLED"}}})
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	hdr := rec.hdr
	d := detailsJSON{
		Key: key, ETag: strings.Trim(hdr.Get("ETag"), `"`), ContentType: hdr.Get("Content-Type"),
		StorageClass: hdr.Get("X-Amz-Storage-Class"), VersionID: hdr.Get("X-Amz-Version-Id"),
		Headers: map[string]string{}, Metadata: map[string]string{}, Checksums: []checksumJSON{}, Tags: map[string]string{},
		Lock: lockOf(hdr),
	}
	if d.StorageClass == "" {
		d.StorageClass = "STANDARD"
	}
	d.Size, _ = strconv.ParseInt(hdr.Get("Content-Length"), 10, 64)
	d.Modified, _ = http.ParseTime(hdr.Get("Last-Modified"))
	d.Parts, _ = strconv.Atoi(hdr.Get("X-Amz-Mp-Parts-Count"))
	for _, name := range storedHeaders {
		if v := hdr.Get(name); v != "" {
			d.Headers[name] = v
		}
	}
	for name, v := range hdr {
		lname := strings.ToLower(name)
		switch {
		case strings.HasPrefix(lname, "x-amz-meta-"):
			d.Metadata[strings.TrimPrefix(lname, "x-amz-meta-")] = metaText(strings.Join(v, ", "))
		case strings.HasPrefix(lname, "x-amz-checksum-") && lname != "x-amz-checksum-type" && lname != "x-amz-checksum-mode":
			d.Checksums = append(d.Checksums, checksumJSON{
				Algorithm: strings.ToUpper(strings.TrimPrefix(lname, "x-amz-checksum-")),
				Type:      hdr.Get("X-Amz-Checksum-Type"), Value: v[0],
			})
		}
	}
	sort.Slice(d.Checksums, func(i, j int) bool { return d.Checksums[i].Algorithm < d.Checksums[j].Algorithm })
	if hdr.Get("X-Amz-Tagging-Count") != "" {
		if d.Tags, err = h.getTags(r, sess, bucket, key, q); err != nil {
			h.writeFailure(w, r, err)
			return
		}
	}
	writeJSON(w, http.StatusOK, d)
}

// taggingXML is S3's Tagging document.
type taggingXML struct {
	XMLName xml.Name `xml:"Tagging"`
	Tags    []tagXML `xml:"TagSet>Tag"`
}

type tagXML struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

func (h *Handler) getTags(r *http.Request, sess session, bucket, key string, version url.Values) (map[string]string, error) {
	q := url.Values{"tagging": {""}}
	if v := version.Get("versionId"); v != "" {
		q.Set("versionId", v)
	}
	var doc taggingXML
	if err := h.doXML(r, sess, s3Call{Method: http.MethodGet, Bucket: bucket, Key: key, Query: q}, &doc); err != nil {
		return nil, err
	}
	tags := map[string]string{}
	for _, t := range doc.Tags {
		tags[t.Key] = t.Value
	}
	return tags, nil
}

// putTags replaces an object's tags (an empty set removes them).
func (h *Handler) putTags(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	key, ok := objectKey(w, r)
	if !ok {
		return
	}
	var body struct {
		Tags map[string]string `json:"tags"`
	}
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the tags as a JSON object.")
		return
	}
	call := s3Call{Bucket: bucket, Key: key, Query: url.Values{"tagging": {""}}}
	if len(body.Tags) == 0 {
		call.Method = http.MethodDelete
	} else {
		doc := taggingXML{}
		for k, v := range body.Tags {
			doc.Tags = append(doc.Tags, tagXML{Key: k, Value: v})
		}
		sort.Slice(doc.Tags, func(i, j int) bool { return doc.Tags[i].Key < doc.Tags[j].Key })
		data, err := xml.Marshal(doc)
		if err != nil {
			h.writeFailure(w, r, err)
			return
		}
		call.Method, call.Body, call.Size = http.MethodPut, bytes.NewReader(data), int64(len(data))
		call.Header = http.Header{"Content-Type": {"application/xml"}, "Content-Md5": {contentMD5(data)}}
	}
	if _, err := h.do(r, sess, call); err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tags": body.Tags})
}

// s3Base returns the base URL of the S3 endpoint as the browser that sent
// r can reach it.
func (h *Handler) s3Base(r *http.Request) (string, error) {
	if h.cfg.S3URL != "" {
		return strings.TrimRight(h.cfg.S3URL, "/"), nil
	}
	addr := ""
	if h.cfg.S3Address != nil {
		addr = h.cfg.S3Address()
	}
	if addr == "" {
		return "", errors.New("console: share links need the S3 address, and none is known")
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("console: S3 address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = r.Host
		if hh, _, err := net.SplitHostPort(r.Host); err == nil {
			host = hh
		}
		host = strings.Trim(host, "[]")
	}
	scheme := "http"
	if h.secure(r) {
		scheme = "https"
	}
	return scheme + "://" + net.JoinHostPort(host, port), nil
}

// shareObject answers a presigned GET URL for an object, after checking
// with a HEAD that the session may read it.
func (h *Handler) shareObject(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	var body struct {
		Key            string `json:"key"`
		ExpiresSeconds int64  `json:"expiresSeconds"`
	}
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the key and expiry as JSON.")
		return
	}
	if !storage.ValidObjectName(body.Key) {
		badRequest(w, "The object name must be 1 to 1024 bytes of UTF-8.")
		return
	}
	expires := time.Duration(body.ExpiresSeconds) * time.Second
	if body.ExpiresSeconds < 1 || expires > maxShareExpiry {
		badRequest(w, "A share link can last from one second to seven days.")
		return
	}
	if _, err := h.do(r, sess, s3Call{Method: http.MethodHead, Bucket: bucket, Key: body.Key}); err != nil {
		h.writeFailure(w, r, err)
		return
	}
	base, err := h.s3Base(r)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	u, err := url.Parse(base)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	u.Path = strings.TrimRight(u.Path, "/") + "/" + bucket + "/" + body.Key
	u.RawPath = ""
	now := h.cfg.Now()
	link, err := sigv4.Presign(http.MethodGet, u.String(), sess.cred, h.cfg.Region, expires, now)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"url": link, "expires": now.Add(expires).UTC()})
}

// metaText is the text of a user metadata value as S3 answers it: a
// value beyond US-ASCII comes RFC 2047 encoded ("=?UTF-8?B?...?=").
func metaText(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	var d mime.WordDecoder
	if text, err := d.DecodeHeader(v); err == nil {
		return text
	}
	return v
}
