package cluster

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// writeCert writes a self-signed certificate valid for 127.0.0.1-4 with
// the given serial into dir (public.crt, private.key), replacing any
// previous one by rename.
func writeCert(t testing.TB, dir string, serial int64) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "hoard cluster test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	for i := 1; i <= 4; i++ {
		tmpl.IPAddresses = append(tmpl.IPAddresses, net.ParseIP(fmt.Sprintf("127.0.0.%d", i)))
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	// Key first, then certificate: a reload in between fails and keeps
	// the old pair rather than loading a mismatched one.
	for _, f := range []struct {
		name  string
		block *pem.Block
	}{{"private.key", &pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}}, {"public.crt", &pem.Block{Type: "CERTIFICATE", Bytes: der}}} {
		tmp := filepath.Join(dir, f.name+".tmp")
		if err := os.WriteFile(tmp, pem.EncodeToMemory(f.block), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, f.name)); err != nil {
			t.Fatal(err)
		}
	}
}

// clientTLS trusts the certificate in dir.
func clientTLS(t testing.TB, dir string) *tls.Config {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "public.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(b) {
		t.Fatalf("no certificate in %s", dir)
	}
	return &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
}

// servedSerial returns the serial of the certificate a node presents.
func servedSerial(t testing.TB, host string) int64 {
	t.Helper()
	conn, err := tls.Dial("tcp", host, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		t.Fatalf("TLS dial %s: %v", host, err)
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0].SerialNumber.Int64()
}

// TestClusterOverTLS: nodes speak HTTPS for S3, health and node-to-node
// calls, and pick up a renewed certificate without a restart.
func TestClusterOverTLS(t *testing.T) {
	certs := t.TempDir()
	writeCert(t, certs, 1)
	c := startCluster(t, clusterOptions{nodes: 4, drives: 1, scheme: "https", certsDir: certs})
	ctx := ctx(t)
	a, b := c.nodes[0].s3Client(t), c.nodes[3].s3Client(t)
	mkBucket(t, a, "tls")
	data := body(3, 1<<20)
	if err := put(ctx, a, "tls", "k", data); err != nil {
		t.Fatalf("PUT over TLS: %v", err)
	}
	if got, err := get(ctx, b, "tls", "k"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GET over TLS through another node: got %d bytes, %v", len(got), err)
	}
	if s := servedSerial(t, c.nodes[1].host); s != 1 {
		t.Fatalf("served certificate serial: got %d, want 1", s)
	}
	time.Sleep(20 * time.Millisecond) // a distinct modification time
	writeCert(t, certs, 2)
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range c.nodes {
		for servedSerial(t, n.host) != 2 {
			if time.Now().After(deadline) {
				t.Fatalf("node %d still serves the old certificate", n.index+1)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// The renewed certificate is a new CA for the clients (self-signed):
	// new clients trust it, and node-to-node calls keep working.
	a2 := c.nodes[1].s3Client(t)
	if err := put(ctx, a2, "tls", "k2", data); err != nil {
		t.Fatalf("PUT after the certificate renewal: %v", err)
	}
	if got, err := get(ctx, c.nodes[2].s3Client(t), "tls", "k2"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GET after the renewal: got %d bytes, %v", len(got), err)
	}
}
