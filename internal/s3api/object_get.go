package s3api

import (
	"io"
	"net/http"
	"strconv"

	"github.com/hoardstore/hoard/internal/storage"
)

// responseOverrides are the query parameters that override response
// headers of a GET, and the header each sets.
var responseOverrides = []struct{ param, header string }{
	{"response-content-type", "Content-Type"},
	{"response-content-language", "Content-Language"},
	{"response-expires", "Expires"},
	{"response-cache-control", "Cache-Control"},
	{"response-content-disposition", "Content-Disposition"},
	{"response-content-encoding", "Content-Encoding"},
}

func (req *request) getObject() error { return req.readObject(true) }

func (req *request) headObject() error { return req.readObject(false) }

// readObject serves GET (withBody) and HEAD of an object.
func (req *request) readObject(withBody bool) error {
	q := req.r.URL.Query()
	partNumber := 0
	if v := q.Get("partNumber"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > storage.MaxParts {
			return newError("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
		}
		if req.r.Header.Get("Range") != "" {
			return newError("InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
		}
		partNumber = n
	}
	ctx := req.r.Context()
	obj, err := req.h.cfg.Layer.OpenObject(ctx, req.route.Bucket, req.route.Key, storage.GetOptions{VersionID: req.versionID()})
	if err != nil {
		return err
	}
	defer obj.Close()
	info := obj.Info()
	hdr := req.w.Header()
	switch evalConditions(req.r.Header, getConditions, info) {
	case http.StatusPreconditionFailed:
		return newError("PreconditionFailed")
	case http.StatusNotModified:
		hdr.Set("ETag", quoteETag(info.ETag))
		hdr.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
		req.w.WriteHeader(http.StatusNotModified)
		return nil
	}
	rng, partial, err := req.resolveRange(info, partNumber)
	if err != nil {
		return err
	}
	setObjectHeaders(hdr, info)
	req.setExpiration(info)
	req.setLockHeaders(hdr, info)
	if req.r.Header.Get("X-Amz-Checksum-Mode") == "ENABLED" {
		setChecksumHeaders(hdr, req.responseChecksum(info, partNumber, partial))
	}
	for _, o := range responseOverrides {
		if v := q.Get(o.param); v != "" {
			hdr.Set(o.header, v)
		}
	}
	hdr.Set("Content-Length", strconv.FormatInt(rng.length, 10))
	status := http.StatusOK
	if partial {
		hdr.Set("Content-Range", "bytes "+strconv.FormatInt(rng.start, 10)+"-"+
			strconv.FormatInt(rng.start+rng.length-1, 10)+"/"+strconv.FormatInt(info.Size, 10))
		status = http.StatusPartialContent
	}
	if !withBody || rng.length == 0 {
		req.w.WriteHeader(status)
		return nil
	}
	body, err := obj.Reader(rng.start, rng.length)
	if err != nil {
		return err
	}
	defer body.Close()
	req.w.WriteHeader(status)
	if _, err := copyBody(req.w, body, rng.length); err != nil {
		// Headers are gone: all we can do is cut the connection short so
		// the client sees a truncated body, and log why.
		req.h.cfg.Logger.Warn("object read failed mid-response", "request_id", req.id, "bucket", req.route.Bucket, "key", req.route.Key, "err", err)
		panic(http.ErrAbortHandler)
	}
	return nil
}

// copyBody sends length bytes of body to w. A body that writes itself
// (the engine's readers write straight from their decoded blocks or an
// inline object's bytes) needs no buffer; any other gets one no larger
// than the range instead of io.Copy's 32 KiB.
func copyBody(w io.Writer, body io.Reader, length int64) (int64, error) {
	if wt, ok := body.(io.WriterTo); ok {
		return wt.WriteTo(w)
	}
	return io.CopyBuffer(w, body, make([]byte, min(max(length, 1), 32<<10)))
}

// resolveRange works out which bytes to send: a part, a Range, or all.
func (req *request) resolveRange(info storage.ObjectInfo, partNumber int) (byteRange, bool, error) {
	if partNumber > 0 {
		if len(info.Parts) == 0 {
			if partNumber != 1 {
				return byteRange{}, false, newError("InvalidPartNumber")
			}
			return byteRange{0, info.Size}, info.Size > 0, nil
		}
		if partNumber > len(info.Parts) {
			return byteRange{}, false, newError("InvalidPartNumber")
		}
		var off int64
		for _, p := range info.Parts[:partNumber-1] {
			off += p.Size
		}
		return byteRange{off, info.Parts[partNumber-1].Size}, true, nil
	}
	rng, ok, err := parseRange(req.r.Header.Get("Range"), info.Size)
	if err != nil {
		req.w.Header().Set("Content-Range", "bytes */"+strconv.FormatInt(info.Size, 10))
		return byteRange{}, false, err
	}
	if !ok {
		return byteRange{0, info.Size}, false, nil
	}
	return rng, true, nil
}

// responseChecksum is the checksum S3 returns with x-amz-checksum-mode:
// the object's for a whole-object read, the part's for a part read, none
// for a byte range.
func (req *request) responseChecksum(info storage.ObjectInfo, partNumber int, partial bool) storage.Checksum {
	if partNumber > 0 && len(info.Parts) >= partNumber {
		return info.Parts[partNumber-1].Checksum
	}
	if partial && partNumber == 0 {
		return storage.Checksum{}
	}
	return info.Checksum
}
