package console

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

// web holds the console's pages, styles, scripts and icons.
//
//go:embed web
var web embed.FS

// pageCSP is the Content-Security-Policy of the console's own pages: only
// its own scripts and styles, no inline code, no third-party requests.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; " +
	"media-src 'self' blob:; frame-src 'self'; connect-src 'self'; font-src 'self'; manifest-src 'self'; " +
	"base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// asset is one embedded file with its validator.
type asset struct {
	data  []byte
	etag  string
	ctype string
}

// assetServer serves the embedded files with strong ETags so browsers
// revalidate cheaply and always get the version the binary carries.
type assetServer struct {
	files map[string]asset
	mod   time.Time
}

func newAssetServer() (*assetServer, error) {
	a := &assetServer{files: map[string]asset{}, mod: time.Now()}
	err := fs.WalkDir(web, "web", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := web.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		ctype := mime.TypeByExtension(path.Ext(p))
		switch path.Ext(p) {
		case ".js":
			ctype = "text/javascript; charset=utf-8"
		case ".svg":
			ctype = "image/svg+xml"
		}
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		a.files[strings.TrimPrefix(p, "web/")] = asset{
			data:  data,
			etag:  `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`,
			ctype: ctype,
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("console: reading embedded assets: %w", err)
	}
	if _, ok := a.files["index.html"]; !ok {
		return nil, fmt.Errorf("console: embedded assets lack index.html")
	}
	return a, nil
}

// index serves the single page; the client routes with the URL fragment.
func (a *assetServer) index(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", pageCSP)
	a.write(w, r, "index.html")
}

// serve serves /assets/NAME from web/NAME.
func (a *assetServer) serve(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/assets/")
	if name == "index.html" {
		http.NotFound(w, r)
		return
	}
	a.write(w, r, name)
}

func (a *assetServer) favicon(w http.ResponseWriter, r *http.Request) {
	a.write(w, r, "icon.svg")
}

func (a *assetServer) write(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := a.files[name]
	if !ok {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("ETag", f.etag)
	http.ServeContent(w, r, "", a.mod, bytes.NewReader(f.data))
}
