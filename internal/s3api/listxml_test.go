package s3api

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/storage"
)

// The listing answers used to be encoding/xml documents of the types
// below. They stay here as the reference the hand-written encoder of
// listxml.go must match byte for byte.

// objectXML is one entry of a listing.
type objectXML struct {
	Key               string `xml:"Key"`
	LastModified      string `xml:"LastModified"`
	ETag              string `xml:"ETag"`
	ChecksumAlgorithm string `xml:"ChecksumAlgorithm,omitempty"`
	ChecksumType      string `xml:"ChecksumType,omitempty"`
	Size              int64  `xml:"Size"`
	StorageClass      string `xml:"StorageClass"`
	Owner             *owner `xml:"Owner,omitempty"`
}

type listBucketResult struct {
	XMLName        xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name           string         `xml:"Name"`
	Prefix         string         `xml:"Prefix"`
	Marker         string         `xml:"Marker"`
	NextMarker     string         `xml:"NextMarker,omitempty"`
	MaxKeys        int            `xml:"MaxKeys"`
	Delimiter      string         `xml:"Delimiter,omitempty"`
	IsTruncated    bool           `xml:"IsTruncated"`
	EncodingType   string         `xml:"EncodingType,omitempty"`
	Contents       []objectXML    `xml:"Contents"`
	CommonPrefixes []commonPrefix `xml:"CommonPrefixes"`
}

type listBucketResultV2 struct {
	XMLName               xml.Name       `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListBucketResult"`
	Name                  string         `xml:"Name"`
	Prefix                string         `xml:"Prefix"`
	MaxKeys               int            `xml:"MaxKeys"`
	KeyCount              int            `xml:"KeyCount"`
	Delimiter             string         `xml:"Delimiter,omitempty"`
	IsTruncated           bool           `xml:"IsTruncated"`
	EncodingType          string         `xml:"EncodingType,omitempty"`
	ContinuationToken     string         `xml:"ContinuationToken,omitempty"`
	NextContinuationToken string         `xml:"NextContinuationToken,omitempty"`
	StartAfter            string         `xml:"StartAfter,omitempty"`
	Contents              []objectXML    `xml:"Contents"`
	CommonPrefixes        []commonPrefix `xml:"CommonPrefixes"`
}

// versionXML is a Version or (XMLName DeleteMarker, without ETag, Size
// and StorageClass) a DeleteMarker element.
type versionXML struct {
	XMLName      xml.Name
	Key          string  `xml:"Key"`
	VersionID    string  `xml:"VersionId"`
	IsLatest     bool    `xml:"IsLatest"`
	LastModified string  `xml:"LastModified"`
	ETag         *string `xml:"ETag"`
	Size         *int64  `xml:"Size"`
	StorageClass *string `xml:"StorageClass"`
	Owner        owner   `xml:"Owner"`
}

type listVersionsResult struct {
	XMLName             xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ ListVersionsResult"`
	Name                string   `xml:"Name"`
	Prefix              string   `xml:"Prefix"`
	KeyMarker           string   `xml:"KeyMarker"`
	VersionIDMarker     string   `xml:"VersionIdMarker"`
	NextKeyMarker       string   `xml:"NextKeyMarker,omitempty"`
	NextVersionIDMarker string   `xml:"NextVersionIdMarker,omitempty"`
	MaxKeys             int      `xml:"MaxKeys"`
	Delimiter           string   `xml:"Delimiter,omitempty"`
	IsTruncated         bool     `xml:"IsTruncated"`
	EncodingType        string   `xml:"EncodingType,omitempty"`
	Versions            []versionXML
	CommonPrefixes      []commonPrefix `xml:"CommonPrefixes"`
}

