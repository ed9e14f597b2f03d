package console

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// updateDocs makes the browser test copy its two README screenshots to docs/.
var updateDocs = flag.Bool("update-docs", false, "copy the browser and dashboard screenshots to docs/")

// stepTimeout bounds one browser step.
const stepTimeout = 30 * time.Second

// browser drives one headless Chromium tab.
type browser struct {
	t   *testing.T
	ctx context.Context
	dir string

	mu       sync.Mutex
	problems []string // page exceptions and console errors
	requests []string // every URL the page requested
}

// newBrowser starts Chromium with a fresh profile at 1200x750.
func newBrowser(t *testing.T) *browser {
	exe := requireChromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 750),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("no-proxy-server", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("password-store", "basic"),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	b := &browser{t: t, ctx: ctx, dir: artifactDir(t)}
	// The first Run starts the browser; it must not carry a timeout.
	must(t, chromedp.Do(ctx), "starting chromium")
	must(t, chromedp.Listen(ctx, b.event), "listening to the page")
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.IsException() || (m.Type == chromedp.ConsoleError && m.Source == "") {
				b.mu.Lock()
				b.problems = append(b.problems, m.String())
				b.mu.Unlock()
			}
		}
	}()
	b.do("setting the viewport", chromedp.EmulateViewport(1200, 750))
	return b
}

func (b *browser) event(ev any) {
	if e, ok := ev.(*network.EventRequestWillBeSent); ok && e.Request != nil {
		b.mu.Lock()
		b.requests = append(b.requests, e.Request.URL)
		b.mu.Unlock()
	}
}

// do runs steps, failing the test (with a screenshot) if one fails.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.failShot(what)
		b.t.Fatalf("%s: %v", what, err)
	}
}

// poll waits until the JavaScript expression js is truthy.
func (b *browser) poll(what, js string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](js, chromedp.WithPollingTimeout(stepTimeout-time.Second), chromedp.WithPollingInterval(25*time.Millisecond))); err != nil {
		b.failShot(what)
		b.t.Fatalf("waiting for %s (%s): %v", what, js, err)
	}
}

// eval returns the string value of the JavaScript expression js (awaiting
// a promise).
func (b *browser) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		b.failShot("eval")
		b.t.Fatalf("evaluating %s: %v", js, err)
	}
	return v
}

// shot saves a screenshot of the viewport as NAME.png in the artifacts.
func (b *browser) shot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	// Notices would hide parts of the screen: dismiss them, and let
	// rendering settle for two frames.
	// The pointer goes to a corner so no row shows its hover colour.
	_ = chromedp.Do(ctx, chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, 1, 1))
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`new Promise(r => { document.querySelectorAll('.toast').forEach(t => t.remove()); requestAnimationFrame(() => requestAnimationFrame(() => r(true))); })`, chromedp.EvalAwaitPromise))
	data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(b.dir, name+".png")
	must(b.t, os.WriteFile(path, data, 0o644), "saving screenshot")
	return path
}

func (b *browser) failShot(what string) {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	if data, err := chromedp.Run(ctx, chromedp.CaptureScreenshot()); err == nil {
		name := "failure-" + regexp.MustCompile(`[^a-z0-9]+`).ReplaceAllString(strings.ToLower(what), "-") + ".png"
		_ = os.WriteFile(filepath.Join(b.dir, name), data, 0o644)
		b.t.Logf("screenshot of the failure: tests/artifacts/console/%s", name)
	}
}

// namedRoles are the roles of controls a person operates; each needs an
// accessible name (a label, its text, or aria-label).
var namedRoles = map[string]bool{
	"button": true, "link": true, "textbox": true, "searchbox": true, "checkbox": true,
	"combobox": true, "spinbutton": true, "radio": true, "switch": true, "menuitem": true, "img": true, "progressbar": true,
}

// checkNames fails the test for every control on screen without an
// accessible name, as Chromium's accessibility tree computes it.
func (b *browser) checkNames(where string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, stepTimeout)
	defer cancel()
	tree, err := chromedp.Run(ctx, func(ctx context.Context, t *chromedp.Target) (accessibility.GetFullAXTreeResult, error) {
		return cdp.Call(ctx, t, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
	})
	if err != nil {
		b.t.Fatalf("%s: reading the accessibility tree: %v", where, err)
	}
	checked := 0
	for _, n := range tree.Nodes {
		if n.Ignored || n.Role == nil {
			continue
		}
		role := strings.Trim(string(n.Role.Value), `"`)
		if !namedRoles[role] {
			continue
		}
		checked++
		name := ""
		if n.Name != nil {
			name = strings.Trim(string(n.Name.Value), `" `)
		}
		if name == "" {
			b.t.Errorf("%s: a %s has no accessible name (DOM node %d)", where, role, n.BackendDOMNodeID)
		}
	}
	if checked == 0 {
		b.t.Errorf("%s: the accessibility tree has no controls", where)
	}
}

