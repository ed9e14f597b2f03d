package sigv2

import (
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// isSubresource reports whether a query parameter is part of the
// CanonicalizedResource. The list is AWS's (acl, delete, lifecycle,
// location, logging, notification, partNumber, policy, requestPayment,
// torrent, uploadId, uploads, versionId, versioning, versions, website and
// the response-* overrides) joined with the sub-resources the SDKs sign as
// well (botocore, minio-go, the Java SDK), which S3 accepts.
func isSubresource(k string) bool {
	switch k {
	case "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete",
		"encryption", "inventory", "legal-hold", "lifecycle", "location", "logging",
		"metrics", "notification", "object-lock", "partNumber", "policy",
		"replication", "requestPayment", "response-cache-control",
		"response-content-disposition", "response-content-encoding",
		"response-content-language", "response-content-type", "response-expires",
		"restore", "retention", "select", "select-type", "storageClass", "tagging",
		"torrent", "uploadId", "uploads", "versionId", "versioning", "versions", "website":
		return true
	}
	return false
}

// dateForm is the Date line of a string to sign and the
// CanonicalizedAmzHeaders block that goes with it.
type dateForm struct {
	date string
	amz  string
}

// canon holds the parts of a request's StringToSign, with the alternative
// forms that real clients produce where AWS's documentation and the SDKs
// differ. The first of each list is the form AWS's text describes.
type canon struct {
	head  string     // "VERB\nContent-MD5\nContent-Type\n"
	dates []dateForm // Date line and x-amz- headers
	paths []string   // CanonicalizedResource up to the sub-resources
	subs  []string   // "" or "?sub&sub=value..."
}

// presignInput is what query authentication puts in place of headers.
type presignInput struct {
	expires string // the Expires parameter, in the Date line
	// headers are the parameters standing for headers (Content-MD5,
	// Content-Type, x-amz-*), by lower-case name: queryHeaderParams.
	headers map[string][]string
}

// isHeaderParam reports whether a presigned query parameter, by lower-case
// name, stands for a header.
func isHeaderParam(lk string) bool {
	return lk == "content-md5" || lk == "content-type" || strings.HasPrefix(lk, "x-amz-")
}

// queryHeaderParams returns the parameters of a presigned query that stand
// for headers (Content-MD5, Content-Type, x-amz-*; botocore moves the
// headers it signed there), by lower-case name. It refuses two parameters
// whose names differ only in case, which would leave open which one is
// signed and which one is stored, and a repeated Content-MD5 or
// Content-Type, which a request has one of.
func queryHeaderParams(q url.Values) (map[string][]string, error) {
	var m map[string][]string
	var raw map[string]string // lower-case name -> name as sent
	for _, k := range slices.Sorted(maps.Keys(q)) {
		lk := strings.ToLower(k)
		if !isHeaderParam(lk) || len(q[k]) == 0 {
			continue
		}
		if prev, ok := raw[lk]; ok {
			return nil, ErrInvalidArgument.derive("presigned query: parameters "+quote(prev)+" and "+quote(k)+" name the same header",
				"Query parameters "+prev+" and "+k+" name the same header.")
		}
		if (lk == "content-md5" || lk == "content-type") && len(q[k]) > 1 {
			return nil, ErrInvalidArgument.derive("presigned query: "+quote(k)+" is given more than once",
				"Query parameter "+k+" is given more than once.")
		}
		if m == nil {
			m, raw = make(map[string][]string), make(map[string]string)
		}
		m[lk], raw[lk] = q[k], k
	}
	return m, nil
}

// queryHeaders returns the header parameters of a presigned query (by
// lower-case name, from queryHeaderParams) that stand for headers r lacks,
// with the values in the form they were signed.
func queryHeaders(r *http.Request, params map[string][]string) http.Header {
	var h http.Header
	for _, lk := range slices.Sorted(maps.Keys(params)) {
		if _, ok := r.Header[http.CanonicalHeaderKey(lk)]; ok {
			continue
		}
		if h == nil {
			h = make(http.Header)
		}
		for _, v := range params[lk] {
			if strings.HasPrefix(lk, "x-amz-") {
				v = unfold(v)
			} else {
				v = strings.TrimSpace(v)
			}
			h.Add(lk, v)
		}
	}
	return h
}

// newCanon builds the canonical parts of r. vhostBucket is the bucket named
// by the Host header of a virtual-host-style request ("" for path style).
// p is nil for header authentication.
func newCanon(r *http.Request, vhostBucket string, p *presignInput) canon {
	var c canon
	md5, ctype := r.Header.Get("Content-Md5"), r.Header.Get("Content-Type")
	amz := amzHeaders(r.Header)
	if p != nil {
		// A header present (even empty) is what the handler reads, so it
		// is what must be signed; the parameter stands in only otherwise.
		if _, ok := r.Header["Content-Md5"]; !ok && len(p.headers["content-md5"]) > 0 {
			md5 = p.headers["content-md5"][0]
		}
		if _, ok := r.Header["Content-Type"]; !ok && len(p.headers["content-type"]) > 0 {
			ctype = p.headers["content-type"][0]
		}
		amz = mergeQueryHeaders(amz, p.headers)
	}
	c.head = r.Method + "\n" + strings.TrimSpace(md5) + "\n" + strings.TrimSpace(ctype) + "\n"
	switch xdate, hasX := amz["x-amz-date"]; {
	case p != nil:
		c.dates = []dateForm{{p.expires, amzBlock(amz, "")}}
	case hasX:
		// AWS's text: an empty Date line, x-amz-date among the amz
		// headers (s3cmd, boto). AWS's worked example: the x-amz-date
		// value on the Date line, and not among the amz headers.
		c.dates = []dateForm{{"", amzBlock(amz, "")}, {xdate, amzBlock(amz, "x-amz-date")}}
	default:
		c.dates = []dateForm{{strings.TrimSpace(r.Header.Get("Date")), amzBlock(amz, "")}}
	}
	prefix := ""
	if vhostBucket != "" {
		prefix = "/" + vhostBucket
	}
	raw := rawPath(r)
	c.paths = []string{prefix + raw}
	if dec := r.URL.Path; dec != "" && dec != raw && !strings.Contains(dec, "?") {
		// Some clients sign the key as it reads rather than as sent. A
		// decoded "?" would make the path and the sub-resources
		// ambiguous ("/b/k%3Facl" against "/b/k?acl"), so not then.
		c.paths = append(c.paths, prefix+dec)
	}
	for _, p := range c.paths {
		if len(p) > 1 && strings.LastIndexByte(p, '/') == 0 {
			// A path-style request for a bucket ("/bucket") is signed
			// "/bucket/" by botocore, as the virtual-host form would be.
			c.paths = append(c.paths, p+"/")
		}
	}
	if q, _, _ := strings.Cut(r.URL.RawQuery, "&"); q != "" && !strings.ContainsAny(q, "%?") {
		// Older botocore releases (1.29, as Debian 12 ships) sign
		// path-style requests whose operation has a fixed query (?acl,
		// ?list-type=2, ?uploads...) with that query glued to the path,
		// sub-resources following: "/bucket?acl?acl",
		// "/bucket?list-type=2". No other form has a "?" in its path, so
		// this form cannot be another request's.
		c.paths = append(c.paths, prefix+raw+"?"+q)
	}
	c.subs = subresourceForms(r.URL.RawQuery)
	return c
}

// rawPath returns the path of the request URI as sent, up to the query.
func rawPath(r *http.Request) string {
	if u := r.RequestURI; strings.HasPrefix(u, "/") {
		if i := strings.IndexByte(u, '?'); i >= 0 {
			u = u[:i]
		}
		return u
	}
	if p := r.URL.EscapedPath(); p != "" {
		return p
	}
	return "/"
}

// amzHeaders returns the x-amz- headers of h by lower-case name, the
// values of repeated headers trimmed and joined with commas.
func amzHeaders(h http.Header) map[string]string {
	var m map[string]string
	for k, vv := range h {
		lk := strings.ToLower(k)
		if !strings.HasPrefix(lk, "x-amz-") {
			continue
		}
		if m == nil {
			m = make(map[string]string)
		}
		for _, v := range vv {
			v = unfold(v)
			if prev, ok := m[lk]; ok {
				v = prev + "," + v
			}
			m[lk] = v
		}
	}
	return m
}

// mergeQueryHeaders adds the x-amz- parameters of a presigned query (by
// lower-case name, from queryHeaderParams), which clients such as botocore
// move there from the headers they signed. A header of the same name wins:
// what the handler reads is what is signed.
func mergeQueryHeaders(m map[string]string, params map[string][]string) map[string]string {
	for lk, vv := range params {
		if !strings.HasPrefix(lk, "x-amz-") || len(vv) == 0 {
			continue
		}
		if _, ok := m[lk]; ok {
			continue
		}
		if m == nil {
			m = make(map[string]string)
		}
		vals := make([]string, len(vv))
		for i, v := range vv {
			vals[i] = unfold(v)
		}
		m[lk] = strings.Join(vals, ",")
	}
	return m
}

// unfold trims a header value and replaces folded line breaks (and the
// whitespace around them) with one space.
func unfold(v string) string {
	v = strings.TrimSpace(v)
	if !strings.ContainsAny(v, "\r\n") {
		return v
	}
	var b strings.Builder
	for i, line := range strings.FieldsFunc(v, func(r rune) bool { return r == '\r' || r == '\n' }) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strings.TrimSpace(line))
	}
	return b.String()
}

