package s3api

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzRequestXML feeds arbitrary bytes to every request document decoder:
// they must answer MalformedXML or succeed, never panic.
func FuzzRequestXML(f *testing.F) {
	for _, seed := range []string{
		`<Delete><Quiet>true</Quiet><Object><Key>a</Key></Object><Object><Key>b</Key><VersionId>null</VersionId></Object></Delete>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>"abc"</ETag><ChecksumCRC32>AAAAAA==</ChecksumCRC32></Part></CompleteMultipartUpload>`,
		`<Tagging><TagSet><Tag><Key>k</Key><Value>v</Value></Tag></TagSet></Tagging>`,
		`<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>`,
		`<AccessControlPolicy><Owner><ID>x</ID></Owner></AccessControlPolicy>`,
		`<?xml version="1.0"?><Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>&amp;</Key></Object></Delete>`,
		`<Delete><Object><Key>`, ``, `<<<>>>`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, v := range []any{&deleteRequest{}, &completeMultipartUpload{}, &tagging{}, &createBucketConfiguration{}, &accessControlPolicy{}} {
			if err := xmlUnmarshal(data, v); err != nil && toAPIError(err).Code != "MalformedXML" {
				t.Fatalf("%T: got %v, want MalformedXML", v, err)
			}
		}
		var tg tagging
		if xmlUnmarshal(data, &tg) == nil {
			if tags, err := validateTags(tg.TagSet); err == nil && len(tags) > maxTags {
				t.Fatalf("validateTags accepted %d tags", len(tags))
			}
		}
	})
}

// FuzzRoute checks the router and the header parsers never panic and keep
// their invariants on arbitrary paths, queries and headers.
func FuzzRoute(f *testing.F) {
	f.Add("GET", "/b/k?tagging", "bytes=0-5", "/src/key?versionId=1", "b.s3.example.com")
	f.Add("PUT", "/b/a%20b//c?partNumber=1&uploadId=x", "bytes=-5", "src%2Fkey", "localhost")
	f.Add("POST", "/b?delete", "bytes=5-", "/", "")
	f.Fuzz(func(t *testing.T, method, target, rng, copySrc, host string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(method+target+host, " \r\n\t") || method == "" {
			return
		}
		r, err := newFuzzRequest(method, target)
		if err != nil {
			return
		}
		r.Host = host
		r.Header.Set("X-Amz-Copy-Source", copySrc)
		rt := Parse(r, []string{"s3.example.com"})
		if rt.Op == "" {
			t.Fatalf("empty op for %s %s", method, target)
		}
		for _, size := range []int64{0, 1, 100} {
			br, ok, err := parseRange(rng, size)
			if ok && (br.start < 0 || br.length <= 0 || br.start+br.length > size) {
				t.Fatalf("parseRange(%q, %d) = %+v outside the object", rng, size, br)
			}
			if ok && err != nil {
				t.Fatal("both a range and an error")
			}
		}
		if src, err := parseCopySource(copySrc); err == nil && (src.bucket == "" || src.key == "") {
			t.Fatalf("parseCopySource(%q) = %+v without bucket or key", copySrc, src)
		}
	})
}

func newFuzzRequest(method, target string) (r *http.Request, err error) {
	defer func() {
		if recover() != nil {
			err = errBadTarget
		}
	}()
	return httptest.NewRequest(method, target, nil), nil
}

var errBadTarget = errors.New("bad target")
