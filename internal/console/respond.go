package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
)

// maxJSONBody bounds the JSON bodies the API accepts (a delete of 1,000
// long keys fits).
const maxJSONBody = 2 << 20

// apiError is the JSON body of every API error.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError, []byte(`{"code":"InternalError","message":"The console could not encode its answer."}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, apiError{Code: code, Message: message})
}

// friendly rewrites the messages of the S3 errors people meet most in
// words that say what to do.
var friendly = map[string]string{
	"AccessDenied":            "Your access key is not allowed to do this.",
	"BucketAlreadyExists":     "A bucket with this name already exists. Bucket names are shared by everyone on this server; pick another.",
	"BucketAlreadyOwnedByYou": "You already have a bucket with this name.",
	"BucketNotEmpty":          "The bucket is not empty. Delete its objects first, or confirm deleting the bucket with everything in it.",
	"InvalidBucketName":       "This is not a valid bucket name.",
	"NoSuchBucket":            "The bucket does not exist (any more).",
	"NoSuchKey":               "The object does not exist (any more).",
	"NoSuchUpload":            "The upload was cancelled or has expired.",
	"EntityTooSmall":          "A part of the upload is smaller than S3's 5 MiB minimum.",
	"EntityTooLarge":          "The file is larger than a single upload allows.",
	"SlowDown":                "The server is busy. Try again in a moment.",
	"InvalidAccessKeyId":      "Your access key is no longer valid. Sign in again.",
	"SignatureDoesNotMatch":   "Your secret key is no longer valid. Sign in again.",
	"QuotaExceeded":           "The storage is full.",
}

// writeFailure answers an error from an S3 call or from the console itself.
func (h *Handler) writeFailure(w http.ResponseWriter, r *http.Request, err error) {
	var se *s3Error
	if errors.As(err, &se) {
		msg := se.Message
		if f, ok := friendly[se.Code]; ok {
			msg = f
		}
		if msg == "" {
			msg = "The request failed (" + se.Code + ")."
		}
		status := se.Status
		if status < 400 {
			status = http.StatusBadGateway
		}
		writeError(w, status, se.Code, msg)
		return
	}
	if r.Context().Err() != nil {
		return // the browser went away; nobody reads the answer
	}
	h.cfg.Logger.Warn("console request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	writeError(w, http.StatusInternalServerError, "InternalError", "The console could not complete the request. The server log has details.")
}

// readJSON decodes a JSON request body into v.
func readJSON(w http.ResponseWriter, r *http.Request, v any) error {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/json" {
		return errors.New("console: the request body must be application/json")
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("console: reading the request body: %w", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("console: the request body holds more than one JSON value")
	}
	return nil
}

// badRequest answers 400 with message.
func badRequest(w http.ResponseWriter, message string) {
	writeError(w, http.StatusBadRequest, "BadRequest", message)
}