// colorScheme emulates prefers-color-scheme ("" resets it).
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		p := emulation.SetEmulatedMediaParams{}
		if scheme != "" {
			p.Features = []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}
		}
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, p)
		return chromedp.Void{}, err
	}
}

// checkClean fails the test if the page threw, logged errors, or asked for
// anything not on loopback.
func (b *browser) checkClean() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("page error: %s", p)
	}
	for _, u := range b.requests {
		if !strings.HasPrefix(u, "http://127.0.0.1:") && !strings.HasPrefix(u, "blob:") && !strings.HasPrefix(u, "data:") {
			b.t.Errorf("the page requested %s, outside this server", u)
		}
	}
}

// clearInput empties the input with id, as a person deleting its text would
// (the page sees an input event).
func clearInput(id string) chromedp.Action[chromedp.Void] {
	js := fmt.Sprintf(`(() => { const el = document.getElementById(%q); el.value = ''; el.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`, id)
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[bool](js)(ctx, t)
		return chromedp.Void{}, err
	}
}

// testImage returns a small PNG.
func testImage(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 480, 300))
	for y := 0; y < 300; y++ {
		for x := 0; x < 480; x++ {
			c := color.RGBA{uint8(40 + x/3), uint8(90 + y/3), 200, 255}
			if (x-240)*(x-240)+(y-150)*(y-150) < 90*90 {
				c = color.RGBA{250, 200, 60, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	must(t, png.Encode(&buf, img), "encoding the test image")
	return buf.Bytes()
}

func writeFile(t *testing.T, dir, name string, data []byte) string {
	p := filepath.Join(dir, name)
	must(t, os.WriteFile(p, data, 0o644), "writing "+name)
	return p
}

// TestBrowserFlow drives the console like a person: a wrong password, sign
// in, create a bucket, upload by the file input (one file in parts), see
// the files, preview an image, share it and fetch the link with net/http,
// delete by the details dialog and by multi-select, use the dashboard's
// cost estimate, delete the bucket with everything in it, sign out.
func TestBrowserFlow(t *testing.T) {
	e := startServer(t, 4)
	b := newBrowser(t)
	s3c := e.srv.S3Client(t)
	ctx := context.Background()
	files := t.TempDir()
	pngData := testImage(t)
	pngPath := writeFile(t, files, "sunrise.png", pngData)
	txtPath := writeFile(t, files, "notes.txt", []byte("Hoard console test notes\nline two\n"))
	big := bytes.Repeat([]byte("0123456789abcdef"), 11<<20/16) // 11 MiB: three 5 MiB parts
	bigPath := writeFile(t, files, "archive.bin", big)

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

	// Upload three files with the file input; the large one goes in parts.
	b.eval(`(() => { const u = window.hoardConsole.uploads.tuning; u.multipartThreshold = 6 * 1024 * 1024; u.partSize = 5 * 1024 * 1024; return 'ok'; })()`)
	b.do("choosing files", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{pngPath, txtPath, bigPath}))
	for _, key := range []string{"sunrise.png", "notes.txt", "archive.bin"} {
		b.poll("the "+key+" row", fmt.Sprintf(`!!document.querySelector('tr[data-key=%q]')`, key))
	}
	b.poll("three finished uploads", `document.querySelectorAll('.upload[data-state="done"]').length === 3`)
	checkObject(t, s3c, "photos", "sunrise.png", pngData, "image/png")
	checkObject(t, s3c, "photos", "archive.bin", big, "")
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
	if res.StatusCode != http.StatusOK || !bytes.Equal(got, pngData) {
		t.Fatalf("share link: got %d and %d bytes, want 200 and the %d bytes of the image", res.StatusCode, len(got), len(pngData))
	}

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

	checkDashboard(t, b, e)
	checkPhone(t, b, e)

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
	b.checkClean()
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
	e := startServer(t, 1)
	b := newBrowser(t)
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