// amzBlock renders the CanonicalizedAmzHeaders: "name:value\n" sorted by
// name, without the header skip.
func amzBlock(m map[string]string, skip string) string {
	if len(m) == 0 {
		return ""
	}
	names := make([]string, 0, len(m))
	for k := range m {
		if k != skip {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(':')
		b.WriteString(m[k])
		b.WriteByte('\n')
	}
	return b.String()
}

// subresource is one sub-resource query parameter.
type subresource struct {
	key, value string
	hasValue   bool // the parameter had "=", even with an empty value
}

// subresourceForms returns the sub-resource part of the
// CanonicalizedResource: "" when there is none, else "?" and the
// sub-resources sorted by name, values decoded. When one is sent as
// "name=" with an empty value, a second form writes it as "name" (minio-go
// signs it so; botocore keeps the "=").
func subresourceForms(rawQuery string) []string {
	var subs []subresource
	emptyWithEq := false
	for part := range strings.SplitSeq(rawQuery, "&") {
		k, v, has := strings.Cut(part, "=")
		if !isSubresource(k) {
			continue
		}
		if dec, err := url.PathUnescape(v); err == nil {
			v = dec
		}
		subs = append(subs, subresource{k, v, has})
		emptyWithEq = emptyWithEq || (has && v == "")
	}
	if len(subs) == 0 {
		return []string{""}
	}
	slices.SortStableFunc(subs, func(a, b subresource) int { return strings.Compare(a.key, b.key) })
	forms := []string{renderSubresources(subs, true)}
	if emptyWithEq {
		forms = append(forms, renderSubresources(subs, false))
	}
	return forms
}

func renderSubresources(subs []subresource, keepEmpty bool) string {
	var b strings.Builder
	for i, s := range subs {
		if i == 0 {
			b.WriteByte('?')
		} else {
			b.WriteByte('&')
		}
		b.WriteString(s.key)
		if s.value != "" || (s.hasValue && keepEmpty) {
			b.WriteByte('=')
			b.WriteString(s.value)
		}
	}
	return b.String()
}

// appendStringToSign appends one form of the StringToSign to buf.
func (c *canon) appendStringToSign(buf []byte, d dateForm, path, sub string) []byte {
	buf = append(buf, c.head...)
	buf = append(buf, d.date...)
	buf = append(buf, '\n')
	buf = append(buf, d.amz...)
	buf = append(buf, path...)
	return append(buf, sub...)
}

// first returns the StringToSign in the form AWS's text describes, the
// one Sign and Presign use.
func (c *canon) first() string {
	return string(c.appendStringToSign(nil, c.dates[0], c.paths[0], c.subs[0]))
}

// each calls fn with every form of the StringToSign until fn returns true,
// and reports whether it did.
func (c *canon) each(fn func(sts []byte) bool) bool {
	buf := make([]byte, 0, 512)
	for _, d := range c.dates {
		for _, p := range c.paths {
			for _, s := range c.subs {
				buf = c.appendStringToSign(buf[:0], d, p, s)
				if fn(buf) {
					return true
				}
			}
		}
	}
	return false
}
