package console

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

// flow is one run of the browser flow: the server, the browser, an S3
// client to check what the console did, and the files it uploads.
type flow struct {
	t   *testing.T
	e   *env
	b   *browser
	s3c *s3.Client
	ctx context.Context
	// pngData, txtPath and the others are the files the flow uploads.
	pngData []byte
	big     []byte
	pngPath string
	txtPath string
	bigPath string
}

// TestBrowserFlow drives the console like a person: a wrong password, sign
// in, create a bucket, upload by the file input (one file in parts), see
// the files, preview an image, share it and fetch the link with net/http,
// delete by the details dialog and by multi-select, use the dashboard's
// cost estimate, delete the bucket with everything in it, sign out.
func TestBrowserFlow(t *testing.T) {
	b := newBrowser(t) // first, so a missing browser skips before a server starts
	e := startServer(t, 4)
	f := &flow{t: t, e: e, b: b, s3c: e.srv.S3Client(t), ctx: context.Background(), pngData: testImage(t)}
	files := t.TempDir()
	f.big = bytes.Repeat([]byte("0123456789abcdef"), 11<<20/16) // 11 MiB: three 5 MiB parts
	f.pngPath = writeFile(t, files, "sunrise.png", f.pngData)
	f.txtPath = writeFile(t, files, "notes.txt", []byte("Hoard console test notes\nline two\n"))
	f.bigPath = writeFile(t, files, "archive.bin", f.big)
	f.signIn()
	f.createBucket()
	f.upload()
	f.browse()
	f.previewAndShare()
	f.deleteObjects()
	checkDashboard(t, f.b, e)
	checkPhone(t, f.b, e)
	f.deleteBucketAndSignOut()
	f.b.checkClean()
}

// signIn is refused with a wrong secret, then signs in with the keyboard.
func (f *flow) signIn() {
	t, b, e := f.t, f.b, f.e
	// A wrong secret is refused with a clear message.
	b.do("opening the console", chromedp.Navigate(e.console), chromedp.WaitVisible(chromedp.ID("access-key")))
	b.shot("login")
	b.checkNames("sign-in page")
	b.do("typing wrong keys",
		chromedp.SendKeys(chromedp.ID("access-key"), e.srv.AccessKey),
		chromedp.SendKeys(chromedp.ID("secret-key"), "not-the-secret"),
		chromedp.Click(chromedp.ID("login-submit")))
	b.poll("the wrong-key message", `document.querySelector('#login-error').textContent.includes('wrong')`)
	if got := b.eval(`document.querySelector('#login-error').textContent`); !strings.Contains(got, "access key or the secret key is wrong") {
		t.Fatalf("login error: got %q, want it to say the keys are wrong", got)
	}

	// The right keys open the bucket list.
	// (with the keyboard: the form submits on Enter)
	b.do("typing the right keys",
		clearInput("secret-key"),
		chromedp.SendKeys(chromedp.ID("secret-key"), e.srv.SecretKey+"\r"),
		chromedp.WaitVisible(chromedp.ID("create-bucket")))
	b.checkNames("empty bucket list")
	if v := b.eval(`JSON.stringify([localStorage, sessionStorage].map(s => Object.values(s).join(' ')))`); strings.Contains(v, e.srv.SecretKey) {
		t.Fatalf("the secret key was stored in the browser: %s", v)
	}
	if v := b.eval(`document.cookie`); v != "" {
		t.Fatalf("document.cookie: got %q, want the session cookie hidden from scripts", v)
	}
}

