package s3api

import (
	"encoding/xml"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/hoardstore/hoard/internal/storage"
)

// storedHeaders are the standard headers S3 stores with an object and
// returns on GET and HEAD.
var storedHeaders = []string{
	"Content-Type", "Content-Encoding", "Content-Disposition",
	"Content-Language", "Cache-Control", "Expires",
}

// maxUserMetadata is S3's limit on the size of user metadata (names and
// values of x-amz-meta-* headers, counted in UTF-8 bytes once decoded).
const maxUserMetadata = 2 << 10

// defaultContentType is what S3 stores when a PUT names none.
const defaultContentType = "binary/octet-stream"

// metadataFromHeaders collects the stored headers and user metadata of a
// write, with lower-case names.
func metadataFromHeaders(h http.Header) (map[string]string, error) {
	meta := make(map[string]string, 4)
	for _, name := range storedHeaders {
		if v := h.Get(name); v != "" {
			meta[strings.ToLower(name)] = v
		}
	}
	if enc, ok := meta["content-encoding"]; ok {
		// aws-chunked is the transfer framing, not the object's encoding.
		var kept []string
		for _, e := range strings.Split(enc, ",") {
			if e = strings.TrimSpace(e); e != "" && !strings.EqualFold(e, "aws-chunked") {
				kept = append(kept, e)
			}
		}
		if len(kept) == 0 {
			delete(meta, "content-encoding")
		} else {
			meta["content-encoding"] = strings.Join(kept, ",")
		}
	}
	if _, ok := meta["content-type"]; !ok {
		meta["content-type"] = defaultContentType
	}
	size := 0
	for name, values := range h {
		lower := strings.ToLower(name)
		if !strings.HasPrefix(lower, "x-amz-meta-") {
			continue
		}
		v := decodeMetaValue(strings.Join(values, ","))
		meta[lower] = v
		size += len(lower) - len("x-amz-meta-") + len(v)
	}
	if size > maxUserMetadata {
		return nil, newError("MetadataTooLarge", "Your metadata headers exceed the maximum allowed metadata size of 2 KB.")
	}
	if v := h.Get(hdrRedirectLocation); v != "" {
		if err := checkRedirectLocation(v); err != nil {
			return nil, err
		}
		meta["x-amz-website-redirect-location"] = v
	}
	return meta, nil
}

// setObjectHeaders writes the headers describing an object on GET/HEAD.
func setObjectHeaders(hdr http.Header, info storage.ObjectInfo) {
	for name, v := range info.Metadata {
		switch {
		case internalMeta(name):
		case strings.HasPrefix(name, "x-amz-meta-"):
			// Lower-case, as S3 answers: boto3 keeps the case it receives.
			hdr[name] = []string{encodeMetaValue(v)}
		default:
			hdr.Set(name, v)
		}
	}
	hdr.Set("ETag", quoteETag(info.ETag))
	hdr.Set("Last-Modified", info.ModTime.UTC().Format(http.TimeFormat))
	hdr.Set("Accept-Ranges", "bytes")
	if sc := info.StorageClass; sc != "" && sc != "STANDARD" {
		hdr.Set("x-amz-storage-class", sc)
	}
	if n := len(info.Tags); n > 0 {
		hdr.Set("x-amz-tagging-count", strconv.Itoa(n))
	}
	if n := len(info.Parts); n > 0 {
		hdr.Set("x-amz-mp-parts-count", strconv.Itoa(n))
	}
	setVersionHeader(hdr, info)
}

// setVersionHeader writes x-amz-version-id for a version of a versioned
// (or suspended) bucket, "null" for its null version; an unversioned
// bucket's objects have none.
func setVersionHeader(hdr http.Header, info storage.ObjectInfo) {
	if info.VersionID != "" || info.Versioned {
		hdr.Set("x-amz-version-id", versionIDOut(info.VersionID))
	}
}

// checksumHeaderName returns the response header carrying a checksum.
func checksumHeaderName(alg storage.ChecksumAlgorithm) string {
	return "x-amz-checksum-" + strings.ToLower(string(alg))
}

