package s3api

import (
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/hoardstore/hoard/internal/storage"
)

// The listing answers (ListObjects V1 and V2, ListObjectVersions) are
// written by hand into a pooled buffer instead of through encoding/xml,
// whose reflection and per-field escaping cost more than the engine's
// walk for a 1,000-key page. The output is byte for byte what
// encoding/xml writes for the same answer: listxml_test.go keeps the
// encoding/xml types as the reference and compares both on table cases
// and a fuzz target.

// xmlDocHeader is xml.Header: the declaration every answer starts with.
const xmlDocHeader = `<?xml version="1.0" encoding="UTF-8"?>` + "\n"

// listBufMax is the largest buffer kept for reuse; a 1,000-key page with
// owners is about 400 KB.
const listBufMax = 4 << 20

// listBufs recycles answer buffers between requests. A pool holds no state
// a caller can observe, so it does not keep tests from running in parallel.
var listBufs = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

// writeListXML answers 200 with the document fill appends, in one Write;
// size is about how long the document will be, so the buffer grows once.
func (req *request) writeListXML(size int, fill func([]byte) []byte) error {
	bp := listBufs.Get().(*[]byte)
	b := (*bp)[:0]
	if cap(b) < size {
		b = make([]byte, 0, size)
	}
	b = fill(append(b, xmlDocHeader...))
	hdr := req.w.Header()
	hdr.Set("Content-Type", "application/xml")
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	req.w.WriteHeader(http.StatusOK)
	_, _ = req.w.Write(b)
	if cap(b) <= listBufMax {
		*bp = b[:0]
		listBufs.Put(bp)
	}
	return nil
}

// sizeHint is about the length of a listing answer of res: each entry's
// fixed elements, its owner, and its key (which URL encoding may triple).
func (d *listDoc) sizeHint(res *storage.ListResult) int {
	per := 200
	if d.owner != nil {
		per += 40 + len(d.owner.ID) + len(d.owner.DisplayName)
	}
	n := 512 + len(res.Objects)*per + len(res.CommonPrefixes)*40
	for i := range res.Objects {
		n += len(res.Objects[i].Key) + len(res.Objects[i].ETag)
	}
	for _, c := range res.CommonPrefixes {
		n += len(c)
	}
	if d.p.encoding == "url" {
		n += n / 2
	}
	return n
}

// listDoc is what every listing answer shows of the request.
type listDoc struct {
	bucket string
	p      listParams
	// owner is shown in every entry when set.
	owner *owner
}

// appendListV1 appends a ListObjects (V1) answer.
func appendListV1(b []byte, d *listDoc, marker string, res *storage.ListResult) []byte {
	b = append(b, `<ListBucketResult xmlns="`+s3NS+`">`...)
	b = appendElem(b, "Name", d.bucket)
	b = d.appendEncoded(b, "Prefix", d.p.prefix)
	b = d.appendEncoded(b, "Marker", marker)
	if res.IsTruncated && d.p.delimiter != "" && res.NextMarker != "" {
		b = d.appendEncoded(b, "NextMarker", res.NextMarker)
	}
	b = appendIntElem(b, "MaxKeys", int64(d.p.maxKeys))
	b = d.appendEncodedOmit(b, "Delimiter", d.p.delimiter)
	b = appendBoolElem(b, "IsTruncated", res.IsTruncated)
	b = appendElemOmit(b, "EncodingType", d.p.encoding)
	b = d.appendContents(b, res.Objects)
	b = d.appendPrefixes(b, res.CommonPrefixes)
	return append(b, "</ListBucketResult>"...)
}

// appendListV2 appends a ListObjectsV2 answer; next is the
// NextContinuationToken ("" for none).
func appendListV2(b []byte, d *listDoc, token, next, startAfter string, res *storage.ListResult) []byte {
	b = append(b, `<ListBucketResult xmlns="`+s3NS+`">`...)
	b = appendElem(b, "Name", d.bucket)
	b = d.appendEncoded(b, "Prefix", d.p.prefix)
	b = appendIntElem(b, "MaxKeys", int64(d.p.maxKeys))
	b = appendIntElem(b, "KeyCount", int64(len(res.Objects)+len(res.CommonPrefixes)))
	b = d.appendEncodedOmit(b, "Delimiter", d.p.delimiter)
	b = appendBoolElem(b, "IsTruncated", res.IsTruncated)
	b = appendElemOmit(b, "EncodingType", d.p.encoding)
	b = appendElemOmit(b, "ContinuationToken", token)
	b = appendElemOmit(b, "NextContinuationToken", next)
	b = d.appendEncodedOmit(b, "StartAfter", startAfter)
	b = d.appendContents(b, res.Objects)
	b = d.appendPrefixes(b, res.CommonPrefixes)
	return append(b, "</ListBucketResult>"...)
}

// versionsSizeHint is about the length of a version listing of res.
func (d *listDoc) versionsSizeHint(res *storage.ListVersionsResult) int {
	n := 512 + len(res.CommonPrefixes)*40
	per := 300 + len(d.owner.ID) + len(d.owner.DisplayName)
	for i := range res.Versions {
		n += per + len(res.Versions[i].Key) + len(res.Versions[i].ETag)
	}
	for _, c := range res.CommonPrefixes {
		n += len(c)
	}
	if d.p.encoding == "url" {
		n += n / 2
	}
	return n
}

