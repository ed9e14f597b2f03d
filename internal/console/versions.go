package console

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// maxVersionsShown bounds the versions of one key the console lists.
const maxVersionsShown = 1000

// versionJSON is one version (or delete marker) of a key.
type versionJSON struct {
	VersionID    string    `json:"versionId"`
	Modified     time.Time `json:"modified"`
	Size         int64     `json:"size"`
	ETag         string    `json:"etag,omitempty"`
	Latest       bool      `json:"latest"`
	DeleteMarker bool      `json:"deleteMarker"`
}

// versionsXML is the part of a ListObjectVersions answer the console reads.
type versionsXML struct {
	IsTruncated         bool   `xml:"IsTruncated"`
	NextKeyMarker       string `xml:"NextKeyMarker"`
	NextVersionIDMarker string `xml:"NextVersionIdMarker"`
	EncodingType        string `xml:"EncodingType"`
	Entries             []struct {
		XMLName      xml.Name
		Key          string `xml:"Key"`
		VersionID    string `xml:"VersionId"`
		IsLatest     bool   `xml:"IsLatest"`
		LastModified string `xml:"LastModified"`
		ETag         string `xml:"ETag"`
		Size         int64  `xml:"Size"`
	} `xml:",any"`
}

// objectVersions answers every version and delete marker of one key,
// newest first (ListObjectVersions with the key as prefix, other keys
// left out), at most maxVersionsShown; truncated says there are more.
func (h *Handler) objectVersions(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	key, ok := objectKey(w, r)
	if !ok {
		return
	}
	out := struct {
		Versions  []versionJSON `json:"versions"`
		Truncated bool          `json:"truncated"`
	}{Versions: []versionJSON{}}
	q := url.Values{"versions": {""}, "prefix": {key}, "encoding-type": {"url"}, "max-keys": {"1000"}}
	for len(out.Versions) < maxVersionsShown {
		var doc versionsXML
		if err := h.doXML(r, sess, s3Call{Method: http.MethodGet, Bucket: bucket, Query: q}, &doc); err != nil {
			h.writeFailure(w, r, err)
			return
		}
		past := false
		for _, e := range doc.Entries {
			if e.XMLName.Local != "Version" && e.XMLName.Local != "DeleteMarker" {
				continue
			}
			k := decodeKey(e.Key, doc.EncodingType)
			if k != key {
				past = past || k > key
				continue
			}
			if len(out.Versions) == maxVersionsShown {
				out.Truncated = true
				break
			}
			mod, _ := time.Parse(time.RFC3339Nano, e.LastModified)
			out.Versions = append(out.Versions, versionJSON{VersionID: e.VersionID, Modified: mod, Size: e.Size,
				ETag: strings.Trim(e.ETag, `"`), Latest: e.IsLatest, DeleteMarker: e.XMLName.Local == "DeleteMarker"})
		}
		if past || out.Truncated || !doc.IsTruncated {
			break
		}
		q.Set("key-marker", decodeKey(doc.NextKeyMarker, doc.EncodingType))
		q.Set("version-id-marker", doc.NextVersionIDMarker)
	}
	writeJSON(w, http.StatusOK, out)
}

// restoreVersion makes an older version of a key its newest again, as S3
// users do: a server-side copy of that version onto the key, which adds a
// new version and keeps every other.
func (h *Handler) restoreVersion(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	var body struct {
		Key       string `json:"key"`
		VersionID string `json:"versionId"`
	}
	if err := readJSON(w, r, &body); err != nil || body.VersionID == "" {
		badRequest(w, "Send the key and the versionId to restore as JSON.")
		return
	}
	if !storage.ValidObjectName(body.Key) {
		badRequest(w, "The object name must be 1 to 1024 bytes of UTF-8.")
		return
	}
	src := (&url.URL{Path: "/" + bucket + "/" + body.Key}).EscapedPath() + "?versionId=" + url.QueryEscape(body.VersionID)
	rec, err := h.do(r, sess, s3Call{Method: http.MethodPut, Bucket: bucket, Key: body.Key,
		Header: http.Header{"X-Amz-Copy-Source": {src}}})
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	h.usage.invalidate()
	writeJSON(w, http.StatusOK, map[string]string{"versionId": rec.hdr.Get("X-Amz-Version-Id")})
}
