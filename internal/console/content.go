package console

import (
	"bytes"
	"mime"
	"net/http"
	"path"
	"strings"
)

// contentCSP confines an object opened inline: it runs no script, loads
// nothing, and may only be framed by the console. sandboxCSP adds a
// sandbox, so even an HTML or SVG file shown inline gets an opaque origin.
const (
	contentCSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
	sandboxCSP = "sandbox; " + contentCSP
)

// textExtensions are names shown as plain text whatever their stored type.
var textExtensions = map[string]bool{
	".txt": true, ".md": true, ".log": true, ".csv": true, ".tsv": true, ".json": true, ".ndjson": true,
	".yaml": true, ".yml": true, ".toml": true, ".ini": true, ".conf": true, ".cfg": true, ".env": true,
	".xml": true, ".html": true, ".htm": true, ".css": true, ".js": true, ".mjs": true, ".ts": true,
	".go": true, ".py": true, ".rb": true, ".rs": true, ".java": true, ".c": true, ".h": true, ".cpp": true,
	".sh": true, ".bash": true, ".sql": true, ".tex": true, ".rst": true, ".diff": true, ".patch": true,
}

// previewKind classifies an object for inline display by its stored type,
// falling back to its name's extension: image, video, audio, pdf, text or
// "" (download only).
func previewKind(ctype, key string) (kind, servedType string) {
	mt, _, _ := mime.ParseMediaType(ctype)
	ext := strings.ToLower(path.Ext(key))
	if mt == "" || mt == "application/octet-stream" || mt == "binary/octet-stream" {
		if textExtensions[ext] {
			return "text", "text/plain; charset=utf-8"
		}
		mt, _, _ = mime.ParseMediaType(mime.TypeByExtension(ext))
	}
	switch {
	case strings.HasPrefix(mt, "image/"):
		return "image", mt
	case strings.HasPrefix(mt, "video/"):
		return "video", mt
	case strings.HasPrefix(mt, "audio/"):
		return "audio", mt
	case mt == "application/pdf":
		return "pdf", mt
	case strings.HasPrefix(mt, "text/"), mt == "application/json", mt == "application/xml",
		mt == "application/javascript", mt == "application/x-yaml", mt == "application/yaml",
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"), textExtensions[ext]:
		return "text", "text/plain; charset=utf-8"
	}
	return "", ""
}

// passHeaders are the S3 answer's headers a download keeps.
var passHeaders = []string{"Content-Length", "Content-Range", "Accept-Ranges", "ETag", "Last-Modified"}

// objectContent streams an object to the browser: inline (for previews,
// with a type and sandbox chosen for safety) or as an attachment.
func (h *Handler) objectContent(w http.ResponseWriter, r *http.Request, sess session) {
	bucket := r.PathValue("bucket")
	key, ok := objectKey(w, r)
	if !ok {
		return
	}
	inline := r.URL.Query().Get("disposition") == "inline"
	hdr := http.Header{}
	for _, name := range []string{"Range", "If-Range", "If-None-Match", "If-Modified-Since"} {
		if v := r.Header.Get(name); v != "" {
			hdr.Set(name, v)
		}
	}
	req, err := h.request(r, sess, s3Call{Method: http.MethodGet, Bucket: bucket, Key: key, Header: hdr})
	if err != nil {
		h.writeFailure(w, r, err)
		return
	}
	pw := &passWriter{w: w, hdr: http.Header{}, prepare: func(src, dst http.Header) {
		for _, name := range passHeaders {
			if v := src.Get(name); v != "" {
				dst.Set(name, v)
			}
		}
		dst.Set("Cache-Control", "private, no-cache")
		kind, ctype := previewKind(src.Get("Content-Type"), key)
		name := path.Base(key)
		if inline && kind != "" {
			dst.Set("Content-Type", ctype)
			dst.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name}))
			if kind == "pdf" {
				dst.Set("Content-Security-Policy", contentCSP) // the PDF viewer does not run sandboxed
			} else {
				dst.Set("Content-Security-Policy", sandboxCSP)
			}
			return
		}
		dst.Set("Content-Type", "application/octet-stream")
		dst.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		dst.Set("Content-Security-Policy", sandboxCSP)
	}}
	h.cfg.S3.ServeHTTP(pw, req)
	pw.finish(h, r)
}

// passWriter forwards a successful S3 answer to the browser with the
// headers prepare picks, and turns an error answer into the console's JSON.
type passWriter struct {
	w       http.ResponseWriter
	hdr     http.Header
	prepare func(src, dst http.Header)
	status  int
	errBody *bytes.Buffer
}

func (p *passWriter) Header() http.Header { return p.hdr }

func (p *passWriter) WriteHeader(status int) {
	if p.status != 0 {
		return
	}
	p.status = status
	if status >= 400 {
		p.errBody = &bytes.Buffer{}
		return
	}
	if status == http.StatusNotModified {
		for _, name := range []string{"ETag", "Last-Modified"} {
			if v := p.hdr.Get(name); v != "" {
				p.w.Header().Set(name, v)
			}
		}
	} else {
		p.prepare(p.hdr, p.w.Header())
	}
	p.w.WriteHeader(status)
}

func (p *passWriter) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.WriteHeader(http.StatusOK)
	}
	if p.errBody != nil {
		if p.errBody.Len() < 64<<10 {
			p.errBody.Write(b)
		}
		return len(b), nil
	}
	return p.w.Write(b)
}

// Flush passes flushes through to the browser connection.
func (p *passWriter) Flush() {
	if f, ok := p.w.(http.Flusher); ok && p.errBody == nil {
		f.Flush()
	}
}

// Unwrap lets http.ResponseController reach the browser connection.
func (p *passWriter) Unwrap() http.ResponseWriter { return p.w }

// finish writes the error answer, if S3 answered with one.
func (p *passWriter) finish(h *Handler, r *http.Request) {
	if p.status == 0 {
		p.WriteHeader(http.StatusOK)
	}
	if p.errBody != nil {
		h.writeFailure(p.w, r, parseS3Error(p.status, p.hdr, p.errBody.Bytes()))
	}
}