// setChecksumHeaders writes x-amz-checksum-* and its type.
func setChecksumHeaders(hdr http.Header, c storage.Checksum) {
	if c.IsZero() {
		return
	}
	hdr.Set(checksumHeaderName(c.Algorithm), c.Value)
	if c.Type != "" {
		hdr.Set("x-amz-checksum-type", string(c.Type))
	}
}

// checksumXMLFields fills the per-algorithm XML element of c.
func checksumXMLFields(c storage.Checksum) checksumFields {
	var f checksumFields
	switch c.Algorithm {
	case storage.ChecksumCRC32:
		f.ChecksumCRC32 = c.Value
	case storage.ChecksumCRC32C:
		f.ChecksumCRC32C = c.Value
	case storage.ChecksumCRC64NVME:
		f.ChecksumCRC64NVME = c.Value
	case storage.ChecksumSHA1:
		f.ChecksumSHA1 = c.Value
	case storage.ChecksumSHA256:
		f.ChecksumSHA256 = c.Value
	}
	return f
}

// quoteETag returns the quoted form S3 uses in headers and XML.
func quoteETag(etag string) string { return `"` + etag + `"` }

// trimETag removes quotes and a weak prefix from a client-supplied ETag.
func trimETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

// storageClasses are the classes S3 defines, each with whether Hoard
// honours it. Hoard stores every object on its drives, readable at once:
// STANDARD is its default parity, REDUCED_REDUNDANCY a lower one, and the
// infrequent-access and instant-retrieval classes promise nothing beyond
// that (the class is kept and reported). The archive classes promise a
// restore step and the location classes a place: Hoard has neither, so it
// refuses them rather than store a STANDARD object labelled GLACIER.
var storageClasses = map[string]bool{
	"STANDARD": true, "REDUCED_REDUNDANCY": true, "STANDARD_IA": true,
	"ONEZONE_IA": true, "INTELLIGENT_TIERING": true, "GLACIER_IR": true,
	"GLACIER": false, "DEEP_ARCHIVE": false, "OUTPOSTS": false, "SNOW": false,
	"EXPRESS_ONEZONE": false,
}

// storageClassFromHeader validates x-amz-storage-class. Hoard stores every
// class it accepts on its drives; REDUCED_REDUNDANCY uses lower parity.
func storageClassFromHeader(h http.Header) (string, error) {
	sc := h.Get("X-Amz-Storage-Class")
	if sc == "" {
		return "", nil
	}
	honoured, known := storageClasses[sc]
	if !known {
		return "", newError("InvalidStorageClass")
	}
	if !honoured {
		return "", newError("InvalidStorageClass", "The storage class "+sc+" is not available on Hoard: objects are always stored on its drives and readable at once.")
	}
	if sc == "STANDARD" {
		return "", nil
	}
	return sc, nil
}

func storageClassName(sc string) string {
	if sc == "" {
		return "STANDARD"
	}
	return sc
}

func storageClassOf(o storage.ObjectInfo) string { return storageClassName(o.StorageClass) }

// versionID returns the versionId query parameter: "" when the request
// names no version, "null" for the null version (the object layer tells
// the two apart: a delete naming "null" removes the null version, one
// naming none may add a delete marker).
func (req *request) versionID() string {
	return req.r.URL.Query().Get("versionId")
}

// versionIDOut is the version ID as S3 reports it.
func versionIDOut(id string) string {
	if id == "" {
		return "null"
	}
	return id
}

// maxPutHeaderSection is S3's limit on the request header section of a
// PUT (user metadata within it is limited to 2 KB on its own).
const maxPutHeaderSection = 8 << 10

// checkHeaderSection enforces S3's 8 KB limit on the headers of a PUT,
// counted as they travel: name, ": ", value and CRLF per line.
func checkHeaderSection(h http.Header) error {
	size := 0
	for name, values := range h {
		for _, v := range values {
			size += len(name) + len(v) + 4
		}
	}
	if size > maxPutHeaderSection {
		return newError("RequestHeaderSectionTooLarge", "Your request header section exceeds the maximum allowed size of 8 KB.")
	}
	return nil
}

