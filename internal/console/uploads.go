package console

import (
	"bytes"
	"encoding/xml"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

// uploadChecksum is the additional checksum the console asks S3 to compute
// and store for every upload, so clients can verify downloads later: a
// full-object CRC64NVME, which S3 also combines across multipart parts.
const uploadChecksum = "CRC64NVME"

// uploadType returns a clean Content-Type for a stored object.
func uploadType(v string) string {
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt == "" {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}

// bodyLength returns the request's exact body length, or answers 411/413.
func bodyLength(w http.ResponseWriter, r *http.Request) (int64, bool) {
	if r.ContentLength < 0 {
		writeError(w, http.StatusLengthRequired, "MissingContentLength", "The upload must state its length.")
		return 0, false
	}
	if r.ContentLength > storage.MaxPutSize {
		writeError(w, http.StatusRequestEntityTooLarge, "EntityTooLarge", "One request carries at most 5 GiB; larger files go in parts.")
		return 0, false
	}
	return r.ContentLength, true
}

// putObject streams the request body into a PutObject.
func (h *Handler) putObject(w http.ResponseWriter, r *http.Request, sess session) {
	key, ok := objectKey(w, r)
	if !ok {
		return
	}
	size, ok := bodyLength(w, r)
	if !ok {
		return
	}
	rec, err := h.do(r, sess, s3Call{
		Method: http.MethodPut, Bucket: r.PathValue("bucket"), Key: key,
		Header: http.Header{"Content-Type": {uploadType(r.Header.Get("Content-Type"))}, "X-Amz-Checksum-Algorithm": {uploadChecksum}},
		Body:   r.Body, Size: size,
	})
	h.usage.invalidate()
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"key": key, "etag": strings.Trim(rec.hdr.Get("ETag"), `"`)})
}

// createUpload starts a multipart upload.
func (h *Handler) createUpload(w http.ResponseWriter, r *http.Request, sess session) {
	var body struct {
		Key         string `json:"key"`
		ContentType string `json:"contentType"`
	}
	if err := readJSON(w, r, &body); err != nil {
		badRequest(w, "Send the key and content type as JSON.")
		return
	}
	if !storage.ValidObjectName(body.Key) {
		badRequest(w, "The object name must be 1 to 1024 bytes of UTF-8.")
		return
	}
	var doc struct {
		UploadID string `xml:"UploadId"`
	}
	err := h.doXML(r, sess, s3Call{
		Method: http.MethodPost, Bucket: r.PathValue("bucket"), Key: body.Key, Query: url.Values{"uploads": {""}},
		Header: http.Header{"Content-Type": {uploadType(body.ContentType)}, "X-Amz-Checksum-Algorithm": {uploadChecksum}},
	}, &doc)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"uploadId": doc.UploadID})
}

// uploadQuery returns the key and upload ID query parameters, or answers 400.
func uploadQuery(w http.ResponseWriter, r *http.Request) (key, uploadID string, ok bool) {
	if key, ok = objectKey(w, r); !ok {
		return "", "", false
	}
	uploadID = r.URL.Query().Get("uploadId")
	if uploadID == "" {
		badRequest(w, "The upload ID is missing.")
		return "", "", false
	}
	return key, uploadID, true
}

// uploadPart streams the request body into an UploadPart.
func (h *Handler) uploadPart(w http.ResponseWriter, r *http.Request, sess session) {
	key, uploadID, ok := uploadQuery(w, r)
	if !ok {
		return
	}
	part, err := strconv.Atoi(r.URL.Query().Get("partNumber"))
	if err != nil || part < 1 || part > storage.MaxParts {
		badRequest(w, "The part number must be between 1 and 10000.")
		return
	}
	size, ok := bodyLength(w, r)
	if !ok {
		return
	}
	rec, err := h.do(r, sess, s3Call{
		Method: http.MethodPut, Bucket: r.PathValue("bucket"), Key: key,
		Query: url.Values{"uploadId": {uploadID}, "partNumber": {strconv.Itoa(part)}},
		Body:  r.Body, Size: size,
	})
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"partNumber": part, "etag": rec.hdr.Get("ETag")})
}

// completeUpload assembles the uploaded parts into the object.
func (h *Handler) completeUpload(w http.ResponseWriter, r *http.Request, sess session) {
	key, uploadID, ok := uploadQuery(w, r)
	if !ok {
		return
	}
	var body struct {
		Parts []struct {
			PartNumber int    `json:"partNumber" xml:"PartNumber"`
			ETag       string `json:"etag" xml:"ETag"`
		} `json:"parts"`
	}
	if err := readJSON(w, r, &body); err != nil || len(body.Parts) == 0 || len(body.Parts) > storage.MaxParts {
		badRequest(w, "Send the uploaded parts as JSON.")
		return
	}
	doc := struct {
		XMLName xml.Name `xml:"CompleteMultipartUpload"`
		Parts   any      `xml:"Part"`
	}{Parts: body.Parts}
	data, err := xml.Marshal(doc)
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	var res struct {
		XMLName xml.Name
		ETag    string `xml:"ETag"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	err = h.doXML(r, sess, s3Call{
		Method: http.MethodPost, Bucket: r.PathValue("bucket"), Key: key, Query: url.Values{"uploadId": {uploadID}},
		Header: http.Header{"Content-Type": {"application/xml"}}, Body: bytes.NewReader(data), Size: int64(len(data)),
	}, &res)
	if err == nil && res.XMLName.Local == "Error" {
		err = &s3Error{Status: http.StatusInternalServerError, Code: res.Code, Message: res.Message}
	}
	h.usage.invalidate()
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"key": key, "etag": strings.Trim(res.ETag, `"`)})
}

// abortUpload cancels a multipart upload and frees its parts.
func (h *Handler) abortUpload(w http.ResponseWriter, r *http.Request, sess session) {
	key, uploadID, ok := uploadQuery(w, r)
	if !ok {
		return
	}
	_, err := h.do(r, sess, s3Call{Method: http.MethodDelete, Bucket: r.PathValue("bucket"), Key: key, Query: url.Values{"uploadId": {uploadID}}})
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"aborted": uploadID})
}
