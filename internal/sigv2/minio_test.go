package sigv2

import (
	"testing"

	"github.com/minio/minio-go/v7/pkg/signer"
)

// TestMinioGoSigner verifies requests signed by minio-go's SigV2 signer
// (the one its client and mc use with signature v2), path and virtual-host
// style, with the header and with query parameters.
func TestMinioGoSigner(t *testing.T) {
	tests := []struct {
		name    string
		method  string
		url     string
		vhost   string
		headers map[string][]string
	}{
		{name: "get object", method: "GET", url: "http://127.0.0.1:9000/bucket/dir/key.txt"},
		{name: "list buckets", method: "GET", url: "http://127.0.0.1:9000/"},
		{name: "list objects", method: "GET", url: "http://127.0.0.1:9000/bucket/?delimiter=%2F&max-keys=1000&prefix=dir%2F"},
		{name: "create upload", method: "POST", url: "http://127.0.0.1:9000/bucket/big?uploads="},
		{name: "upload part", method: "PUT", url: "http://127.0.0.1:9000/bucket/big?partNumber=2&uploadId=Zm9v"},
		{name: "delete objects", method: "POST", url: "http://127.0.0.1:9000/bucket/?delete="},
		{name: "unicode key", method: "GET", url: "http://127.0.0.1:9000/bucket/%C3%A9t%C3%A9%20plage.jpg"},
		{name: "response overrides", method: "GET", url: "http://127.0.0.1:9000/bucket/k?response-content-type=text%2Fplain"},
		{name: "put with metadata", method: "PUT", url: "http://127.0.0.1:9000/bucket/k",
			headers: map[string][]string{"Content-Type": {"image/png"}, "X-Amz-Meta-Owner": {"ann"}, "Content-Md5": {"1B2M2Y8AsgTpgAmY7PhCfg=="}}},
		{name: "virtual host", method: "GET", url: "http://bucket.s3.hoard.test:9000/dir/key.txt", vhost: "bucket"},
		{name: "virtual host acl", method: "GET", url: "http://bucket.s3.hoard.test:9000/?acl=", vhost: "bucket"},
	}
	v := &Verifier{Lookup: testLookup}
	for _, tc := range tests {
		t.Run(tc.name+"/header", func(t *testing.T) {
			r := clientRequest(t, tc.method, tc.url, "", tc.headers)
			r = signer.SignV2(*r, testAccessKey, testSecretKey, tc.vhost != "")
			if _, err := v.Verify(onTheWire(t, r), tc.vhost); err != nil {
				t.Fatalf("Verify: got %v, want success (Authorization %q)", err, r.Header.Get("Authorization"))
			}
		})
		t.Run(tc.name+"/presigned", func(t *testing.T) {
			r := clientRequest(t, tc.method, tc.url, "", tc.headers)
			r = signer.PreSignV2(*r, testAccessKey, testSecretKey, 600, tc.vhost != "")
			r.Header.Del("Expires") // PreSignV2 notes it there; a browser sends only the URL
			res, err := v.Verify(onTheWire(t, r), tc.vhost)
			if err != nil {
				t.Fatalf("Verify %s: got %v, want success", r.URL, err)
			}
			if !res.Presigned {
				t.Fatalf("result: got %+v, want presigned", res)
			}
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		r := clientRequest(t, "GET", "http://127.0.0.1:9000/bucket/k", "", nil)
		r = signer.SignV2(*r, testAccessKey, "not-the-secret", false)
		_, err := v.Verify(onTheWire(t, r), "")
		assertCode(t, err, ErrSignatureDoesNotMatch, "SignatureDoesNotMatch", "")
	})
}
