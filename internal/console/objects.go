package console

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// Page sizes of object listings.
const (
	defaultPageSize = 200
	maxPageSize     = 1000
	// maxDeleteKeys is S3's limit on one DeleteObjects call.
	maxDeleteKeys = 1000
)

// listQuery selects a page of a listing.
type listQuery struct {
	Prefix    string
	Delimiter string
	Token     string
	MaxKeys   int
}

// objectJSON is one object in a listing.
type objectJSON struct {
	Key          string    `json:"key"`
	Size         int64     `json:"size"`
	Modified     time.Time `json:"modified"`
	ETag         string    `json:"etag"`
	StorageClass string    `json:"storageClass,omitempty"`
}

// listPageJSON is a page of a listing.
type listPageJSON struct {
	Prefix    string       `json:"prefix"`
	Folders   []string     `json:"folders"`
	Objects   []objectJSON `json:"objects"`
	NextToken string       `json:"nextToken,omitempty"`
	Truncated bool         `json:"truncated"`
}

// decodeKey undoes encoding-type=url.
func decodeKey(s, encoding string) string {
	if encoding != "url" {
		return s
	}
	if d, err := url.QueryUnescape(s); err == nil {
		return d
	}
	return s
}

// listPage runs one ListObjectsV2 call.
func (h *Handler) listPage(r *http.Request, sess session, bucket string, lq listQuery) (listPageJSON, error) {
	q := url.Values{"list-type": {"2"}, "encoding-type": {"url"}, "max-keys": {strconv.Itoa(lq.MaxKeys)}}
	if lq.Prefix != "" {
		q.Set("prefix", lq.Prefix)
	}
	if lq.Delimiter != "" {
		q.Set("delimiter", lq.Delimiter)
	}
	if lq.Token != "" {
		q.Set("continuation-token", lq.Token)
	}
	var doc struct {
		EncodingType string `xml:"EncodingType"`
		IsTruncated  bool   `xml:"IsTruncated"`
		NextToken    string `xml:"NextContinuationToken"`
		Contents     []struct {
			Key          string `xml:"Key"`
			Size         int64  `xml:"Size"`
			LastModified string `xml:"LastModified"`
			ETag         string `xml:"ETag"`
			StorageClass string `xml:"StorageClass"`
		} `xml:"Contents"`
		CommonPrefixes []struct {
			Prefix string `xml:"Prefix"`
		} `xml:"CommonPrefixes"`
	}
	if err := h.doXML(r, sess, s3Call{Method: http.MethodGet, Bucket: bucket, Query: q}, &doc); err != nil {
		return listPageJSON{}, err
	}
	page := listPageJSON{Prefix: lq.Prefix, Folders: []string{}, Objects: []objectJSON{}, Truncated: doc.IsTruncated, NextToken: doc.NextToken}
	for _, p := range doc.CommonPrefixes {
		page.Folders = append(page.Folders, decodeKey(p.Prefix, doc.EncodingType))
	}
	for _, c := range doc.Contents {
		t, _ := time.Parse(time.RFC3339, c.LastModified)
		page.Objects = append(page.Objects, objectJSON{
			Key: decodeKey(c.Key, doc.EncodingType), Size: c.Size, Modified: t,
			ETag: strings.Trim(c.ETag, `"`), StorageClass: c.StorageClass,
		})
	}
	return page, nil
}

