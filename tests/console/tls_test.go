package console

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/cookiejar"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/server"
	"github.com/hoardstore/hoard/internal/testserver"
)

// writeCert writes a self-signed certificate for 127.0.0.1 as
// dir/public.crt and dir/private.key and returns a pool trusting it.
func writeCert(t *testing.T, dir string) *x509.CertPool {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err, "generating a key")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "hoard test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err, "creating a certificate")
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err, "encoding the key")
	must(t, os.WriteFile(filepath.Join(dir, "public.crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600), "writing the certificate")
	must(t, os.WriteFile(filepath.Join(dir, "private.key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600), "writing the key")
	cert, err := x509.ParseCertificate(der)
	must(t, err, "parsing the certificate")
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return pool
}

// TestConsoleOverTLS serves the console with the server's certificates:
// HTTPS, a Secure __Host- cookie, HSTS, and https share links.
func TestConsoleOverTLS(t *testing.T) {
	certs := t.TempDir()
	pool := writeCert(t, certs)
	cfg := config.Defaults()
	cfg.Address = "127.0.0.1:0"
	cfg.ConsoleAddress = "127.0.0.1:0"
	cfg.Drives = []string{t.TempDir()}
	cfg.RootUser, cfg.RootPassword = testserver.DefaultAccessKey, testserver.DefaultSecretKey
	srv, err := server.NewWithOptions(cfg, nil, server.Options{CertsDir: certs})
	must(t, err, "creating the server")
	must(t, srv.Start(), "starting the server")
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
	})
	base := "https://" + srv.ConsoleAddr()
	jar, err := cookiejar.New(nil)
	must(t, err, "cookie jar")
	tr := testserver.NewTransport()
	tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	t.Cleanup(tr.CloseIdleConnections)
	client := &http.Client{Transport: tr, Jar: jar, Timeout: 30 * time.Second}

	waitFor(t, 20*time.Second, "the console over HTTPS", func() (bool, error) {
		res, err := client.Get(base + "/api/session")
		if err != nil {
			return false, err
		}
		res.Body.Close()
		return res.StatusCode == http.StatusUnauthorized, nil
	})
	res, err := client.Post(base+"/api/login", "application/json",
		strings.NewReader(`{"accessKey":"`+testserver.DefaultAccessKey+`","secretKey":"`+testserver.DefaultSecretKey+`"}`))
	must(t, err, "login")
	var s struct {
		CSRF string `json:"csrfToken"`
	}
	must(t, json.NewDecoder(res.Body).Decode(&s), "decoding the login answer")
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login over HTTPS: got %d, want 200", res.StatusCode)
	}
	cookie := res.Header.Get("Set-Cookie")
	for _, want := range []string{"__Host-hoard-session=", "Secure", "HttpOnly", "SameSite=Strict"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("cookie %q lacks %q", cookie, want)
		}
	}
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no Strict-Transport-Security header over HTTPS")
	}
	req, _ := http.NewRequest("POST", base+"/api/buckets", strings.NewReader(`{"name":"secure"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Hoard-CSRF", s.CSRF)
	res, err = client.Do(req)
	must(t, err, "creating a bucket")
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create over HTTPS: got %d, want 201", res.StatusCode)
	}
	send := func(method, path, ctype, body string) *http.Response {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("X-Hoard-CSRF", s.CSRF)
		res, err := client.Do(req)
		must(t, err, method+" "+path)
		return res
	}
	res = send("PUT", "/api/buckets/secure/object?key=note.txt", "text/plain", "over TLS")
	res.Body.Close()
	res = send("POST", "/api/buckets/secure/share", "application/json", `{"key":"note.txt","expiresSeconds":600}`)
	var share struct {
		URL string `json:"url"`
	}
	must(t, json.NewDecoder(res.Body).Decode(&share), "decoding the share answer")
	res.Body.Close()
	if !strings.HasPrefix(share.URL, "https://"+srv.Addr()+"/secure/note.txt?") {
		t.Fatalf("share link %q: want https://%s/secure/note.txt?…", share.URL, srv.Addr())
	}
	res, err = client.Get(share.URL)
	must(t, err, "fetching the share link")
	data, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || string(data) != "over TLS" {
		t.Fatalf("share link over HTTPS: got %d %q, want 200 \"over TLS\"", res.StatusCode, data)
	}
}
