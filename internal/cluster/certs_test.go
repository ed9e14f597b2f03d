package cluster

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
)

// writeSelfSigned writes a self-signed certificate for 127.0.0.1 with
// the given serial into dir and returns its serial.
func writeSelfSigned(t *testing.T, dir string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "hoard test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dir, 0o700)
	// Write beside and rename, as a renewal tool would.
	for name, block := range map[string]*pem.Block{CertFile: {Type: "CERTIFICATE", Bytes: der}, KeyFile: {Type: "EC PRIVATE KEY", Bytes: kb}} {
		tmp := filepath.Join(dir, name+".new")
		if err := os.WriteFile(tmp, pem.EncodeToMemory(block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestCertsServeVerifyAndReload(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeSelfSigned(t, dir, 1)
	certs, err := LoadCerts(dir, testLogger(t))
	if err != nil {
		t.Fatalf("LoadCerts: %v", err)
	}
	// Not httptest's StartTLS: it would add its own certificate, which
	// crypto/tls prefers over GetCertificate for clients without SNI.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n := &testNode{locks: NewLockTable(0, nil), auth: newAuthenticator(DeriveKey(testSecret), ln.Addr().String(), 0, nil)}
	n.rpc = newRPCServer(n.auth, map[string]drive.Drive{"/d": openLocal(t, drive.Options{})}, n.locks, func() PingInfo { return PingInfo{Topology: "topo"} }, testLogger(t))
	srv := &http.Server{Handler: n.rpc, TLSConfig: certs.ServerConfig(), ErrorLog: log.New(io.Discard, "", 0)}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	host := ln.Addr().String()

	p := newPeer("https", host, "topo", newAuthenticator(DeriveKey(testSecret), "", 0, nil), PeerOptions{TLS: certs.ClientConfig(), ProbeInterval: 20 * time.Millisecond, Logger: testLogger(t)})
	t.Cleanup(p.Close)
	waitOnline(t, p, true)

	serial := func() int64 {
		conn, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
		if err != nil {
			t.Fatalf("dial: %v", err)
		}
		defer conn.Close()
		return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
	}
	if s := serial(); s != 1 {
		t.Fatalf("serial before reload: got %d, want 1", s)
	}
	time.Sleep(10 * time.Millisecond) // a distinct modification time
	writeSelfSigned(t, dir, 2)
	changed, err := certs.Reload()
	if err != nil || !changed {
		t.Fatalf("Reload: got %v, %v; want a reload", changed, err)
	}
	if s := serial(); s != 2 {
		t.Fatalf("serial after reload: got %d, want 2", s)
	}
	if changed, _ := certs.Reload(); changed {
		t.Fatalf("Reload without changes: got a reload, want none")
	}

	// A client that does not trust the node's CA is refused.
	other := t.TempDir()
	writeSelfSigned(t, other, 3)
	oc, err := LoadCerts(other, nil)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{TLSClientConfig: oc.ClientConfig()}
	defer tr.CloseIdleConnections()
	if _, err := (&http.Client{Transport: tr}).Get("https://" + host + rpcPrefix + "ping"); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("untrusted server certificate: got %v, want a certificate error", err)
	}
}

func TestLoadCertsErrors(t *testing.T) {
	t.Parallel()
	if _, err := LoadCerts(t.TempDir(), nil); err == nil {
		t.Fatalf("empty folder: got no error, want one")
	}
	dir := t.TempDir()
	writeSelfSigned(t, dir, 1)
	os.MkdirAll(filepath.Join(dir, CAsDir), 0o700)
	os.WriteFile(filepath.Join(dir, CAsDir, "bad.crt"), []byte("not pem"), 0o600)
	if _, err := LoadCerts(dir, nil); err == nil || !strings.Contains(err.Error(), "bad.crt") {
		t.Fatalf("bad CA file: got %v, want an error naming it", err)
	}
}
