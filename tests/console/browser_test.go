package console

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
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

// launchAttempts bounds how often newBrowser tries to start Chromium. A
// browser that dies while starting (seen once on a loaded CI machine, with
// nothing but warnings on its stderr) says nothing about the console, so a
// failed launch is retried with a fresh profile before the test gives up.
const launchAttempts = 3

// newBrowser starts Chromium with a fresh profile at 1200x750.
func newBrowser(t *testing.T) *browser {
	exe := requireChromium(t)
	var ctx context.Context
	var err error
	for attempt := 1; attempt <= launchAttempts; attempt++ {
		if ctx, err = launchChromium(t, exe); err == nil {
			break
		}
		t.Logf("chromium failed to start (attempt %d of %d): %v", attempt, launchAttempts, err)
		time.Sleep(time.Duration(attempt) * time.Second)
	}
	must(t, err, "starting chromium")
	b := &browser{t: t, ctx: ctx, dir: artifactDir(t)}
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

// launchChromium starts one headless Chromium with a fresh profile and
// returns a context bound to its first tab; the browser is closed when the
// test ends.
func launchChromium(t *testing.T, exe string) (context.Context, error) {
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		// With disable-dev-shm-usage Chromium keeps its shared memory in
		// files under TMPDIR, which a killed browser leaves behind.
		chromedp.Env("TMPDIR=" + t.TempDir()),
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
	// The first Do starts the browser; it must not carry a timeout.
	if err := chromedp.Do(ctx); err != nil {
		cancelCtx()
		cancelAlloc()
		return nil, err
	}
	t.Cleanup(func() {
		cancelCtx()
		cancelAlloc()
	})
	return ctx, nil
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