// validateKey checks an object key from the path.
func validateKey(key string) error {
	if len(key) > storage.MaxKeyLength {
		return newError("KeyTooLongError")
	}
	if !storage.ValidObjectName(key) {
		return newError("InvalidArgument", "Object key must be valid UTF-8 without NUL characters.")
	}
	return nil
}

// Tag limits S3 enforces: tags per object and per bucket, characters per
// key and per value.
const (
	maxTags        = 10
	maxBucketTags  = 50
	maxTagKeyLen   = 128
	maxTagValueLen = 256
)

// validTagChars reports whether s holds only the characters S3 allows in
// tags: letters, digits, spaces and + - = . _ : / @.
func validTagChars(s string) bool {
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(" +-=._:/@", r):
		case r > 127 && utf8.ValidRune(r):
		default:
			return false
		}
	}
	return true
}

// validateTags enforces S3's limits on an object's tag set.
func validateTags(tags []tag) (map[string]string, error) {
	if len(tags) > maxTags {
		return nil, newError("BadRequest", "Object tags cannot be greater than 10")
	}
	return checkTags(tags)
}

// validateBucketTags enforces S3's limits on a bucket's tag set.
func validateBucketTags(tags []tag) (map[string]string, error) {
	if len(tags) > maxBucketTags {
		return nil, newError("BadRequest", "Bucket tag count cannot be greater than 50")
	}
	return checkTags(tags)
}

// checkTags enforces S3's rules on each tag of a set: key and value
// lengths and characters, no aws: prefix, no key twice.
func checkTags(tags []tag) (map[string]string, error) {
	out := make(map[string]string, len(tags))
	for _, t := range tags {
		switch {
		case t.Key == "" || utf8.RuneCountInString(t.Key) > maxTagKeyLen:
			return nil, newError("InvalidTag", "The TagKey you have provided is invalid")
		case utf8.RuneCountInString(t.Value) > maxTagValueLen:
			return nil, newError("InvalidTag", "The TagValue you have provided is invalid")
		case !validTagChars(t.Key) || !validTagChars(t.Value):
			return nil, newError("InvalidTag", "The TagKey or TagValue you have provided contains characters that are not allowed")
		case strings.HasPrefix(t.Key, "aws:"):
			return nil, newError("InvalidTag", "Your TagKey cannot be prefixed with aws:")
		}
		if _, dup := out[t.Key]; dup {
			return nil, newError("InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		out[t.Key] = t.Value
	}
	return out, nil
}

// tagsFromHeader parses the x-amz-tagging header (URL query encoding).
func tagsFromHeader(h http.Header) (map[string]string, error) {
	v := h.Get("X-Amz-Tagging")
	if v == "" {
		return nil, nil
	}
	q, err := url.ParseQuery(v)
	if err != nil {
		return nil, newError("InvalidArgument", "The header 'x-amz-tagging' shall be encoded as UTF-8 then URLEncoded URL query parameters without tag name duplicates.")
	}
	var tags []tag
	for k, vs := range q {
		if len(vs) > 1 {
			return nil, newError("InvalidTag", "Cannot provide multiple Tags with the same key")
		}
		tags = append(tags, tag{Key: k, Value: vs[0]})
	}
	return validateTags(tags)
}

// tagList returns tags in key order for XML answers.
func tagList(tags map[string]string) []tag {
	out := make([]tag, 0, len(tags))
	for k, v := range tags {
		out = append(out, tag{Key: k, Value: v})
	}
	slices.SortFunc(out, func(a, b tag) int { return strings.Compare(a.Key, b.Key) })
	return out
}

// xmlUnmarshal decodes a request document, answering MalformedXML.
func xmlUnmarshal(data []byte, v any) error {
	if err := xml.Unmarshal(data, v); err != nil {
		return newError("MalformedXML")
	}
	return nil
}