// createBucket checks the create dialog's focus handling and name rules, and
// creates the bucket "photos".
func (f *flow) createBucket() {
	t, b, s3c, ctx := f.t, f.b, f.s3c, f.ctx
	// Create a bucket; an invalid name is explained first.
	// Dialogs take the focus, close on Escape and give the focus back.
	b.do("opening the create dialog", chromedp.Click(chromedp.ID("create-bucket")), chromedp.WaitVisible(chromedp.ID("bucket-name")))
	if got := b.eval(`document.activeElement.id`); got != "bucket-name" {
		t.Errorf("focus in the create dialog: got #%s, want #bucket-name", got)
	}
	b.do("pressing Escape", chromedp.KeyEvent("\u001b"))
	b.poll("the dialog to close", `!document.querySelector('dialog[open]')`)
	if got := b.eval(`document.activeElement.id`); got != "create-bucket" {
		t.Errorf("focus after closing the dialog: got #%s, want #create-bucket", got)
	}
	b.do("reopening the create dialog", chromedp.Click(chromedp.ID("create-bucket")), chromedp.WaitVisible(chromedp.ID("bucket-name")),
		chromedp.SendKeys(chromedp.ID("bucket-name"), "My_Photos"))
	b.poll("the rules to flag the name", `document.querySelectorAll('#bucket-rules li.bad').length > 0`)
	b.shot("create-bucket")
	b.checkNames("create-bucket dialog")
	b.do("naming the bucket", clearInput("bucket-name"), chromedp.SendKeys(chromedp.ID("bucket-name"), "photos"),
		chromedp.Click(chromedp.ID("create-bucket-submit")), chromedp.WaitVisible(chromedp.ID("upload-files")))
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("photos")}); err != nil {
		t.Fatalf("HeadBucket after creating it in the console: %v", err)
	}
}

// upload sends three files through the file input, the large one in parts,
// and adds folders with the S3 API.
func (f *flow) upload() {
	t, b, s3c, ctx := f.t, f.b, f.s3c, f.ctx
	// Upload three files with the file input; the large one goes in parts.
	b.eval(`(() => { const u = window.hoardConsole.uploads.tuning; u.multipartThreshold = 6 * 1024 * 1024; u.partSize = 5 * 1024 * 1024; return 'ok'; })()`)
	b.do("choosing files", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{f.pngPath, f.txtPath, f.bigPath}))
	for _, key := range []string{"sunrise.png", "notes.txt", "archive.bin"} {
		b.poll("the "+key+" row", fmt.Sprintf(`!!document.querySelector('tr[data-key=%q]')`, key))
	}
	b.poll("three finished uploads", `document.querySelectorAll('.upload[data-state="done"]').length === 3`)
	checkObject(t, s3c, "photos", "sunrise.png", f.pngData, "image/png")
	checkObject(t, s3c, "photos", "archive.bin", f.big, "")
	head, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("archive.bin")})
	must(t, err, "HeadObject archive.bin")
	if etag := aws.ToString(head.ETag); !strings.HasSuffix(strings.Trim(etag, `"`), "-3") {
		t.Errorf("archive.bin ETag: got %s, want a 3-part multipart ETag", etag)
	}

	// A few more objects in folders, put with the S3 API, for the screens.
	for _, k := range []string{"2024/beach.jpg", "2024/city.jpg", "reports/q1.pdf", "reports/q2.pdf"} {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("photos"), Key: aws.String(k), Body: bytes.NewReader(bytes.Repeat([]byte{'x'}, 2048+len(k)*1000))})
		must(t, err, "PutObject "+k)
	}
	b.do("refreshing", chromedp.Click(chromedp.CSS(`button[aria-label="Refresh"]`)))
	b.poll("the folders", `document.querySelectorAll('tr.folder-row').length === 2`)
	b.shot("uploads")
	b.checkNames("object browser")
	b.do("folding the upload list", chromedp.Click(chromedp.CSS(`button[aria-controls="upload-list"]`)))
	b.poll("the folded upload list", `document.querySelector('#upload-list').hidden`)
	b.shot("browser")
}

