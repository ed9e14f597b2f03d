package bench

import (
	"bytes"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The S3 answers the generator reads are flat and machine-written, so it
// scans them for the few elements it needs instead of decoding them with
// encoding/xml, which costs tens of microseconds of generator CPU per
// listing page of 1,000 keys.

// xmlElement returns the unescaped text of the first <name> element of b,
// or "" when there is none.
func xmlElement(b []byte, name string) string {
	v, _ := xmlNext(b, name)
	return xmlUnescape(v)
}

// xmlNext returns the raw text of the first <name> element of b and the
// rest of b after it; ok-less callers test the rest for nil.
func xmlNext(b []byte, name string) (text []byte, rest []byte) {
	open := "<" + name + ">"
	i := bytes.Index(b, []byte(open))
	if i < 0 {
		return nil, nil
	}
	b = b[i+len(open):]
	j := bytes.Index(b, []byte("</"+name+">"))
	if j < 0 {
		return nil, nil
	}
	return b[:j], b[j+len(name)+3:]
}

// listPage is what a ListObjectsV2 page tells the generator.
type listPage struct {
	keys      int    // number of <Contents> entries
	lastKey   string // the last key of the page
	next      string // NextContinuationToken
	truncated bool
}

// scanListPage reads a ListBucketResult document.
func scanListPage(b []byte) listPage {
	var p listPage
	p.keys = bytes.Count(b, []byte("<Contents>"))
	if i := bytes.LastIndex(b, []byte("<Key>")); i >= 0 {
		p.lastKey = xmlElement(b[i:], "Key")
	}
	p.truncated = xmlElement(b, "IsTruncated") == "true"
	p.next = xmlElement(b, "NextContinuationToken")
	return p
}

// scanKeys appends the keys of every <Contents> entry of a listing page.
func scanKeys(dst []string, b []byte) []string {
	for {
		var c []byte
		c, b = xmlNext(b, "Contents")
		if b == nil {
			return dst
		}
		dst = append(dst, xmlElement(c, "Key"))
	}
}

// xmlUnescape resolves the five predefined entities and character
// references; anything malformed is kept as it is.
func xmlUnescape(b []byte) string {
	if bytes.IndexByte(b, '&') < 0 {
		return string(b)
	}
	var sb strings.Builder
	for len(b) > 0 {
		i := bytes.IndexByte(b, '&')
		if i < 0 {
			sb.Write(b)
			break
		}
		sb.Write(b[:i])
		b = b[i:]
		j := bytes.IndexByte(b, ';')
		if j < 0 {
			sb.Write(b)
			break
		}
		if r, ok := entity(string(b[1:j])); ok {
			sb.WriteRune(r)
		} else {
			sb.Write(b[:j+1])
		}
		b = b[j+1:]
	}
	return sb.String()
}

func entity(name string) (rune, bool) {
	switch name {
	case "lt":
		return '<', true
	case "gt":
		return '>', true
	case "amp":
		return '&', true
	case "apos":
		return '\'', true
	case "quot":
		return '"', true
	}
	if !strings.HasPrefix(name, "#") {
		return 0, false
	}
	var n uint64
	var err error
	if strings.HasPrefix(name, "#x") {
		n, err = strconv.ParseUint(name[2:], 16, 32)
	} else {
		n, err = strconv.ParseUint(name[1:], 10, 32)
	}
	if err != nil || !utf8.ValidRune(rune(n)) {
		return 0, false
	}
	return rune(n), true
}

// xmlEscape escapes s for element text.
func xmlEscape(s string) string {
	if !strings.ContainsAny(s, "<>&'\"\r") {
		return s
	}
	var sb strings.Builder
	for _, r := range s {
		switch r {
		case '<':
			sb.WriteString("&lt;")
		case '>':
			sb.WriteString("&gt;")
		case '&':
			sb.WriteString("&amp;")
		case '\'':
			sb.WriteString("&apos;")
		case '"':
			sb.WriteString("&quot;")
		case '\r':
			sb.WriteString("&#xD;")
		default:
			sb.WriteRune(r)
		}
	}
	return sb.String()
}
