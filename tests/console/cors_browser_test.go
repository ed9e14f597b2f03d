package console

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"
)

// TestBrowserCrossOriginS3 has a page served from another origin upload to
// and read from a bucket through fetch with presigned URLs, as a web
// application does: Chromium refuses (its preflight is denied and the PUT
// is never sent) until the bucket has a CORS configuration for the page's
// origin, and then the upload lands and the exposed ETag is readable by the
// script.
func TestBrowserCrossOriginS3(t *testing.T) {
	e := startServer(t, 1)
	ctx := t.Context()
	client := e.srv.S3Client(t)
	bucket := "cors-browser"
	if _, err := client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
		t.Fatal(err)
	}
	page := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><title>An application</title><p>app</p></html>`)
	})
	// Two origins (loopback ports): the CORS rule names only the first.
	app, other := httptest.NewServer(page), httptest.NewServer(page)
	t.Cleanup(app.Close)
	t.Cleanup(other.Close)

	presigner := s3.NewPresignClient(client, s3.WithPresignExpires(10*time.Minute))
	// The metadata is part of the signature: the browser must send exactly
	// the x-amz-meta-origin header that was signed.
	put, err := presigner.PresignPutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String("from-browser.txt"),
		Metadata: map[string]string{"origin": "app"}})
	must(t, err, "presigning a PUT")
	get, err := presigner.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String("from-browser.txt")})
	must(t, err, "presigning a GET")

	const body = "hello from another origin"
	upload := fmt.Sprintf(`fetch(%q, {method: "PUT", body: %q, headers: {"Content-Type": "text/plain", "x-amz-meta-origin": "app"}})
		.then(r => r.status + " " + (r.headers.get("ETag") || "no ETag"), err => "refused: " + err.name)`, put.URL, body)
	download := fmt.Sprintf(`fetch(%q).then(r => r.text(), err => "refused: " + err.name)`, get.URL)

	b := newBrowser(t)
	b.do("opening the application's page", chromedp.Navigate(app.URL))

	if got := b.eval(upload); got != "refused: TypeError" {
		t.Fatalf("upload without a CORS configuration: %q, want the browser to refuse it", got)
	}
	if _, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("from-browser.txt")}); err == nil {
		t.Fatal("the refused upload created the object")
	}

	_, err = client.PutBucketCors(ctx, &s3.PutBucketCorsInput{Bucket: aws.String(bucket), CORSConfiguration: &types.CORSConfiguration{
		CORSRules: []types.CORSRule{{
			AllowedOrigins: []string{app.URL},
			AllowedMethods: []string{"GET", "PUT"},
			AllowedHeaders: []string{"*"},
			ExposeHeaders:  []string{"ETag"},
			MaxAgeSeconds:  aws.Int32(60),
		}},
	}})
	must(t, err, "PutBucketCors")

	// A header the URL's signer did not sign is refused (issue: signed
	// means signed), even from an allowed origin.
	tampered := strings.Replace(upload, `"x-amz-meta-origin": "app"`, `"x-amz-meta-origin": "app", "x-amz-tagging": "owner=mallory"`, 1)
	if got := b.eval(tampered); got != "403 no ETag" {
		t.Fatalf("upload with an unsigned x-amz-tagging header: %q, want 403", got)
	}
	sum := md5.Sum([]byte(body))
	if got, want := b.eval(upload), `200 "`+hex.EncodeToString(sum[:])+`"`; got != want {
		t.Fatalf("upload with a CORS configuration: %q, want %q", got, want)
	}
	if got := b.eval(download); got != body {
		t.Fatalf("download: %q, want %q", got, body)
	}
	head, err := client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String(bucket), Key: aws.String("from-browser.txt")})
	must(t, err, "HeadObject")
	if head.Metadata["origin"] != "app" || aws.ToString(head.ContentType) != "text/plain" {
		t.Errorf("stored object: metadata %v, content type %q", head.Metadata, aws.ToString(head.ContentType))
	}

	// Another origin stays refused.
	b.do("opening the page on an origin the rule does not name", chromedp.Navigate(other.URL))
	if got := b.eval(download); got != "refused: TypeError" {
		t.Fatalf("download from an origin no rule allows: %q, want the browser to refuse it", got)
	}
}
