package cli

import (
	"context"
	"crypto/tls"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// Client defaults.
const (
	defaultPartSize    = 16 << 20
	defaultConcurrency = 4
	defaultParallel    = 4
	clientMaxRetries   = 3
	maxParts           = 10000
	minPartSize        = 5 << 20
	maxPartSize        = 5 << 30
)

// remote is an S3 endpoint an alias names, with the clients to reach it.
type remote struct {
	name  string
	alias Alias
	url   *url.URL
	c     *minio.Client
	core  *minio.Core
	http  *http.Client
}

// remote returns the client for alias name, building it on first use.
func (a *app) remote(name string) (*remote, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if r, ok := a.remotes[name]; ok {
		return r, nil
	}
	st, err := a.store()
	if err != nil {
		return nil, err
	}
	na, ok, err := st.lookup(name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, a.usage("no alias named %q: add it with 'hoard alias set %s URL ACCESS_KEY SECRET_KEY'", name, name)
	}
	r, err := newRemote(name, na.Alias, a.insecure, a.wrapTransport)
	if err != nil {
		return nil, err
	}
	a.remotes[name] = r
	return r, nil
}

// newRemote builds minio-go clients for an alias.
func newRemote(name string, al Alias, insecure bool, wrap func(http.RoundTripper) http.RoundTripper) (*remote, error) {
	u, err := url.Parse(al.URL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("alias %s: bad URL %q", name, al.URL)
	}
	secure := u.Scheme == "https"
	tr, err := minio.DefaultTransport(secure)
	if err != nil {
		return nil, fmt.Errorf("alias %s: %w", name, err)
	}
	tr.MaxIdleConnsPerHost = 64
	if secure && insecure {
		tr.TLSClientConfig = &tls.Config{InsecureSkipVerify: true, MinVersion: tls.VersionTLS12}
	}
	var rt http.RoundTripper = tr
	if wrap != nil {
		rt = wrap(tr)
	}
	lookup := minio.BucketLookupAuto
	switch strings.ToLower(al.Lookup) {
	case "path":
		lookup = minio.BucketLookupPath
	case "dns":
		lookup = minio.BucketLookupDNS
	}
	opts := &minio.Options{
		Creds:        credentials.NewStaticV4(al.AccessKey, al.SecretKey, ""),
		Secure:       secure,
		Region:       al.Region,
		BucketLookup: lookup,
		Transport:    rt,
		MaxRetries:   clientMaxRetries,
	}
	core, err := minio.NewCore(u.Host, opts)
	if err != nil {
		return nil, fmt.Errorf("alias %s: %w", name, err)
	}
	core.SetAppInfo("hoard", "cli")
	return &remote{name: name, alias: al, url: u, c: core.Client, core: core, http: &http.Client{Transport: rt}}, nil
}

// statObject returns an object's metadata, naming it on failure.
func (r *remote) statObject(ctx context.Context, bucket, key string) (minio.ObjectInfo, error) {
	return r.statVersion(ctx, bucket, key, "")
}

// statVersion describes one version of an object ("" the current one).
func (r *remote) statVersion(ctx context.Context, bucket, key, version string) (minio.ObjectInfo, error) {
	info, err := r.c.StatObject(ctx, bucket, key, minio.StatObjectOptions{VersionID: version})
	if err != nil {
		return info, r.wrap(err, bucket, key)
	}
	return info, nil
}

// bucketExists checks that a bucket exists, with an error naming it.
func (r *remote) bucketExists(ctx context.Context, bucket string) error {
	ok, err := r.c.BucketExists(ctx, bucket)
	if err != nil {
		return r.wrap(err, bucket, "")
	}
	if !ok {
		return r.wrap(minio.ErrorResponse{Code: "NoSuchBucket", StatusCode: http.StatusNotFound}, bucket, "")
	}
	return nil
}
