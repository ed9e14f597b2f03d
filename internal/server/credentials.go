package server

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/hoardstore/hoard/internal/sigv4"
)

// credentialsFile is where generated root credentials are kept, inside the
// first drive, readable by the server's user only.
const credentialsFile = ".hoard.sys/root-credentials.json"

type storedCredentials struct {
	AccessKey string `json:"accessKey"`
	SecretKey string `json:"secretKey"`
}

// loadOrCreateCredentials returns the root credentials stored in dir, or
// generates, persists (0600) and returns new ones; created reports which.
func loadOrCreateCredentials(dir string) (cred sigv4.Credentials, created bool, err error) {
	path := filepath.Join(dir, credentialsFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		var s storedCredentials
		if err := json.Unmarshal(data, &s); err != nil || s.AccessKey == "" || s.SecretKey == "" {
			return cred, false, fmt.Errorf("server: %s is damaged; remove it to generate new credentials, or set HOARD_ROOT_USER and HOARD_ROOT_PASSWORD", path)
		}
		return sigv4.Credentials{AccessKey: s.AccessKey, SecretKey: s.SecretKey}, false, nil
	case !errors.Is(err, fs.ErrNotExist):
		return cred, false, fmt.Errorf("server: reading root credentials: %w", err)
	}
	cred = sigv4.Credentials{AccessKey: randomString(20, upperAlnum), SecretKey: randomString(40, secretChars)}
	data, _ = json.MarshalIndent(storedCredentials{cred.AccessKey, cred.SecretKey}, "", "  ")
	if err := writeFileSync(path, data, 0o600); err != nil {
		return cred, false, fmt.Errorf("server: storing root credentials: %w", err)
	}
	return cred, true, nil
}

const (
	upperAlnum  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	secretChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" // no characters that need quoting in URLs or shells
)

// randomString returns n characters drawn uniformly from alphabet with a
// cryptographic random source.
func randomString(n int, alphabet string) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		if _, err := rand.Read(buf); err != nil {
			panic("server: no system randomness: " + err.Error())
		}
		if int(buf[0]) < limit {
			out[i] = alphabet[int(buf[0])%len(alphabet)]
			i++
		}
	}
	return string(out)
}

// writeFileSync writes data to path atomically and durably: a temporary
// file, fsync, rename, fsync of the directory.
func writeFileSync(path string, data []byte, perm os.FileMode) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