// appendListVersions appends a ListObjectVersions answer: versions and
// delete markers in listing order, then the common prefixes.
func appendListVersions(b []byte, d *listDoc, keyMarker, versionMarker string, res *storage.ListVersionsResult) []byte {
	b = append(b, `<ListVersionsResult xmlns="`+s3NS+`">`...)
	b = appendElem(b, "Name", d.bucket)
	b = d.appendEncoded(b, "Prefix", d.p.prefix)
	b = d.appendEncoded(b, "KeyMarker", keyMarker)
	b = appendElem(b, "VersionIdMarker", versionMarker)
	if res.IsTruncated {
		b = d.appendEncodedOmit(b, "NextKeyMarker", res.NextKeyMarker)
		b = appendElemOmit(b, "NextVersionIdMarker", res.NextVersionIDMarker)
	}
	b = appendIntElem(b, "MaxKeys", int64(d.p.maxKeys))
	b = d.appendEncodedOmit(b, "Delimiter", d.p.delimiter)
	b = appendBoolElem(b, "IsTruncated", res.IsTruncated)
	b = appendElemOmit(b, "EncodingType", d.p.encoding)
	for i := range res.Versions {
		o := &res.Versions[i]
		if o.DeleteMarker {
			b = append(b, "<DeleteMarker>"...)
			b = d.appendEncoded(b, "Key", o.Key)
			b = appendElem(b, "VersionId", versionIDOut(o.VersionID))
			b = appendBoolElem(b, "IsLatest", o.IsLatest)
			b = appendTimeElem(b, "LastModified", o.ModTime)
			b = d.appendOwner(b)
			b = append(b, "</DeleteMarker>"...)
			continue
		}
		b = append(b, "<Version>"...)
		b = d.appendEncoded(b, "Key", o.Key)
		b = appendElem(b, "VersionId", versionIDOut(o.VersionID))
		b = appendBoolElem(b, "IsLatest", o.IsLatest)
		b = appendTimeElem(b, "LastModified", o.ModTime)
		b = appendETagElem(b, o.ETag)
		b = appendIntElem(b, "Size", o.Size)
		b = appendElem(b, "StorageClass", storageClassOf(*o))
		b = d.appendOwner(b)
		b = append(b, "</Version>"...)
	}
	b = d.appendPrefixes(b, res.CommonPrefixes)
	return append(b, "</ListVersionsResult>"...)
}

func (d *listDoc) appendContents(b []byte, objs []storage.ObjectInfo) []byte {
	for i := range objs {
		o := &objs[i]
		b = append(b, "<Contents><Key>"...)
		b = d.appendKey(b, o.Key)
		b = append(b, "</Key><LastModified>"...)
		b = appendISO8601(b, o.ModTime)
		b = append(b, "</LastModified><ETag>&#34;"...)
		b = appendEscaped(b, o.ETag)
		b = append(b, "&#34;</ETag>"...)
		if !o.Checksum.IsZero() {
			b = appendElemOmit(b, "ChecksumAlgorithm", string(o.Checksum.Algorithm))
			b = appendElemOmit(b, "ChecksumType", string(o.Checksum.Type))
		}
		b = append(b, "<Size>"...)
		b = strconv.AppendInt(b, o.Size, 10)
		b = append(b, "</Size><StorageClass>"...)
		b = appendEscaped(b, storageClassName(o.StorageClass))
		b = append(b, "</StorageClass>"...)
		b = d.appendOwner(b)
		b = append(b, "</Contents>"...)
	}
	return b
}

func (d *listDoc) appendOwner(b []byte) []byte {
	if d.owner == nil {
		return b
	}
	b = append(b, "<Owner>"...)
	b = appendElem(b, "ID", d.owner.ID)
	b = appendElem(b, "DisplayName", d.owner.DisplayName)
	return append(b, "</Owner>"...)
}

func (d *listDoc) appendPrefixes(b []byte, cps []string) []byte {
	for _, c := range cps {
		b = append(b, "<CommonPrefixes>"...)
		b = d.appendEncoded(b, "Prefix", c)
		b = append(b, "</CommonPrefixes>"...)
	}
	return b
}

// appendEncoded appends <name>s</name> with s encoded as the request's
// encoding-type asks (listParams.encode) and escaped.
func (d *listDoc) appendEncoded(b []byte, name, s string) []byte {
	return appendClose(d.appendKey(appendOpen(b, name), s), name)
}

// appendKey appends s encoded as the request's encoding-type asks and
// escaped.
func (d *listDoc) appendKey(b []byte, s string) []byte {
	if d.p.encoding == "url" {
		return appendURLEncoded(b, s)
	}
	return appendEscaped(b, s)
}

// appendEncodedOmit is appendEncoded that writes nothing for "" (an
// omitempty field).
func (d *listDoc) appendEncodedOmit(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	return d.appendEncoded(b, name, s)
}