func refEntries(d *listDoc, objs []storage.ObjectInfo) []objectXML {
	out := make([]objectXML, len(objs))
	for i, o := range objs {
		out[i] = objectXML{
			Key:          d.p.encode(o.Key),
			LastModified: xmlTime(o.ModTime),
			ETag:         quoteETag(o.ETag),
			Size:         o.Size,
			StorageClass: storageClassOf(o),
		}
		if !o.Checksum.IsZero() {
			out[i].ChecksumAlgorithm = string(o.Checksum.Algorithm)
			out[i].ChecksumType = string(o.Checksum.Type)
		}
		out[i].Owner = d.owner
	}
	return out
}

func refListV1(d *listDoc, marker string, res *storage.ListResult) any {
	out := listBucketResult{
		Name:           d.bucket,
		Prefix:         d.p.encode(d.p.prefix),
		Marker:         d.p.encode(marker),
		MaxKeys:        d.p.maxKeys,
		Delimiter:      d.p.encode(d.p.delimiter),
		IsTruncated:    res.IsTruncated,
		EncodingType:   d.p.encoding,
		Contents:       refEntries(d, res.Objects),
		CommonPrefixes: d.p.prefixes(res.CommonPrefixes),
	}
	if res.IsTruncated && d.p.delimiter != "" {
		out.NextMarker = d.p.encode(res.NextMarker)
	}
	return out
}

func refListV2(d *listDoc, token, next, startAfter string, res *storage.ListResult) any {
	return listBucketResultV2{
		Name:                  d.bucket,
		Prefix:                d.p.encode(d.p.prefix),
		MaxKeys:               d.p.maxKeys,
		KeyCount:              len(res.Objects) + len(res.CommonPrefixes),
		Delimiter:             d.p.encode(d.p.delimiter),
		IsTruncated:           res.IsTruncated,
		EncodingType:          d.p.encoding,
		ContinuationToken:     token,
		NextContinuationToken: next,
		StartAfter:            d.p.encode(startAfter),
		Contents:              refEntries(d, res.Objects),
		CommonPrefixes:        d.p.prefixes(res.CommonPrefixes),
	}
}

// asVersions is the version listing of an unversioned bucket whose
// listing is res: every object its only, null, version.
func asVersions(res storage.ListResult) storage.ListVersionsResult {
	out := storage.ListVersionsResult{CommonPrefixes: res.CommonPrefixes, IsTruncated: res.IsTruncated}
	for _, o := range res.Objects {
		o.IsLatest = true
		out.Versions = append(out.Versions, o)
	}
	if res.IsTruncated {
		out.NextKeyMarker, out.NextVersionIDMarker = res.NextMarker, "null"
	}
	return out
}

func refListVersions(d *listDoc, keyMarker, versionMarker string, res *storage.ListVersionsResult) any {
	out := listVersionsResult{
		Name:            d.bucket,
		Prefix:          d.p.encode(d.p.prefix),
		KeyMarker:       d.p.encode(keyMarker),
		VersionIDMarker: versionMarker,
		MaxKeys:         d.p.maxKeys,
		Delimiter:       d.p.encode(d.p.delimiter),
		IsTruncated:     res.IsTruncated,
		EncodingType:    d.p.encoding,
		CommonPrefixes:  d.p.prefixes(res.CommonPrefixes),
	}
	for _, o := range res.Versions {
		v := versionXML{
			XMLName:      xml.Name{Local: "DeleteMarker"},
			Key:          d.p.encode(o.Key),
			VersionID:    versionIDOut(o.VersionID),
			IsLatest:     o.IsLatest,
			LastModified: xmlTime(o.ModTime),
			Owner:        *d.owner,
		}
		if !o.DeleteMarker {
			etag, size, sc := quoteETag(o.ETag), o.Size, storageClassOf(o)
			v.XMLName.Local, v.ETag, v.Size, v.StorageClass = "Version", &etag, &size, &sc
		}
		out.Versions = append(out.Versions, v)
	}
	if res.IsTruncated {
		out.NextKeyMarker = d.p.encode(res.NextKeyMarker)
		out.NextVersionIDMarker = res.NextVersionIDMarker
	}
	return out
}

