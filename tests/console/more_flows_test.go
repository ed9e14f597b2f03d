package console

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// holdRequests pauses every request whose URL matches pattern until the
// browser gives up on it (Fetch interception; nothing continues them).
func holdRequests(pattern string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, fetch.Enable, fetch.EnableParams{Patterns: []*fetch.RequestPattern{{URLPattern: pattern, RequestStage: fetch.RequestStageRequest}}})
		return chromedp.Void{}, err
	}
}

// TestCancelUpload starts a multipart upload whose parts the browser holds
// back, cancels it from the upload panel, and checks that the multipart
// upload was aborted on the server and no object appeared. It also checks
// the text preview.
func TestCancelUpload(t *testing.T) {
	b := newBrowser(t)
	e := startServer(t, 1)
	s3c := e.srv.S3Client(t)
	ctx := context.Background()
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("inbox")})
	must(t, err, "CreateBucket")
	_, err = s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("inbox"), Key: aws.String("readme.md"), Body: strings.NewReader("# Inbox\nDrop scans here.\n")})
	must(t, err, "PutObject")
	bigPath := writeFile(t, t.TempDir(), "cancel-me.bin", bytes.Repeat([]byte{7}, 11<<20))

	b.do("signing in", chromedp.Navigate(e.console+"/#/b/inbox"), chromedp.WaitVisible(chromedp.ID("access-key")),
		chromedp.SendKeys(chromedp.ID("access-key"), e.srv.AccessKey), chromedp.SendKeys(chromedp.ID("secret-key"), e.srv.SecretKey+"\r"))
	b.poll("the bucket, reached through the link after signing in", `!!document.querySelector('tr[data-key="readme.md"]')`)

	b.do("opening the text file", chromedp.Click(chromedp.CSS(`tr[data-key="readme.md"] .name-link`)))
	b.poll("the text preview", `!!document.querySelector('.text-preview') && document.querySelector('.text-preview').textContent.includes('Drop scans here.')`)
	b.shot("preview-text")
	b.do("closing the preview", chromedp.KeyEvent("\u001b"))
	b.poll("the preview to close", `!document.querySelector('dialog[open]')`)

	b.eval(`(() => { const u = window.hoardConsole.uploads.tuning; u.multipartThreshold = 6 * 1024 * 1024; u.partSize = 5 * 1024 * 1024; return 'ok'; })()`)
	b.do("holding back the parts", holdRequests("*/uploads/part*"))
	b.do("choosing the file", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{bigPath}))
	uploads := func() int {
		out, err := s3c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("inbox")})
		must(t, err, "ListMultipartUploads")
		return len(out.Uploads)
	}
	waitFor(t, 20*time.Second, "the multipart upload to start", func() (bool, error) { return uploads() == 1, nil })
	b.poll("the upload row", `!!document.querySelector('.upload[data-key="cancel-me.bin"][data-state="uploading"]')`)
	b.shot("upload-in-progress")
	b.do("cancelling", chromedp.Click(chromedp.CSS(`.upload[data-key="cancel-me.bin"] button[aria-label="Cancel upload of cancel-me.bin"]`)))
	b.poll("the cancelled state", `!!document.querySelector('.upload[data-key="cancel-me.bin"][data-state="cancelled"]')`)
	waitFor(t, 20*time.Second, "the multipart upload to be aborted", func() (bool, error) { return uploads() == 0, nil })
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("inbox"), Key: aws.String("cancel-me.bin")}); err == nil {
		t.Fatal("a cancelled upload left an object")
	}
	b.checkClean()
}

// TestPagingAndSorting pages through a folder of 60 objects 50 at a time
// and sorts a page by size both ways.
func TestPagingAndSorting(t *testing.T) {
	b := newBrowser(t)
	e := startServer(t, 1)
	s3c := e.srv.S3Client(t)
	ctx := context.Background()
	_, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("many")})
	must(t, err, "CreateBucket")
	for i := 0; i < 60; i++ {
		key := fmt.Sprintf("logs/day-%02d.log", i)
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("many"), Key: aws.String(key), Body: bytes.NewReader(bytes.Repeat([]byte{'.'}, 100+(i*37)%61))})
		must(t, err, "PutObject "+key)
	}
	b.do("signing in", chromedp.Navigate(e.console+"/#/b/many/logs%2F"), chromedp.WaitVisible(chromedp.ID("access-key")),
		chromedp.SendKeys(chromedp.ID("access-key"), e.srv.AccessKey), chromedp.SendKeys(chromedp.ID("secret-key"), e.srv.SecretKey+"\r"))
	b.poll("the first page", `document.querySelectorAll('#objects tbody tr').length === 60`)
	b.do("choosing 50 a page", chromedp.SetValue(chromedp.ID("page-size"), "50"))
	b.poll("a page of 50", `document.querySelectorAll('#objects tbody tr').length === 50 && !document.querySelector('.pager').hidden`)
	b.do("next page", chromedp.Click(chromedp.CSS(`.pager button:last-of-type`)))
	b.poll("the last 10", `document.querySelectorAll('#objects tbody tr').length === 10 && !!document.querySelector('tr[data-key="logs/day-59.log"]')`)
	b.do("previous page", chromedp.Click(chromedp.CSS(`.pager button:first-of-type`)))
	b.poll("the first page again", `document.querySelectorAll('#objects tbody tr').length === 50 && !!document.querySelector('tr[data-key="logs/day-00.log"]')`)

	sizes := `[...document.querySelectorAll('#objects tbody tr[data-key]')].map(r => r.dataset.key)`
	byName := b.eval(`JSON.stringify(` + sizes + `)`)
	b.do("sorting by size", chromedp.Click(chromedp.CSS(`#objects thead th:nth-child(3) button`)))
	b.poll("ascending sizes", `document.querySelector('#objects thead th:nth-child(3)').getAttribute('aria-sort') === 'ascending'`)
	ascending := b.eval(`JSON.stringify(` + sizes + `)`)
	if ascending == byName || !strings.HasPrefix(ascending, `["logs/day-`) {
		t.Errorf("sorting by size did not reorder the page: %s", ascending)
	}
	b.do("sorting by size, descending", chromedp.Click(chromedp.CSS(`#objects thead th:nth-child(3) button`)))
	b.poll("descending sizes", `document.querySelector('#objects thead th:nth-child(3)').getAttribute('aria-sort') === 'descending'`)
	got := b.eval(`JSON.stringify([...document.querySelectorAll('#objects tbody tr[data-key] td.num')].map(td => td.firstChild.textContent))`)
	var list []string
	must(t, jsonUnmarshal([]byte(got), &list), "decoding sizes")
	for i := 1; i < len(list); i++ {
		if sizeOf(list[i]) > sizeOf(list[i-1]) {
			t.Fatalf("descending sizes: %q before %q", list[i-1], list[i])
		}
	}
	b.checkClean()
}

// sizeOf parses the "123 B" sizes of small objects.
func sizeOf(s string) int {
	n, _ := strconv.Atoi(strings.TrimSuffix(s, " B"))
	return n
}