func appendOpen(b []byte, name string) []byte {
	b = append(b, '<')
	b = append(b, name...)
	return append(b, '>')
}

func appendClose(b []byte, name string) []byte {
	b = append(b, '<', '/')
	b = append(b, name...)
	return append(b, '>')
}

// appendElem appends <name>s</name>, s escaped.
func appendElem(b []byte, name, s string) []byte {
	return appendClose(appendEscaped(appendOpen(b, name), s), name)
}

// appendElemOmit is appendElem that writes nothing for "".
func appendElemOmit(b []byte, name, s string) []byte {
	if s == "" {
		return b
	}
	return appendElem(b, name, s)
}

func appendIntElem(b []byte, name string, n int64) []byte {
	return appendClose(strconv.AppendInt(appendOpen(b, name), n, 10), name)
}

func appendBoolElem(b []byte, name string, v bool) []byte {
	return appendClose(strconv.AppendBool(appendOpen(b, name), v), name)
}

func appendTimeElem(b []byte, name string, t time.Time) []byte {
	return appendClose(appendISO8601(appendOpen(b, name), t), name)
}

// appendETagElem appends the quoted ETag as encoding/xml escapes it.
func appendETagElem(b []byte, etag string) []byte {
	b = append(b, "<ETag>&#34;"...)
	b = appendEscaped(b, etag)
	return append(b, "&#34;</ETag>"...)
}

// appendISO8601 appends t as xmlTime formats it (UTC, milliseconds
// truncated) without going through time.Format: a listing formats one
// time per entry.
func appendISO8601(b []byte, t time.Time) []byte {
	const maxSec = 253402300799 // 9999-12-31T23:59:59Z
	secs := t.Unix()
	if secs < 0 || secs > maxSec {
		return t.UTC().AppendFormat(b, iso8601)
	}
	year, month, day := civilDate(secs / 86400)
	rem := int(secs % 86400)
	var d [24]byte
	putDigits(d[0:4], year)
	d[4] = '-'
	putDigits(d[5:7], month)
	d[7] = '-'
	putDigits(d[8:10], day)
	d[10] = 'T'
	putDigits(d[11:13], rem/3600)
	d[13] = ':'
	putDigits(d[14:16], rem/60%60)
	d[16] = ':'
	putDigits(d[17:19], rem%60)
	d[19] = '.'
	putDigits(d[20:23], t.Nanosecond()/1e6)
	d[23] = 'Z'
	return append(b, d[:]...)
}

// civilDate converts days since 1970-01-01 (not negative) to a proleptic
// Gregorian date (the days-from-civil inverse of H. Hinnant's
// chrono-compatible date algorithms).
func civilDate(days int64) (year, month, day int) {
	z := days + 719468 // days since 0000-03-01
	era := z / 146097
	doe := z - era*146097                                  // day of the 400-year era
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365 // year of the era
	doy := doe - (365*yoe + yoe/4 - yoe/100)               // day of the year, from March 1
	mp := (5*doy + 2) / 153                                // month, from March = 0
	year, month, day = int(yoe+era*400), int(mp+3), int(doy-(153*mp+2)/5+1)
	if month > 12 {
		month -= 12
	}
	if month <= 2 {
		year++
	}
	return year, month, day
}

// putDigits writes the last len(d) decimal digits of a non-negative n
// into d, zero-padded.
func putDigits(d []byte, n int) {
	for i := len(d) - 1; i >= 0; i-- {
		d[i] = byte('0' + n%10)
		n /= 10
	}
}

// appendEscaped appends s escaped exactly as encoding/xml escapes
// character data: the five markup characters and tab, newline and return
// as character references, and every byte sequence that is not valid
// UTF-8 or not an XML character as U+FFFD.
func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); {
		c := s[i]
		if xmlPlain[c] {
			i++
			continue
		}
		var esc string
		width := 1
		switch c {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		case '&':
			esc = "&amp;"
		case '<':
			esc = "&lt;"
		case '>':
			esc = "&gt;"
		case '\t':
			esc = "&#x9;"
		case '\n':
			esc = "&#xA;"
		case '\r':
			esc = "&#xD;"
		default:
			var r rune
			r, width = utf8.DecodeRuneInString(s[i:])
			if isXMLChar(r) && !(r == utf8.RuneError && width == 1) {
				i += width
				continue
			}
			esc = "\uFFFD"
		}
		b = append(b, s[last:i]...)
		b = append(b, esc...)
		i += width
		last = i
	}
	return append(b, s[last:]...)
}

// xmlPlain marks the bytes appendEscaped copies as they are: printable
// ASCII but the five markup characters. It is never written.
var xmlPlain = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = !strings.ContainsRune(`"'&<>`, rune(c))
	}
	return t
}()

// isXMLChar reports whether r is in XML's Char production.
func isXMLChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D ||
		r >= 0x20 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD ||
		r >= 0x10000 && r <= 0x10FFFF
}

// appendURLEncoded appends s as listParams.encode writes it for
// encoding-type=url: query-escaped, slashes kept. The result needs no XML
// escaping.
func appendURLEncoded(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9',
			c == '-', c == '_', c == '.', c == '~', c == '/':
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}