// refVersionsEncode encodes a reference version listing: encoding/xml
// gives its Version and DeleteMarker elements (named by their XMLName
// value, to keep them interleaved) an empty xmlns, which S3 does not.
func refVersionsEncode(t *testing.T, v any) []byte {
	b := refEncode(t, v)
	b = bytes.ReplaceAll(b, []byte(`<Version xmlns="">`), []byte(`<Version>`))
	return bytes.ReplaceAll(b, []byte(`<DeleteMarker xmlns="">`), []byte(`<DeleteMarker>`))
}

func refEncode(t *testing.T, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	if err := xml.NewEncoder(&buf).Encode(v); err != nil {
		t.Fatalf("reference encoding: %v", err)
	}
	return buf.Bytes()
}

// listCase is one listing answer, shown by all three listing operations.
type listCase struct {
	bucket, marker, token, startAfter string
	p                                 listParams
	withOwner                         bool
	res                               storage.ListResult
	// versions, when set, is the version listing to show instead of
	// res's objects as null versions.
	versions *storage.ListVersionsResult
}

// checkListCase compares the hand-written documents with the reference
// ones for c.
func checkListCase(t *testing.T, c listCase) {
	t.Helper()
	d := &listDoc{bucket: c.bucket, p: c.p}
	if c.withOwner {
		d.owner = &owner{ID: "0123<abc>", DisplayName: "hoard & co"}
	}
	next := ""
	if c.res.IsTruncated {
		next = base64.RawURLEncoding.EncodeToString([]byte(c.res.NextMarker))
	}
	docs := []struct {
		name      string
		got, want func() []byte
	}{
		{"v1", func() []byte { return appendListV1([]byte(xmlDocHeader), d, c.marker, &c.res) },
			func() []byte { return refEncode(t, refListV1(d, c.marker, &c.res)) }},
		{"v2", func() []byte { return appendListV2([]byte(xmlDocHeader), d, c.token, next, c.startAfter, &c.res) },
			func() []byte { return refEncode(t, refListV2(d, c.token, next, c.startAfter, &c.res)) }},
	}
	vres := asVersions(c.res)
	if c.versions != nil {
		vres = *c.versions
	}
	if d.owner != nil {
		docs = append(docs, struct {
			name      string
			got, want func() []byte
		}{"versions", func() []byte { return appendListVersions([]byte(xmlDocHeader), d, c.marker, c.token, &vres) },
			func() []byte { return refVersionsEncode(t, refListVersions(d, c.marker, c.token, &vres)) }})
	}
	for _, doc := range docs {
		if got, want := doc.got(), doc.want(); !bytes.Equal(got, want) {
			t.Errorf("%s:\ngot  %q\nwant %q", doc.name, got, want)
		}
	}
}

