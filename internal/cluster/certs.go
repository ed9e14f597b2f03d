package cluster

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// Files of a certificates folder.
const (
	// CertFile is the node's certificate chain (PEM).
	CertFile = "public.crt"
	// KeyFile is the node's private key (PEM).
	KeyFile = "private.key"
	// CAsDir holds extra CA certificates (PEM, *.crt or *.pem) trusted
	// for peers, beside the system's and the node's own certificate.
	CAsDir = "CAs"
)

// Certs holds a node's TLS certificate and the CAs it trusts for peers,
// read from a folder and reloaded when the files change, so certificates
// can be renewed without a restart.
type Certs struct {
	dir string
	log *slog.Logger

	mu    sync.RWMutex
	cert  *tls.Certificate
	pool  *x509.CertPool
	stamp string
}

// LoadCerts reads dir's certificate, key and CAs.
func LoadCerts(dir string, log *slog.Logger) (*Certs, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	c := &Certs{dir: dir, log: log}
	if _, err := c.Reload(); err != nil {
		return nil, err
	}
	return c, nil
}

// stampOf summarises the files' names, sizes and modification times.
func (c *Certs) stampOf() string {
	var parts []string
	add := func(p string) {
		if fi, err := os.Stat(p); err == nil {
			parts = append(parts, fmt.Sprintf("%s:%d:%d", p, fi.Size(), fi.ModTime().UnixNano()))
		}
	}
	add(filepath.Join(c.dir, CertFile))
	add(filepath.Join(c.dir, KeyFile))
	cas, _ := filepath.Glob(filepath.Join(c.dir, CAsDir, "*"))
	sort.Strings(cas)
	for _, p := range cas {
		add(p)
	}
	return strings.Join(parts, "|")
}

// Reload rereads the files if they changed since the last load and
// reports whether it did. On error the previous certificate stays.
func (c *Certs) Reload() (bool, error) {
	stamp := c.stampOf()
	c.mu.RLock()
	same := stamp == c.stamp && c.cert != nil
	c.mu.RUnlock()
	if same {
		return false, nil
	}
	cert, err := tls.LoadX509KeyPair(filepath.Join(c.dir, CertFile), filepath.Join(c.dir, KeyFile))
	if err != nil {
		return false, fmt.Errorf("cluster: certificates in %s: %w", c.dir, err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	for _, der := range cert.Certificate {
		if x, err := x509.ParseCertificate(der); err == nil {
			pool.AddCert(x)
		}
	}
	cas, _ := filepath.Glob(filepath.Join(c.dir, CAsDir, "*"))
	for _, p := range cas {
		if !strings.HasSuffix(p, ".crt") && !strings.HasSuffix(p, ".pem") {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil || !pool.AppendCertsFromPEM(b) {
			return false, fmt.Errorf("cluster: CA certificate %s: unreadable or not PEM", p)
		}
	}
	c.mu.Lock()
	c.cert, c.pool, c.stamp = &cert, pool, stamp
	c.mu.Unlock()
	return true, nil
}

// Watch reloads changed files every interval until stop closes.
func (c *Certs) Watch(stop <-chan struct{}, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			changed, err := c.Reload()
			if err != nil {
				c.log.Error("certificates changed but cannot be loaded; keeping the previous ones", "err", err)
			} else if changed {
				c.log.Info("reloaded TLS certificates", "dir", c.dir)
			}
		}
	}
}

// Certificate returns the current certificate.
func (c *Certs) Certificate() *tls.Certificate {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.cert
}

// ServerConfig returns a TLS server configuration that always presents
// the current certificate.
func (c *Certs) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetCertificate: func(*tls.ClientHelloInfo) (*tls.Certificate, error) {
			return c.Certificate(), nil
		},
	}
}

// ClientConfig returns a TLS client configuration for peers that verifies
// their certificates against the current CA set (the system's, the
// node's own chain and the CAs folder) and the peer's host name.
func (c *Certs) ClientConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		// Verification is done below against the CA set of the moment,
		// which a reload may change; skipping the built-in check only
		// moves it, it does not drop it.
		InsecureSkipVerify: true,
		VerifyConnection: func(cs tls.ConnectionState) error {
			if len(cs.PeerCertificates) == 0 {
				return errors.New("cluster: peer presented no certificate")
			}
			c.mu.RLock()
			pool := c.pool
			c.mu.RUnlock()
			inter := x509.NewCertPool()
			for _, x := range cs.PeerCertificates[1:] {
				inter.AddCert(x)
			}
			_, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: pool, Intermediates: inter, DNSName: cs.ServerName})
			if err != nil {
				return fmt.Errorf("cluster: peer certificate: %w", err)
			}
			return nil
		},
	}
}
