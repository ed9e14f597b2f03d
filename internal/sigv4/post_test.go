package sigv4

import (
	"strings"
	"testing"
	"time"
)

func TestVerifyPost(t *testing.T) {
	signedAt := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	cred := Credentials{AccessKey: "AKPOST", SecretKey: "post/secret+key"}
	v := &Verifier{Region: "us-east-1", Lookup: func(k string) (Credentials, bool) { return cred, k == cred.AccessKey }}
	good := SignPost("eyJleHBpcmF0aW9uIjoiMjAzMC0wMS0wMVQwMDowMDowMFoifQ==", cred, "us-east-1", signedAt)
	tests := []struct {
		name   string
		change func(f *PostForm)
		want   string // error code; "" for success
	}{
		{name: "valid", change: func(*PostForm) {}},
		{name: "tampered policy", change: func(f *PostForm) { f.Policy += "x" }, want: "SignatureDoesNotMatch"},
		{name: "wrong signature", change: func(f *PostForm) { f.Signature = strings.Repeat("a", 64) }, want: "SignatureDoesNotMatch"},
		{name: "signature not hex", change: func(f *PostForm) { f.Signature = "zz" }, want: "SignatureDoesNotMatch"},
		{name: "algorithm", change: func(f *PostForm) { f.Algorithm = "AWS4-HMAC-SHA1" }, want: "InvalidArgument"},
		{name: "credential malformed", change: func(f *PostForm) { f.Credential = "AKPOST/20260304" }, want: "InvalidArgument"},
		{name: "credential date differs", change: func(f *PostForm) { f.Credential = "AKPOST/20260305/us-east-1/s3/aws4_request" }, want: "InvalidArgument"},
		{name: "region differs", change: func(f *PostForm) { f.Credential = "AKPOST/20260304/eu-west-1/s3/aws4_request" }, want: "InvalidArgument"},
		{name: "date malformed", change: func(f *PostForm) { f.Date = "2026-03-04" }, want: "InvalidArgument"},
		{name: "unknown key", change: func(f *PostForm) { f.Credential = "NOBODY/20260304/us-east-1/s3/aws4_request" }, want: "InvalidAccessKeyId"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := good
			tt.change(&f)
			got, err := v.VerifyPost(f)
			code, _ := Code(err)
			if code != tt.want {
				t.Fatalf("got %v (code %q), want code %q", err, code, tt.want)
			}
			if tt.want == "" && got.AccessKey != cred.AccessKey {
				t.Errorf("access key: got %q, want %q", got.AccessKey, cred.AccessKey)
			}
		})
	}
}