// listObjects answers a page of a bucket, folded into folders at "/"
// unless flat=true.
func (h *Handler) listObjects(w http.ResponseWriter, r *http.Request, sess session) {
	q := r.URL.Query()
	lq := listQuery{Prefix: q.Get("prefix"), Delimiter: "/", Token: q.Get("token"), MaxKeys: defaultPageSize}
	if q.Get("flat") == "true" {
		lq.Delimiter = ""
	}
	if s := q.Get("max"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxPageSize {
			badRequest(w, "The page size must be between 1 and 1000.")
			return
		}
		lq.MaxKeys = n
	}
	page, err := h.listPage(r, sess, r.PathValue("bucket"), lq)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// objectKey returns the key query parameter, or answers 400.
func objectKey(w http.ResponseWriter, r *http.Request) (string, bool) {
	key := r.URL.Query().Get("key")
	if !storage.ValidObjectName(key) {
		badRequest(w, "The object name must be 1 to 1024 bytes of UTF-8.")
		return "", false
	}
	return key, true
}

// deleteFailure is one key a DeleteObjects call could not delete.
type deleteFailure struct {
	Key     string `xml:"Key" json:"key"`
	Code    string `xml:"Code" json:"code"`
	Message string `xml:"Message" json:"message"`
}

func failedDeletes(r deleteResultXML) []deleteFailure { return r.Errors }

// deleteKeys deletes up to 1,000 keys with one DeleteObjects call.
func (h *Handler) deleteKeys(r *http.Request, sess session, bucket string, keys []string) (deleteResultXML, error) {
	type object struct {
		Key string `xml:"Key"`
	}
	doc := struct {
		XMLName xml.Name `xml:"Delete"`
		Quiet   bool     `xml:"Quiet"`
		Objects []object `xml:"Object"`
	}{Quiet: true}
	for _, k := range keys {
		doc.Objects = append(doc.Objects, object{Key: k})
	}
	body, err := xml.Marshal(doc)
	if err != nil {
		return deleteResultXML{}, err
	}
	var res deleteResultXML
	err = h.doXML(r, sess, s3Call{
		Method: http.MethodPost, Bucket: bucket, Query: url.Values{"delete": {""}},
		Header: http.Header{"Content-Type": {"application/xml"}, "Content-Md5": {contentMD5(body)}},
		Body:   bytes.NewReader(body), Size: int64(len(body)),
	}, &res)
	return res, err
}

// deleteObjects deletes the chosen keys, and every object under the
// chosen folder prefixes.
func (h *Handler) deleteObjects(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	var body struct {
		Keys     []string `json:"keys"`
		Prefixes []string `json:"prefixes"`
	}
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the keys to delete as JSON.")
		return
	}
	if len(body.Keys) > maxDeleteKeys || len(body.Prefixes) > maxDeleteKeys {
		badRequest(w, "Delete at most 1,000 objects and 1,000 folders at once.")
		return
	}
	deleted, failures := 0, []deleteFailure{}
	run := func(keys []string) error {
		if len(keys) == 0 {
			return nil
		}
		res, err := h.deleteKeys(r, sess, bucket, keys)
		if err != nil {
			return err
		}
		deleted += len(keys) - len(res.Errors)
		failures = append(failures, res.Errors...)
		return nil
	}
	if err := run(body.Keys); err != nil {
		h.usage.invalidate()
		h.writeFailure(w, r, err)
		return
	}
	for _, p := range body.Prefixes {
		if err := h.deletePrefix(r, sess, bucket, p, run); err != nil {
			h.usage.invalidate()
			h.writeFailure(w, r, err)
			return
		}
	}
	h.usage.invalidate()
	writeJSON(w, http.StatusOK, map[string]any{"deleted": deleted, "errors": failures})
}

// deletePrefix deletes every object whose key starts with prefix.
func (h *Handler) deletePrefix(r *http.Request, sess session, bucket, prefix string, run func([]string) error) error {
	if prefix == "" {
		return &s3Error{Status: http.StatusBadRequest, Code: "BadRequest", Message: "Refusing to delete a whole bucket as a folder."}
	}
	token := ""
	for range maxEmptyRounds {
		page, err := h.listPage(r, sess, bucket, listQuery{Prefix: prefix, Token: token, MaxKeys: maxDeleteKeys})
		if err != nil {
			return err
		}
		keys := make([]string, len(page.Objects))
		for i, o := range page.Objects {
			keys[i] = o.Key
		}
		if err := run(keys); err != nil {
			return err
		}
		if !page.Truncated {
			return nil
		}
		token = page.NextToken
	}
	return nil
}
