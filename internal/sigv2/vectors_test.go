package sigv2

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The credentials of the examples in AWS's "Signing and authenticating
// REST requests" (Signature Version 2) section of the S3 guide.
const (
	exampleAccessKey = "AKIAIOSFODNN7EXAMPLE"
	exampleSecretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
)

func exampleLookup(k string) (Credentials, bool) {
	return Credentials{AccessKey: exampleAccessKey, SecretKey: exampleSecretKey}, k == exampleAccessKey
}

// example is one of AWS's worked examples: the request as the guide shows
// it, its StringToSign and the signature in its Authorization header.
type example struct {
	name        string
	method      string
	target      string // request URI as sent
	host        string
	vhostBucket string
	headers     [][2]string // in order; repeated names allowed
	sts         string
	signature   string
}

// awsExamples are the guide's examples with their exact values.
var awsExamples = []example{
	{
		name: "object GET", method: "GET", target: "/photos/puppy.jpg",
		host: "awsexamplebucket1.us-west-1.s3.amazonaws.com", vhostBucket: "awsexamplebucket1",
		headers:   [][2]string{{"Date", "Tue, 27 Mar 2007 19:36:42 +0000"}},
		sts:       "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/awsexamplebucket1/photos/puppy.jpg",
		signature: "qgk2+6Sv9/oM7G3qLEjTH1a1l1g=",
	},
	{
		name: "object PUT", method: "PUT", target: "/photos/puppy.jpg",
		host: "awsexamplebucket1.s3.us-west-1.amazonaws.com", vhostBucket: "awsexamplebucket1",
		headers: [][2]string{
			{"Content-Type", "image/jpeg"}, {"Content-Length", "94328"},
			{"Date", "Tue, 27 Mar 2007 21:15:45 +0000"},
		},
		sts:       "PUT\n\nimage/jpeg\nTue, 27 Mar 2007 21:15:45 +0000\n/awsexamplebucket1/photos/puppy.jpg",
		signature: "iqRzw+ileNPu1fhspnRs8nOjjIA=",
	},
	{
		name: "list", method: "GET", target: "/?prefix=photos&max-keys=50&marker=puppy",
		host: "awsexamplebucket1.s3.us-west-1.amazonaws.com", vhostBucket: "awsexamplebucket1",
		headers:   [][2]string{{"User-Agent", "Mozilla/5.0"}, {"Date", "Tue, 27 Mar 2007 19:42:41 +0000"}},
		sts:       "GET\n\n\nTue, 27 Mar 2007 19:42:41 +0000\n/awsexamplebucket1/",
		signature: "m0WP8eCtspQl5Ahe6L1SozdX9YA=",
	},
	{
		name: "fetch acl", method: "GET", target: "/?acl",
		host: "awsexamplebucket1.s3.us-west-1.amazonaws.com", vhostBucket: "awsexamplebucket1",
		headers:   [][2]string{{"Date", "Tue, 27 Mar 2007 19:44:46 +0000"}},
		sts:       "GET\n\n\nTue, 27 Mar 2007 19:44:46 +0000\n/awsexamplebucket1/?acl",
		signature: "82ZHiFIjc+WbcwFKGUVEQspPn+0=",
	},
	{
		// Path style, with x-amz-date taking precedence over Date. The
		// guide's StringToSign carries the x-amz-date value on the Date
		// line (its text describes an empty Date line instead, which
		// TestXAmzDateForms covers).
		name: "delete with x-amz-date", method: "DELETE", target: "/awsexamplebucket1/photos/puppy.jpg",
		host: "s3.us-west-1.amazonaws.com",
		headers: [][2]string{
			{"User-Agent", "dotnet"}, {"Date", "Tue, 27 Mar 2007 21:20:27 +0000"},
			{"x-amz-date", "Tue, 27 Mar 2007 21:20:26 +0000"},
		},
		sts:       "DELETE\n\n\nTue, 27 Mar 2007 21:20:26 +0000\n/awsexamplebucket1/photos/puppy.jpg",
		signature: "XbyTlbQdu9Xw5o8P4iMwPktxQd8=",
	},
	{
		// A CNAME-style virtual-hosted bucket: the whole host is the
		// bucket. The request as the S3 developer guide shows it; the
		// user guide later renamed the host to static.example.com but
		// kept this signature, which signs these names.
		name: "upload with metadata and Content-MD5", method: "PUT", target: "/db-backup.dat.gz",
		host: "static.awsexamplebucket1.net:8080", vhostBucket: "static.awsexamplebucket1.net",
		headers: [][2]string{
			{"User-Agent", "curl/7.15.5"}, {"Date", "Tue, 27 Mar 2007 21:06:08 +0000"},
			{"x-amz-acl", "public-read"}, {"content-type", "application/x-download"},
			{"Content-MD5", "4gJE4saaMU4BqNR0kLY+lw=="},
			{"X-Amz-Meta-ReviewedBy", "joe@awsexamplebucket1.net"}, {"X-Amz-Meta-ReviewedBy", "jane@awsexamplebucket1.net"},
			{"X-Amz-Meta-FileChecksum", "0x02661779"}, {"X-Amz-Meta-ChecksumAlgorithm", "crc32"},
			{"Content-Disposition", "attachment; filename=database.dat"}, {"Content-Encoding", "gzip"},
			{"Content-Length", "5913339"},
		},
		sts: "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n" +
			"x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n" +
			"x-amz-meta-reviewedby:joe@awsexamplebucket1.net,jane@awsexamplebucket1.net\n/static.awsexamplebucket1.net/db-backup.dat.gz",
		signature: "dKZcB+bz2EPXgSdXZp9ozGeOM4I=",
	},
	{
		name: "list all my buckets", method: "GET", target: "/", host: "s3.us-west-1.amazonaws.com",
		headers:   [][2]string{{"Date", "Wed, 28 Mar 2007 01:29:59 +0000"}},
		sts:       "GET\n\n\nWed, 28 Mar 2007 01:29:59 +0000\n/",
		signature: "qGdzdERIC03wnaRNKh6OqZehG9s=",
	},
	{
		// The path is signed as sent, percent-encoding case included.
		name: "unicode keys", method: "GET", target: "/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
		host:      "s3.us-west-1.amazonaws.com",
		headers:   [][2]string{{"Date", "Wed, 28 Mar 2007 01:49:49 +0000"}},
		sts:       "GET\n\n\nWed, 28 Mar 2007 01:49:49 +0000\n/dictionary/fran%C3%A7ais/pr%c3%a9f%c3%a8re",
		signature: "DNEZGsoieTZ92F3bUfSPQcbGmlM=",
	},
}