// browse opens a folder, returns by the breadcrumbs and searches by prefix.
func (f *flow) browse() {
	t, b := f.t, f.b
	// Open a folder through its link, and come back by the breadcrumbs.
	b.do("opening a folder", chromedp.Click(chromedp.CSS(`tr[data-prefix="2024/"] a`)))
	b.poll("the folder's objects", `!!document.querySelector('tr[data-key="2024/beach.jpg"]')`)
	b.do("going back by the breadcrumb", chromedp.Click(chromedp.CSS(`.breadcrumbs a[href="#/b/photos"]`)))
	b.poll("the bucket root", `!!document.querySelector('tr[data-key="sunrise.png"]')`)

	// Search by prefix; "/" jumps to the search field.
	b.eval(`(document.activeElement.blur(), 'ok')`)
	b.do("pressing slash", chromedp.KeyEvent("/"))
	if got := b.eval(`document.activeElement.id`); got != "prefix-search" {
		t.Errorf("focus after pressing /: got #%s, want #prefix-search", got)
	}
	// (DevTools key events type the slash even though the page cancels the
	// keydown, which real keyboards do not: start from an empty field.)
	b.do("searching", clearInput("prefix-search"), chromedp.SendKeys(chromedp.ID("prefix-search"), "no"))
	b.poll("the search result", `document.querySelectorAll('#objects tbody tr').length === 1 && !!document.querySelector('tr[data-key="notes.txt"]')`)
	b.do("clearing the search", clearInput("prefix-search"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#prefix-search').dispatchEvent(new Event('input'))`))
	b.poll("the full listing", `!!document.querySelector('tr[data-key="sunrise.png"]')`)
}

// previewAndShare previews the image and fetches a share link of it with
// net/http.
func (f *flow) previewAndShare() {
	t, b := f.t, f.b
	// Preview the image.
	b.do("opening the image", chromedp.Click(chromedp.CSS(`tr[data-key="sunrise.png"] .name-link`)))
	b.poll("the image preview", `(() => { const i = document.querySelector('#preview-image'); return !!i && i.complete && i.naturalWidth === 480; })()`)
	b.poll("the object details", `document.querySelector('.details') && document.querySelector('.details').textContent.includes('image/png')`)
	b.shot("preview")
	b.checkNames("object details")

	// Share it for an hour, and fetch the link as a stranger would.
	b.do("opening the share dialog", chromedp.Click(chromedp.ID("share-object")), chromedp.WaitVisible(chromedp.ID("share-expiry")),
		chromedp.SetValue(chromedp.ID("share-expiry"), "3600"), chromedp.Click(chromedp.ID("create-link")))
	b.poll("the share link", `!!document.querySelector('#share-url') && document.querySelector('#share-url').value.startsWith('http')`)
	b.shot("share")
	b.checkNames("share dialog")
	link := b.eval(`document.querySelector('#share-url').value`)
	if !strings.Contains(link, "X-Amz-Expires=3600") {
		t.Errorf("share link %s: want X-Amz-Expires=3600", link)
	}
	res, err := http.Get(link)
	must(t, err, "fetching the share link")
	got, err := io.ReadAll(res.Body)
	res.Body.Close()
	must(t, err, "reading the shared object")
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, f.pngData) {
		t.Fatalf("share link: got %d and %d bytes, want 200 and the %d bytes of the image", res.StatusCode, len(got), len(f.pngData))
	}
}

// deleteObjects deletes the image from its details, and a file and a folder
// by multi-select.
func (f *flow) deleteObjects() {
	t, b, s3c, ctx := f.t, f.b, f.s3c, f.ctx
	// Close the share dialog, then delete the image from its details.
	b.do("closing the share dialog", chromedp.Click(chromedp.CSS(`dialog[open]:last-of-type .modal-foot button:first-child`)))
	b.poll("the share dialog to close", `document.querySelectorAll('dialog[open]').length === 1`)
	b.do("deleting the image", chromedp.Click(chromedp.ID("delete-object")))
	b.poll("the confirmation", `document.querySelectorAll('dialog[open]').length === 2`)
	b.do("confirming", chromedp.Click(chromedp.CSS(`dialog[open]:last-of-type .btn-danger`)))
	b.poll("the image row to go", `!document.querySelector('tr[data-key="sunrise.png"]') && document.querySelectorAll('dialog[open]').length === 0`)
	if _, err := s3c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("photos"), Key: aws.String("sunrise.png")}); err == nil {
		t.Fatal("sunrise.png still exists after deleting it in the console")
	}

	// Multi-select delete: a file and a folder with everything in it.
	b.do("selecting", chromedp.Click(chromedp.CSS(`tr[data-key="notes.txt"] input[type=checkbox]`)),
		chromedp.Click(chromedp.CSS(`tr[data-prefix="reports/"] input[type=checkbox]`)))
	b.poll("the delete button", `!document.querySelector('#delete-selected').disabled && document.querySelector('#delete-selected').textContent.includes('2 selected')`)
	b.do("deleting the selection", chromedp.Click(chromedp.ID("delete-selected")))
	b.poll("the confirmation", `document.querySelectorAll('dialog[open]').length === 1`)
	b.do("confirming", chromedp.Click(chromedp.CSS(`dialog[open] .btn-danger`)))
	b.poll("the deleted rows to go", `!document.querySelector('tr[data-key="notes.txt"]') && !document.querySelector('tr[data-prefix="reports/"]') && !!document.querySelector('tr[data-key="archive.bin"]')`)
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("photos")})
	must(t, err, "ListObjectsV2")
	var keys []string
	for _, o := range list.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	if want := "2024/beach.jpg 2024/city.jpg archive.bin"; strings.Join(keys, " ") != want {
		t.Fatalf("objects left: got %q, want %q", strings.Join(keys, " "), want)
	}
}