func TestListXMLMatchesEncodingXML(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 2, 29, 23, 59, 58, 987654321, time.FixedZone("x", 3600))
	obj := func(key string) storage.ObjectInfo {
		return storage.ObjectInfo{Key: key, ETag: "d41d8cd98f00b204e9800998ecf8427e", Size: 1024, ModTime: mod}
	}
	special := []string{
		`a&b<c>d"e'f`, "tab\there", "nl\nret\rend", "ctl\x01\x1f\x7f", "bad\xffutf8\xc3", "\ufffd\ufffe\uffff",
		"snow ☃ man/é/😀", "sp ace+plus%pct/~._-", "\xed\xa0\x80surrogate", "\U0010FFFF\xf4\x90\x80\x80",
	}
	many := storage.ListResult{IsTruncated: true, NextMarker: "dir/z&z", CommonPrefixes: []string{"a/", "b<&>/", "c\x00/"}}
	for _, k := range special {
		many.Objects = append(many.Objects, obj(k))
	}
	withFields := obj("k")
	withFields.Checksum = storage.Checksum{Algorithm: "CRC32", Type: "FULL_OBJECT", Value: "AAAAAA=="}
	withFields.StorageClass = "REDUCED_REDUNDANCY"
	withFields.VersionID = "v<1>"
	multipart := obj("mp")
	multipart.ETag = `abc"-3`
	multipart.Checksum = storage.Checksum{Algorithm: "SHA256", Type: "COMPOSITE"}
	old := obj("old")
	old.ModTime = time.Time{}
	far := obj("far")
	far.ModTime = time.Date(12000, 1, 1, 0, 0, 0, 0, time.UTC)
	neg := obj("neg")
	neg.ModTime = time.Date(-5, 1, 1, 0, 0, 0, 0, time.UTC)
	version := func(key, id string, latest bool) storage.ObjectInfo {
		o := obj(key)
		o.VersionID, o.IsLatest = id, latest
		return o
	}
	marker := func(key, id string, latest bool) storage.ObjectInfo {
		return storage.ObjectInfo{Key: key, VersionID: id, IsLatest: latest, DeleteMarker: true, ModTime: mod}
	}
	cases := []struct {
		name string
		c    listCase
	}{
		{"empty", listCase{bucket: "bkt", p: listParams{maxKeys: 1000}}},
		{"empty max-keys 0", listCase{bucket: "bkt", p: listParams{maxKeys: 0, prefix: "p/", delimiter: "/"}}},
		{"plain", listCase{bucket: "bkt", p: listParams{maxKeys: 2}, res: storage.ListResult{Objects: []storage.ObjectInfo{obj("a"), obj("b")}}}},
		{"special keys", listCase{bucket: "bkt", marker: "m&", token: "dG9r", startAfter: "s<", p: listParams{prefix: "<p>", delimiter: "&", maxKeys: 1000}, res: many}},
		{"special keys url", listCase{bucket: "bkt", marker: "m &/x", token: "dG9r", startAfter: "s<+", p: listParams{prefix: "p q/", delimiter: "/", encoding: "url", maxKeys: 1000}, res: many}},
		{"special keys owner", listCase{bucket: "bkt", withOwner: true, p: listParams{maxKeys: 7}, res: many}},
		{"special keys owner url", listCase{bucket: "bkt", withOwner: true, p: listParams{encoding: "url", maxKeys: 7}, res: many}},
		{"fields", listCase{bucket: "bkt", withOwner: true, p: listParams{maxKeys: 3}, res: storage.ListResult{Objects: []storage.ObjectInfo{withFields, multipart, old, far, neg}}}},
		{"truncated no delimiter", listCase{bucket: "bkt", p: listParams{maxKeys: 1}, res: storage.ListResult{IsTruncated: true, NextMarker: "a", Objects: []storage.ObjectInfo{obj("a")}}}},
		{"truncated empty marker", listCase{bucket: "bkt", p: listParams{maxKeys: 1, delimiter: "/"}, res: storage.ListResult{IsTruncated: true}}},
		{"versions and delete markers", listCase{bucket: "bkt", withOwner: true, marker: "k", token: "v0", p: listParams{maxKeys: 4, delimiter: "/", encoding: "url"}, versions: &storage.ListVersionsResult{
			Versions:    []storage.ObjectInfo{marker("a b", "m1", true), version("a b", "v2", false), version("a b", "", false), marker("c&", "", true)},
			IsTruncated: true, NextKeyMarker: "c&", NextVersionIDMarker: "null", CommonPrefixes: []string{"d/"},
		}}},
		{"prefixes only", listCase{bucket: "bkt", p: listParams{maxKeys: 2, delimiter: "/", encoding: "url"}, res: storage.ListResult{CommonPrefixes: []string{"x y/", "é/"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			checkListCase(t, tc.c)
		})
	}
}

func TestAppendISO8601(t *testing.T) {
	t.Parallel()
	for _, tm := range []time.Time{
		{}, time.Unix(0, 0), time.Unix(1700000000, 999999999), time.Date(2024, 12, 31, 23, 59, 59, 1e6, time.FixedZone("y", -7200)),
		time.Date(9999, 12, 31, 23, 59, 59, 999e6, time.UTC), time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		if got, want := string(appendISO8601(nil, tm)), xmlTime(tm); got != want {
			t.Errorf("appendISO8601(%v): got %q, want %q", tm, got, want)
		}
	}
	// Every day from 1970 to 2200 and every seventh up to 9999 (leap years,
	// centuries), at a varying time of day.
	step := func(days int64) int64 {
		if days < 84000 {
			return 1
		}
		return 7
	}
	for days, tod := int64(0), int64(0); days < 2932897; days, tod = days+step(days), (tod+7919)%86400 {
		tm := time.Unix(days*86400+tod, tod*11113%1e9)
		if got, want := string(appendISO8601(nil, tm)), xmlTime(tm); got != want {
			t.Fatalf("appendISO8601(%v): got %q, want %q", tm, got, want)
		}
	}
}

// FuzzListXML compares the hand-written listing documents with the
// encoding/xml reference on arbitrary keys, prefixes and fields.
func FuzzListXML(f *testing.F) {
	f.Add("bkt", "a&b", "c<d>", "p/", "/", "m", "dG9r", "CRC32", "FULL_OBJECT", "", int64(5), int64(1700000000123456789), uint8(0))
	f.Add("b", "\xff\x00\t", "é\ufffe", "", "", "", "", "", "", "GLACIER", int64(0), int64(-1), uint8(15))
	f.Add("b", "x y+z/%", "~._-", "x ", " ", "x y", "", "SHA1", "", "", int64(1<<40), int64(0), uint8(7))
	f.Fuzz(func(t *testing.T, bucket, key1, key2, prefix, delim, marker, token, algo, ctype, class string, size, nanos int64, flags uint8) {
		p := listParams{prefix: prefix, delimiter: delim, maxKeys: int(size & 1023)}
		if flags&1 != 0 {
			p.encoding = "url"
		}
		mk := func(k string) storage.ObjectInfo {
			return storage.ObjectInfo{Key: k, ETag: key2 + "-2", Size: size, ModTime: time.Unix(0, nanos), StorageClass: class,
				Checksum: storage.Checksum{Algorithm: storage.ChecksumAlgorithm(algo), Type: storage.ChecksumType(ctype)}, VersionID: token}
		}
		c := listCase{bucket: bucket, marker: marker, token: token, startAfter: key2, p: p, withOwner: flags&2 != 0,
			res: storage.ListResult{IsTruncated: flags&4 != 0, NextMarker: key1 + key2, Objects: []storage.ObjectInfo{mk(key1), mk(key2)}}}
		if flags&8 != 0 {
			c.res.CommonPrefixes = []string{prefix + delim, strings.ToUpper(key1) + delim}
		}
		checkListCase(t, c)
	})
}

// BenchmarkListXML encodes a 1,000-key ListObjectsV2 answer, by hand and
// through encoding/xml (the reference).
func BenchmarkListXML(b *testing.B) {
	res := storage.ListResult{IsTruncated: true, NextMarker: "dir/obj0000999"}
	mod := time.Now()
	for i := range 1000 {
		res.Objects = append(res.Objects, storage.ObjectInfo{Key: "dir/obj" + strconv.Itoa(1000000+i), ETag: "d41d8cd98f00b204e9800998ecf8427e", Size: 1024, ModTime: mod.Add(time.Duration(i) * time.Millisecond)})
	}
	d := &listDoc{bucket: "bench", p: listParams{maxKeys: 1000}}
	b.Run("hand", func(b *testing.B) {
		buf := make([]byte, 0, d.sizeHint(&res))
		b.ReportAllocs()
		for b.Loop() {
			buf = appendListV2(buf[:0], d, "", "token", "", &res)
		}
		b.SetBytes(int64(len(buf)))
	})
	b.Run("encoding-xml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var out bytes.Buffer
			if err := xml.NewEncoder(&out).Encode(refListV2(d, "", "token", "", &res)); err != nil {
				b.Fatal(err)
			}
		}
	})
}
