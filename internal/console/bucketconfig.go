package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"

	"github.com/hoardstore/hoard/internal/policy"
)

// The bucket policy and CORS editors read and write the documents
// through the S3 API (GetBucketPolicy, PutBucketPolicy, ...), signed with
// the session's keys: S3 validates them with the server's own parsers
// and refuses what the caller may not do.

// maxCORSDocument bounds a CORS configuration sent from the editor (S3
// allows at most 100 rules; this is far above what they need).
const maxCORSDocument = 64 << 10

// bucketDocument is the JSON the editors exchange: the document as text,
// "" when the bucket has none.
type bucketDocument struct {
	Document string `json:"document"`
}

// documentError is an S3 refusal of a document, with the line and column
// of a JSON syntax error when S3's message names them.
type documentError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
}

// positionText finds the "line N, column M" that the policy parser puts
// in the messages of syntax errors.
var positionText = regexp.MustCompile(`line (\d+), column (\d+)`)

// bucketSub is the subresource of each editor's document.
var bucketSub = map[string]string{"policy": "policy", "cors": "cors"}

// getBucketDocument answers the bucket's policy or CORS configuration.
func (h *Handler) getBucketDocument(w http.ResponseWriter, r *http.Request, sess session) {
	sub, ok := bucketSub[r.PathValue("doc")]
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "There is no such console API endpoint.")
		return
	}
	rec, err := h.do(r, sess, s3Call{Method: http.MethodGet, Bucket: r.PathValue("bucket"), Query: url.Values{sub: {""}}})
	var se *s3Error
	if errors.As(err, &se) && (se.Code == "NoSuchBucketPolicy" || se.Code == "NoSuchCORSConfiguration") {
		writeJSON(w, http.StatusOK, bucketDocument{})
		return
	}
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bucketDocument{Document: rec.buf.String()})
}

// putBucketDocument stores the bucket's policy or CORS configuration; an
// empty document removes it.
func (h *Handler) putBucketDocument(w http.ResponseWriter, r *http.Request, sess session) {
	sub, ok := bucketSub[r.PathValue("doc")]
	if !ok {
		writeError(w, http.StatusNotFound, "NotFound", "There is no such console API endpoint.")
		return
	}
	var body bucketDocument
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the document as JSON: {\"document\": \"...\"}.")
		return
	}
	limit := maxCORSDocument
	if sub == "policy" {
		limit = policy.MaxSize
	}
	if len(body.Document) > limit {
		writeJSON(w, http.StatusBadRequest, documentError{Code: "EntityTooLarge",
			Message: fmt.Sprintf("The document is %d bytes; at most %d are allowed.", len(body.Document), limit)})
		return
	}
	call := s3Call{Method: http.MethodDelete, Bucket: r.PathValue("bucket"), Query: url.Values{sub: {""}}}
	if body.Document != "" {
		data := []byte(body.Document)
		call.Method, call.Body, call.Size = http.MethodPut, bytes.NewReader(data), int64(len(data))
		call.Header = http.Header{"Content-Md5": {contentMD5(data)}}
		if sub == "cors" {
			call.Header.Set("Content-Type", "application/xml")
		} else {
			call.Header.Set("Content-Type", "application/json")
		}
	}
	if _, err := h.do(r, sess, call); err != nil {
		h.writeDocumentFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// writeDocumentFailure answers S3's refusal of a document with its own
// message (which says what is wrong) and the error's position when known.
func (h *Handler) writeDocumentFailure(w http.ResponseWriter, r *http.Request, err error) {
	var se *s3Error
	if !errors.As(err, &se) || se.Status != http.StatusBadRequest || se.Message == "" {
		h.writeFailure(w, r, err)
		return
	}
	e := documentError{Code: se.Code, Message: se.Message}
	if m := positionText.FindStringSubmatch(se.Message); m != nil {
		e.Line, _ = strconv.Atoi(m[1])
		e.Column, _ = strconv.Atoi(m[2])
	}
	writeJSON(w, http.StatusBadRequest, e)
}

// publicReadSid names the statement "make public" adds.
const publicReadSid = "HoardConsolePublicRead"

// makePublic adds to the bucket's policy (creating one if needed) a
// statement that lets anyone read every object: s3:GetObject for
// Principal "*". It keeps the policy's other statements, and replaces an
// earlier statement of its own. S3 validates the result and refuses it
// when the caller may not change the bucket's policy.
func (h *Handler) makePublic(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	rec, err := h.do(r, sess, s3Call{Method: http.MethodGet, Bucket: bucket, Query: url.Values{"policy": {""}}})
	var se *s3Error
	var old []byte
	switch {
	case errors.As(err, &se) && se.Code == "NoSuchBucketPolicy":
	case err != nil:
		h.writeFailure(w, r, err)
		return
	default:
		old = rec.buf.Bytes()
	}
	doc, err := withPublicRead(old, bucket)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	call := s3Call{Method: http.MethodPut, Bucket: bucket, Query: url.Values{"policy": {""}},
		Body: bytes.NewReader(doc), Size: int64(len(doc)),
		Header: http.Header{"Content-Type": {"application/json"}, "Content-Md5": {contentMD5(doc)}}}
	if _, err := h.do(r, sess, call); err != nil {
		h.writeDocumentFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, bucketDocument{Document: string(doc)})
}

// withPublicRead returns the policy doc (nil: none) with the public read
// statement added or replaced.
func withPublicRead(doc []byte, bucket string) ([]byte, error) {
	stmt := map[string]any{
		"Sid": publicReadSid, "Effect": "Allow", "Principal": map[string]any{"AWS": []string{"*"}},
		"Action": []string{"s3:GetObject"}, "Resource": []string{"arn:aws:s3:::" + bucket + "/*"},
	}
	p := map[string]any{"Version": "2012-10-17"}
	var stmts []any
	if len(doc) > 0 {
		dec := json.NewDecoder(bytes.NewReader(doc))
		dec.UseNumber()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("console: reading the bucket policy: %w", err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, errors.New("console: the bucket policy holds more than one JSON value")
		}
		switch s := p["Statement"].(type) {
		case []any:
			stmts = s
		case map[string]any:
			stmts = []any{s}
		}
	}
	kept := []any{}
	for _, s := range stmts {
		if m, ok := s.(map[string]any); ok && m["Sid"] == publicReadSid {
			continue
		}
		kept = append(kept, s)
	}
	p["Statement"] = append(kept, stmt)
	return json.MarshalIndent(p, "", "  ")
}