// deleteBucketAndSignOut deletes the bucket with everything in it and signs
// out.
func (f *flow) deleteBucketAndSignOut() {
	t, b, e, s3c, ctx := f.t, f.b, f.e, f.s3c, f.ctx
	// Delete the bucket with everything in it.
	b.do("opening the bucket list", chromedp.Navigate(e.console+"/#/buckets"), chromedp.WaitVisible(chromedp.CSS(`tr[data-bucket="photos"]`)))
	b.poll("the bucket usage", `document.querySelector('tr[data-bucket="photos"] .objects').textContent === '3'`)
	b.shot("buckets")
	b.do("deleting the bucket", chromedp.Click(chromedp.CSS(`tr[data-bucket="photos"] button[aria-label="Delete bucket photos"]`)),
		chromedp.WaitVisible(chromedp.ID("confirm-name")), chromedp.Click(chromedp.ID("force-delete")),
		chromedp.SendKeys(chromedp.ID("confirm-name"), "photos"), chromedp.Click(chromedp.CSS(`dialog[open] .btn-danger`)))
	b.poll("the bucket to go", `!document.querySelector('tr[data-bucket="photos"]') && !!document.querySelector('.empty')`)
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("photos")}); err == nil {
		t.Fatal("bucket photos still exists after deleting it in the console")
	}

	// Sign out: the session is gone on the server too.
	b.do("signing out", chromedp.Click(chromedp.ID("sign-out")), chromedp.WaitVisible(chromedp.ID("access-key")))
	if got := b.eval(`fetch('/api/session').then(r => String(r.status))`); got != "401" {
		t.Fatalf("session after signing out: got HTTP %s, want 401", got)
	}
}

// checkObject reads key back through S3 and compares it with want.
func checkObject(t *testing.T, s3c *s3.Client, bucket, key string, want []byte, ctype string) {
	t.Helper()
	out, err := s3c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	must(t, err, "GetObject "+key)
	got, err := io.ReadAll(out.Body)
	out.Body.Close()
	must(t, err, "reading "+key)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes, want the %d uploaded", key, len(got), len(want))
	}
	if ctype != "" && aws.ToString(out.ContentType) != ctype {
		t.Errorf("%s content type: got %q, want %q", key, aws.ToString(out.ContentType), ctype)
	}
}

