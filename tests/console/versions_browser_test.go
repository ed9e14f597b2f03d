package console

import (
	"context"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"
)

// TestVersionsBrowser opens an object of a bucket with object lock in the
// console: its details show its lock state and its versions; the older
// version's lock state shows on demand, and restoring it makes it the
// newest while every version stays.
func TestVersionsBrowser(t *testing.T) {
	b := newBrowser(t)
	e := startServer(t, 1)
	s3c := e.srv.S3Client(t)
	ctx := context.Background()
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)})
	must(t, err, "CreateBucket with lock")
	until := time.Now().Add(48 * time.Hour)
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("doc.txt"), Body: strings.NewReader("first"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn})
	must(t, err, "PutObject first")
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("doc.txt"), Body: strings.NewReader("second"),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc32, ObjectLockMode: types.ObjectLockModeGovernance, ObjectLockRetainUntilDate: &until})
	must(t, err, "PutObject second")
	b.do("signing in", chromedp.Navigate(e.console+"/#/b/vault/"), chromedp.WaitVisible(chromedp.ID("access-key")),
		chromedp.SendKeys(chromedp.ID("access-key"), e.srv.AccessKey), chromedp.SendKeys(chromedp.ID("secret-key"), e.srv.SecretKey+"\r"))
	b.poll("the object", `!!document.querySelector('tr[data-key="doc.txt"] .name-link')`)
	b.do("opening the object", chromedp.Click(chromedp.CSS(`tr[data-key="doc.txt"] .name-link`)))
	b.poll("its lock state", `(document.querySelector('#sec-lock') || {}).parentElement && document.querySelector('#sec-lock').parentElement.textContent.includes('GOVERNANCE until')`)
	b.poll("two versions", `document.querySelectorAll('#versions .version-row').length === 2`)
	b.checkNames("object versions")
	b.do("the older version's lock state", chromedp.Click(chromedp.CSS(`#versions .version-row:nth-child(2) .actions button:first-child`)))
	b.poll("its legal hold", `document.querySelector('#versions .version-row:nth-child(2) .version-lock').textContent.includes('Legal hold: ON')`)
	b.shot("versions")
	b.do("restoring it", chromedp.Click(chromedp.CSS(`#versions .version-row:nth-child(2) .actions button:last-child`)))
	b.poll("the confirmation", `document.querySelectorAll('dialog[open]').length === 2`)
	b.do("confirming", chromedp.Click(chromedp.CSS(`dialog[open]:last-of-type .btn-primary`)))
	b.poll("three versions", `document.querySelectorAll('#versions .version-row').length === 3`)
	out, err := s3c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vault"), Key: aws.String("doc.txt")})
	must(t, err, "GetObject")
	body, err := io.ReadAll(out.Body)
	out.Body.Close()
	if err != nil || string(body) != "first" {
		t.Errorf("after restore: got %q, %v; want first", body, err)
	}
	b.checkClean()
}
