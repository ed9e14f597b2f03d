package iam

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
)

// Sealer encrypts secrets for storage with AES-256-GCM; the access key
// they belong to is the additional data, so that a sealed secret cannot be
// moved to another key. Data handed to clients (session tokens) is sealed
// with another key, derived from the same material with another HKDF
// info string, so that neither kind of ciphertext can stand for the other.
type Sealer struct {
	aead   cipher.AEAD // stored secrets
	tokens cipher.AEAD // SealData / OpenData: client-held tokens
}

// HKDF info strings of the two keys.
const (
	secretsInfo = "hoard iam secrets v1"
	tokensInfo  = "hoard iam session tokens v1"
)

// NewSealer derives the sealing keys from material (the root secret, or a
// key file's content) with HKDF-SHA256.
func NewSealer(material []byte) (*Sealer, error) {
	if len(material) == 0 {
		return nil, fmt.Errorf("iam: no key material to seal secrets with")
	}
	secrets, err := newAEAD(material, secretsInfo)
	if err != nil {
		return nil, err
	}
	tokens, err := newAEAD(material, tokensInfo)
	if err != nil {
		return nil, err
	}
	return &Sealer{aead: secrets, tokens: tokens}, nil
}

// newAEAD derives the AES-256-GCM key of info from material.
func newAEAD(material []byte, info string) (cipher.AEAD, error) {
	key, err := hkdf.Key(sha256.New, material, []byte("hoard-iam"), info, 32)
	if err != nil {
		return nil, fmt.Errorf("iam: deriving the sealing key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("iam: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("iam: %w", err)
	}
	return aead, nil
}

// Seal encrypts secret for accessKey: base64(nonce || ciphertext).
func (s *Sealer) Seal(accessKey, secret string) (string, error) {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("iam: %w", err)
	}
	out := s.aead.Seal(nonce, nonce, []byte(secret), []byte(accessKey))
	return base64.StdEncoding.EncodeToString(out), nil
}

// Open decrypts what Seal made for accessKey.
func (s *Sealer) Open(accessKey, sealed string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return "", fmt.Errorf("iam: secret of %q: %w", accessKey, ErrCorrupt)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(accessKey))
	if err != nil {
		return "", fmt.Errorf("iam: secret of %q does not open with this key (was the root secret or key file changed?): %w", accessKey, ErrCorrupt)
	}
	return string(plain), nil
}

// SealData encrypts data bound to label (additional data): base64url
// without padding, for tokens handed to clients.
func (s *Sealer) SealData(label string, data []byte) (string, error) {
	nonce := make([]byte, s.tokens.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("iam: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(s.tokens.Seal(nonce, nonce, data, []byte(label))), nil
}

// OpenData decrypts what SealData made for label.
func (s *Sealer) OpenData(label, sealed string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(sealed)
	n := s.tokens.NonceSize()
	if err != nil || len(raw) < n {
		return nil, ErrCorrupt
	}
	plain, err := s.tokens.Open(nil, raw[:n], raw[n:], []byte(label))
	if err != nil {
		return nil, ErrCorrupt
	}
	return plain, nil
}