// serverRequest builds r as a server receives it: RequestURI as sent,
// headers in order.
func (e example) serverRequest(auth string) *http.Request {
	r := httptest.NewRequest(e.method, e.target, nil)
	r.Host = e.host
	for _, h := range e.headers {
		r.Header.Add(h[0], h[1])
	}
	if auth != "" {
		r.Header.Set("Authorization", auth)
	}
	return r
}

// forms returns every form of the StringToSign newCanon considers.
func forms(c canon) []string {
	var out []string
	c.each(func(sts []byte) bool { out = append(out, string(sts)); return false })
	return out
}

func TestAWSExamples(t *testing.T) {
	for _, e := range awsExamples {
		t.Run(e.name, func(t *testing.T) {
			r := e.serverRequest("AWS " + exampleAccessKey + ":" + e.signature)
			at, err := requestTime(r.Header)
			if err != nil {
				t.Fatal(err)
			}
			c := newCanon(r, e.vhostBucket, nil)
			all := forms(c)
			found := false
			for _, f := range all {
				found = found || f == e.sts
			}
			if !found {
				t.Fatalf("StringToSign: got forms %q, want one to be %q", all, e.sts)
			}
			if got := signString(exampleSecretKey, e.sts); got != e.signature {
				t.Fatalf("signature of the guide's StringToSign: got %s, want %s", got, e.signature)
			}
			v := &Verifier{Lookup: exampleLookup, Now: func() time.Time { return at.Add(3 * time.Minute) }}
			res, err := v.Verify(r, e.vhostBucket)
			if err != nil {
				t.Fatalf("Verify: got %v, want success", err)
			}
			if res.AccessKey != exampleAccessKey || res.Presigned || !res.SignedAt.Equal(at) {
				t.Fatalf("result: got %+v, want access key %s signed at %v", res, exampleAccessKey, at)
			}
		})
	}
}

// TestAWSExamplesSign checks that Sign reproduces the guide's signatures
// where its StringToSign follows the guide's text.
func TestAWSExamplesSign(t *testing.T) {
	cred := Credentials{exampleAccessKey, exampleSecretKey}
	for _, e := range awsExamples {
		if e.name == "delete with x-amz-date" {
			continue // signed in the form of the guide's text; see TestXAmzDateForms
		}
		t.Run(e.name, func(t *testing.T) {
			r := e.serverRequest("")
			if got := StringToSign(r, e.vhostBucket); got != e.sts {
				t.Fatalf("StringToSign: got %q, want %q", got, e.sts)
			}
			Sign(r, cred, e.vhostBucket, time.Time{})
			if got, want := r.Header.Get("Authorization"), "AWS "+exampleAccessKey+":"+e.signature; got != want {
				t.Fatalf("Authorization: got %q, want %q", got, want)
			}
		})
	}
}

// TestAWSQueryExample verifies the guide's query-string authentication
// example. Its signature was computed for the bucket name of the guide's
// earlier editions, johnsmith, which the request names here.
func TestAWSQueryExample(t *testing.T) {
	const target = "/photos/puppy.jpg?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
	const sts = "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"
	r := httptest.NewRequest("GET", target, nil)
	r.Host = "johnsmith.s3.amazonaws.com"
	c := newCanon(r, "johnsmith", &presignInput{expires: "1175139620"})
	if got := c.first(); got != sts {
		t.Fatalf("StringToSign: got %q, want %q", got, sts)
	}
	expires := time.Unix(1175139620, 0)
	tests := []struct {
		name string
		now  time.Time
		want error
	}{
		{"a day before expiry", expires.Add(-24 * time.Hour), nil},
		{"at expiry", expires, nil},
		{"a second after expiry", expires.Add(time.Second), ErrExpiredRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &Verifier{Lookup: exampleLookup, Now: func() time.Time { return tc.now }}
			res, err := v.Verify(r, "johnsmith")
			if tc.want != nil {
				assertCode(t, err, tc.want, "AccessDenied", "Request has expired")
				return
			}
			if err != nil {
				t.Fatalf("Verify: got %v, want success", err)
			}
			if !res.Presigned || !res.Expires.Equal(expires) || res.AccessKey != exampleAccessKey {
				t.Fatalf("result: got %+v, want presigned by %s until %v", res, exampleAccessKey, expires)
			}
		})
	}
}