// checkDashboard enters prices and checks the estimate and that the prices
// are remembered.
func checkDashboard(t *testing.T, b *browser, e *env) {
	t.Helper()
	b.do("clearing finished uploads", chromedp.Click(chromedp.CSS(`button[aria-label="Clear finished uploads"]`)))
	b.poll("the upload panel to hide", `document.querySelector('section.uploads').hidden`)
	b.do("opening the dashboard", chromedp.Click(chromedp.CSS(`.mainnav a[href="#/dashboard"]`)), chromedp.WaitVisible(chromedp.ID("cost-monthly")))
	b.poll("the drives", `document.querySelectorAll('.badge-online').length === 4`)
	b.do("entering prices",
		clearInput("cost-storage"), chromedp.SendKeys(chromedp.ID("cost-storage"), "0.05"),
		clearInput("cost-server"), chromedp.SendKeys(chromedp.ID("cost-server"), "20"))
	c := e.client(t)
	if status := c.login(e.srv.AccessKey, e.srv.SecretKey); status != http.StatusOK {
		t.Fatalf("API login: got %d, want 200", status)
	}
	var d struct {
		RawBytes float64 `json:"rawBytes"`
	}
	if status := c.json(http.MethodGet, "/api/dashboard", nil, &d); status != http.StatusOK {
		t.Fatalf("GET /api/dashboard: got %d, want 200", status)
	}
	want := d.RawBytes/1e9*0.05 + 20
	b.poll("the estimate", fmt.Sprintf(`document.querySelector('#cost-monthly').textContent !== '' && Math.abs(Number(document.querySelector('#cost-monthly').textContent.replace(/[^0-9.]/g, '')) - %f) < 0.02`, want))
	b.eval(`(() => { document.activeElement.blur(); window.scrollTo(0, 0); return 'ok'; })()`)
	b.shot("dashboard")
	b.eval(`(document.querySelector('#cost-title').scrollIntoView(), 'ok')`)
	b.shot("dashboard-cost")
	b.eval(`(window.scrollTo(0, 0), 'ok')`)
	b.checkNames("dashboard")
	b.do("dark scheme", colorScheme("dark"))
	b.shot("dashboard-dark")
	b.do("light scheme", colorScheme(""))
	b.do("reloading", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("cost-storage")))
	if got := b.eval(`document.querySelector('#cost-storage').value`); got != "0.05" {
		t.Errorf("remembered storage price: got %q, want 0.05", got)
	}
	if got, _ := strconv.ParseFloat(b.eval(`document.querySelector('#cost-server').value`), 64); got != 20 {
		t.Errorf("remembered server price: got %v, want 20", got)
	}
}

// checkPhone looks at the browser at phone width: nothing overflows sideways.
func checkPhone(t *testing.T, b *browser, e *env) {
	t.Helper()
	b.do("phone viewport", chromedp.EmulateViewport(390, 844), chromedp.Navigate(e.console+"/#/b/photos"))
	b.poll("the listing", `!!document.querySelector('tr[data-key="archive.bin"]')`)
	if got := b.eval(`String(document.documentElement.scrollWidth)`); got != "390" {
		t.Errorf("page width at 390 px: got %s px, want no sideways scrolling", got)
	}
	b.shot("phone-browser")
	b.checkNames("object browser at phone width")
	b.do("desktop viewport", chromedp.EmulateViewport(1200, 750))
	if *updateDocs {
		for _, name := range []string{"browser", "dashboard"} {
			data, err := os.ReadFile(filepath.Join(b.dir, name+".png"))
			must(t, err, "reading "+name)
			must(t, os.WriteFile(filepath.Join(b.dir, "..", "..", "..", "docs", "console-"+name+".png"), data, 0o644), "writing docs/console-"+name+".png")
		}
	}
}
