package console

import (
	"encoding/xml"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// maxBucketPages bounds the ListBuckets pages one listing reads.
const maxBucketPages = 100

// bucketJSON is one bucket in the list.
type bucketJSON struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// listAllBuckets runs ListBuckets, following continuation tokens.
func (h *Handler) listAllBuckets(r *http.Request, sess session) ([]bucketJSON, error) {
	out := []bucketJSON{}
	token := ""
	for range maxBucketPages {
		q := url.Values{"max-buckets": {"1000"}}
		if token != "" {
			q.Set("continuation-token", token)
		}
		var doc struct {
			Buckets []struct {
				Name         string `xml:"Name"`
				CreationDate string `xml:"CreationDate"`
			} `xml:"Buckets>Bucket"`
			ContinuationToken string `xml:"ContinuationToken"`
		}
		if err := h.doXML(r, sess, s3Call{Method: http.MethodGet, Query: q}, &doc); err != nil {
			return nil, err
		}
		for _, b := range doc.Buckets {
			t, _ := time.Parse(time.RFC3339, b.CreationDate)
			out = append(out, bucketJSON{Name: b.Name, Created: t})
		}
		if doc.ContinuationToken == "" || len(doc.Buckets) == 0 {
			break
		}
		token = doc.ContinuationToken
	}
	return out, nil
}

// listBuckets answers the buckets the session may list.
func (h *Handler) listBuckets(w http.ResponseWriter, r *http.Request, sess session) {
	buckets, err := h.listAllBuckets(r, sess)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"buckets": buckets})
}

// bucketUsage answers object counts and sizes of the buckets the session
// may list (the listing itself is the signed S3 call that authorises it).
func (h *Handler) bucketUsage(w http.ResponseWriter, r *http.Request, sess session) {
	buckets, err := h.listAllBuckets(r, sess)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	if h.cfg.Info == nil {
		writeError(w, http.StatusNotImplemented, "NoUsage", "This server does not report bucket usage.")
		return
	}
	info, err := h.usage.get(r.Context())
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	byName := map[string]storage.BucketUsage{}
	for _, u := range info.Buckets {
		byName[u.Name] = u
	}
	out := []storage.BucketUsage{}
	for _, b := range buckets {
		if u, ok := byName[b.Name]; ok {
			out = append(out, u)
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"buckets": out})
}

// bucketNameProblems explains, rule by rule, why name is not a valid new
// bucket name; it is empty for a valid one.
func bucketNameProblems(name string) []string {
	var p []string
	if len(name) < 3 || len(name) > 63 {
		p = append(p, "Use 3 to 63 characters.")
	}
	bad := false
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-') {
			bad = true
		}
	}
	if bad {
		p = append(p, "Use only lower-case letters, digits, dots (.) and hyphens (-).")
	}
	if name != "" && !isLetterOrDigit(name[0]) || len(name) > 1 && !isLetterOrDigit(name[len(name)-1]) {
		p = append(p, "Start and end with a letter or a digit.")
	}
	if strings.Contains(name, "..") || strings.Contains(name, ".-") || strings.Contains(name, "-.") {
		p = append(p, "Do not put two dots, or a dot and a hyphen, next to each other.")
	}
	if net.ParseIP(name) != nil {
		p = append(p, "Do not use the form of an IP address (like 192.168.5.4).")
	}
	for _, pre := range []string{"xn--", "sthree-", "amzn-s3-demo-"} {
		if strings.HasPrefix(name, pre) {
			p = append(p, "Do not start with \""+pre+"\" (reserved by S3).")
		}
	}
	for _, suf := range []string{"-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"} {
		if strings.HasSuffix(name, suf) {
			p = append(p, "Do not end with \""+suf+"\" (reserved by S3).")
		}
	}
	if name == "hoard" {
		p = append(p, "\"hoard\" is reserved for the server's own endpoints.")
	}
	if len(p) == 0 && !storage.ValidBucketName(name) {
		p = append(p, "Follow S3's bucket naming rules.")
	}
	return p
}

