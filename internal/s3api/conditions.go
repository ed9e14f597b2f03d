package s3api

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// etagMatches reports whether a header's ETag list ("*" or comma-separated
// quoted tags) matches etag.
func etagMatches(list, etag string) bool {
	for _, e := range strings.Split(list, ",") {
		e = strings.TrimSpace(e)
		if e == "*" || trimETag(e) == etag {
			return true
		}
	}
	return false
}

// modifiedSince reports whether mod is after the HTTP date v, at second
// precision; ok is false when v does not parse (the condition is ignored).
func modifiedSince(mod time.Time, v string) (after, ok bool) {
	t, err := http.ParseTime(v)
	if err != nil {
		return false, false
	}
	return mod.Truncate(time.Second).After(t), true
}

// conditionNames holds the header names of one family of conditions: the
// plain ones of GET/HEAD or the x-amz-copy-source-* ones of copies.
type conditionNames struct {
	ifMatch, ifNoneMatch, ifModifiedSince, ifUnmodifiedSince string
}

var (
	getConditions  = conditionNames{"If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"}
	copyConditions = conditionNames{
		"X-Amz-Copy-Source-If-Match", "X-Amz-Copy-Source-If-None-Match",
		"X-Amz-Copy-Source-If-Modified-Since", "X-Amz-Copy-Source-If-Unmodified-Since",
	}
)

// evalConditions applies conditional headers to info with S3's precedence
// rules: a true If-Match overrides a false If-Unmodified-Since, and a false
// If-None-Match (the tag differs) overrides If-Modified-Since. It returns
// 0 when the request proceeds, 412 or 304.
func evalConditions(h http.Header, n conditionNames, info storage.ObjectInfo) int {
	if v := h.Get(n.ifMatch); v != "" {
		if !etagMatches(v, info.ETag) {
			return http.StatusPreconditionFailed
		}
	} else if v := h.Get(n.ifUnmodifiedSince); v != "" {
		if after, ok := modifiedSince(info.ModTime, v); ok && after {
			return http.StatusPreconditionFailed
		}
	}
	if v := h.Get(n.ifNoneMatch); v != "" {
		if etagMatches(v, info.ETag) {
			return http.StatusNotModified
		}
	} else if v := h.Get(n.ifModifiedSince); v != "" {
		if after, ok := modifiedSince(info.ModTime, v); ok && !after {
			return http.StatusNotModified
		}
	}
	return 0
}

// byteRange is a resolved range: length bytes from start.
type byteRange struct {
	start, length int64
}

// parseRange resolves a Range header against an object of size bytes.
// ok is false when the header is absent or not a single byte range, in
// which case the whole object is served, as HTTP prescribes. A well-formed
// range outside the object gives InvalidRange.
func parseRange(h string, size int64) (r byteRange, ok bool, err error) {
	spec, found := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !found || strings.Contains(spec, ",") {
		return r, false, nil
	}
	first, last, found := strings.Cut(strings.TrimSpace(spec), "-")
	if !found {
		return r, false, nil
	}
	unsatisfiable := newError("InvalidRange")
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n < 0 {
			return r, false, nil
		}
		if n == 0 || size == 0 {
			return r, false, unsatisfiable
		}
		n = min(n, size)
		return byteRange{start: size - n, length: n}, true, nil
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return r, false, nil
	}
	end := size - 1
	if last != "" {
		end, err = strconv.ParseInt(last, 10, 64)
		if err != nil || end < start {
			return r, false, nil
		}
		end = min(end, size-1)
	}
	if start >= size {
		return r, false, unsatisfiable
	}
	return byteRange{start: start, length: end - start + 1}, true, nil
}