// isLetterOrDigit accepts upper case too: a capital is reported once, by
// the character rule.
func isLetterOrDigit(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// createBucket makes a bucket after checking its name.
func (h *Handler) createBucket(w http.ResponseWriter, r *http.Request, sess session) {
	var body struct {
		Name string `json:"name"`
	}
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the bucket name as JSON.")
		return
	}
	if p := bucketNameProblems(body.Name); len(p) > 0 {
		writeJSON(w, http.StatusBadRequest, map[string]any{
			"code": "InvalidBucketName", "message": "This bucket name cannot be used: " + strings.Join(p, " "), "problems": p,
		})
		return
	}
	if _, err := h.do(r, sess, s3Call{Method: http.MethodPut, Bucket: body.Name}); err != nil {
		h.writeFailure(w, r, err)
		return
	}
	h.usage.invalidate()
	writeJSON(w, http.StatusCreated, map[string]string{"name": body.Name})
}

// deleteBucket removes a bucket; with force=true it first deletes every
// object and aborts every multipart upload in it, each by its S3 call.
func (h *Handler) deleteBucket(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	if !storage.ValidBucketName(bucket) {
		writeError(w, http.StatusNotFound, "NoSuchBucket", friendly["NoSuchBucket"])
		return
	}
	if r.URL.Query().Get("force") == "true" {
		if err := h.emptyBucket(r, sess, bucket); err != nil {
			h.usage.invalidate()
			h.writeFailure(w, r, err)
			return
		}
	}
	_, err := h.do(r, sess, s3Call{Method: http.MethodDelete, Bucket: bucket})
	h.usage.invalidate()
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"deleted": bucket})
}

// maxEmptyRounds bounds the list-and-delete rounds of emptying a bucket
// (1,000 objects a round: a billion objects).
const maxEmptyRounds = 1_000_000

// emptyBucket deletes every object and aborts every upload in bucket.
func (h *Handler) emptyBucket(r *http.Request, sess session, bucket string) error {
	for range maxEmptyRounds {
		if err := r.Context().Err(); err != nil {
			return err
		}
		page, err := h.listPage(r, sess, bucket, listQuery{MaxKeys: 1000})
		if err != nil {
			return err
		}
		if len(page.Objects) == 0 {
			break
		}
		keys := make([]string, len(page.Objects))
		for i, o := range page.Objects {
			keys[i] = o.Key
		}
		results, err := h.deleteKeys(r, sess, bucket, keys)
		if err != nil {
			return err
		}
		if failed := failedDeletes(results); len(failed) == len(keys) {
			return &s3Error{Status: http.StatusConflict, Code: failed[0].Code, Message: "Could not delete " + failed[0].Key + ": " + failed[0].Message}
		}
	}
	return h.abortAllUploads(r, sess, bucket)
}

// abortAllUploads aborts the multipart uploads in progress in bucket.
func (h *Handler) abortAllUploads(r *http.Request, sess session, bucket string) error {
	for range maxEmptyRounds {
		var doc struct {
			Uploads []struct {
				Key      string `xml:"Key"`
				UploadID string `xml:"UploadId"`
			} `xml:"Upload"`
			EncodingType string `xml:"EncodingType"`
		}
		q := url.Values{"uploads": {""}, "max-uploads": {"1000"}, "encoding-type": {"url"}}
		if err := h.doXML(r, sess, s3Call{Method: http.MethodGet, Bucket: bucket, Query: q}, &doc); err != nil {
			return err
		}
		if len(doc.Uploads) == 0 {
			return nil
		}
		for _, u := range doc.Uploads {
			key := decodeKey(u.Key, doc.EncodingType)
			_, err := h.do(r, sess, s3Call{Method: http.MethodDelete, Bucket: bucket, Key: key, Query: url.Values{"uploadId": {u.UploadID}}})
			var se *s3Error
			if err != nil && !(errors.As(err, &se) && se.Code == "NoSuchUpload") {
				return err
			}
		}
	}
	return errors.New("console: too many multipart uploads to abort")
}

// deleteResultXML is S3's DeleteResult document.
type deleteResultXML struct {
	XMLName xml.Name `xml:"DeleteResult"`
	Deleted []struct {
		Key string `xml:"Key"`
	} `xml:"Deleted"`
	Errors []deleteFailure `xml:"Error"`
}
