package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/pflag"
)

// transferFlags are the flags of the commands that move data.
type transferFlags struct {
	partSize    string
	concurrency int
	parallel    int
	contentType string
	attrs       []string
	tags        string
	noResume    bool
	// version is cp --version-id: the source version to copy.
	version string
}

// add registers the flags on fs; withMeta adds the metadata flags.
func (f *transferFlags) add(fs *pflag.FlagSet, withMeta bool) {
	fs.StringVar(&f.partSize, "part-size", "16MiB", "multipart part size and download range size (5MiB to 5GiB)")
	fs.IntVar(&f.concurrency, "concurrency", defaultConcurrency, "parts or ranges of one file in flight at once")
	fs.IntVar(&f.parallel, "parallel", defaultParallel, "files copied at once")
	fs.BoolVar(&f.noResume, "no-resume", false, "start multipart uploads afresh instead of reusing the server's unfinished one")
	if withMeta {
		fs.StringVar(&f.contentType, "content-type", "", "content type of new objects (default: from the file extension)")
		fs.StringArrayVar(&f.attrs, "attr", nil, "user metadata KEY=VALUE for new objects; repeatable")
		fs.StringVar(&f.tags, "tags", "", "object tags as KEY=VALUE&KEY2=VALUE2")
	}
}

// options validates the flags into transfer options.
func (a *app) transferOptions(f transferFlags) (transferOpts, error) {
	ps, err := parseSize(f.partSize)
	if err != nil {
		return transferOpts{}, a.usage("--part-size: %v", err)
	}
	if ps < minPartSize || ps > maxPartSize {
		return transferOpts{}, a.usage("--part-size %s: must be between 5MiB and 5GiB", f.partSize)
	}
	if f.concurrency < 1 || f.concurrency > 64 {
		return transferOpts{}, a.usage("--concurrency %d: must be between 1 and 64", f.concurrency)
	}
	if f.parallel < 1 || f.parallel > 64 {
		return transferOpts{}, a.usage("--parallel %d: must be between 1 and 64", f.parallel)
	}
	o := transferOpts{partSize: ps, concurrency: f.concurrency, contentType: f.contentType, noResume: f.noResume}
	if len(f.attrs) > 0 {
		o.meta = map[string]string{}
		for _, kv := range f.attrs {
			k, v, ok := strings.Cut(kv, "=")
			if !ok || k == "" {
				return transferOpts{}, a.usage("--attr %q: want KEY=VALUE", kv)
			}
			o.meta[k] = v
		}
	}
	if f.tags != "" {
		tags, err := parseTags(f.tags)
		if err != nil {
			return transferOpts{}, a.usage("--tags: %v", err)
		}
		o.tags = tags
	}
	return o, nil
}

// parseTags parses "k=v&k2=v2" (URL query encoding).
func parseTags(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(s, "&") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("%q: want KEY=VALUE&KEY2=VALUE2", s)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("tag %q given twice", k)
		}
		out[k] = v
	}
	if len(out) > 10 {
		return nil, fmt.Errorf("%d tags: S3 allows at most 10", len(out))
	}
	return out, nil
}

// copyJob is one file or object to copy.
type copyJob struct {
	src, dst target
	size     int64
	modTime  time.Time
	etag     string
}

// copyResult is how a copy is reported.
type copyResult struct {
	Status string `json:"status"`
	Op     string `json:"op"`
	Source string `json:"source"`
	Target string `json:"target"`
	Size   int64  `json:"size"`
	Error  string `json:"error,omitempty"`
}

// copyOne copies one file or object: an upload, a download, a server-side
// copy (same alias), a streamed copy (two aliases) or a local copy.
func (a *app) copyOne(ctx context.Context, j copyJob, o transferOpts, prog *progress) error {
	switch {
	case !j.src.isRemote() && j.dst.isRemote():
		r, err := a.remote(j.dst.alias)
		if err != nil {
			return err
		}
		_, err = r.uploadFile(ctx, j.src.local, j.size, j.dst.bucket, j.dst.key, o, prog)
		return err
	case j.src.isRemote() && !j.dst.isRemote():
		r, err := a.remote(j.src.alias)
		if err != nil {
			return err
		}
		info := minio.ObjectInfo{Size: j.size, ETag: j.etag, LastModified: j.modTime}
		return r.downloadFile(ctx, j.src.bucket, j.src.key, j.src.version, info, j.dst.local, o, prog)
	case j.src.isRemote() && j.dst.isRemote() && j.src.alias == j.dst.alias:
		r, err := a.remote(j.src.alias)
		if err != nil {
			return err
		}
		if err := r.serverCopy(ctx, j, o); err != nil {
			return err
		}
		prog.add(j.size)
		return nil
	case j.src.isRemote() && j.dst.isRemote():
		return a.streamCopy(ctx, j, o, prog)
	}
	return copyLocal(j.src.local, j.dst.local, prog)
}

// serverCopy copies within one endpoint without moving the data through
// the client: one CopyObject up to 5 GiB, part copies above. Metadata and tags are
// kept unless new ones are given.
func (r *remote) serverCopy(ctx context.Context, j copyJob, o transferOpts) error {
	dst := minio.CopyDestOptions{Bucket: j.dst.bucket, Object: j.dst.key}
	if o.meta != nil || o.contentType != "" {
		dst.ReplaceMetadata = true
		dst.UserMetadata = o.meta
		dst.ContentType = contentTypeFor(j.dst.key, o.contentType)
	}
	if o.tags != nil {
		dst.ReplaceTags, dst.UserTags = true, o.tags
	}
	src := minio.CopySrcOptions{Bucket: j.src.bucket, Object: j.src.key, VersionID: j.src.version}
	if j.etag != "" {
		src.MatchETag = j.etag
	}
	var err error
	if j.size <= maxPartSize {
		_, err = r.c.CopyObject(ctx, dst, src)
	} else {
		if dst.ReplaceMetadata {
			meta := map[string]string{"Content-Type": dst.ContentType}
			for k, v := range o.meta {
				meta[k] = v
			}
			dst.UserMetadata = meta
		}
		_, err = r.c.ComposeObject(ctx, dst, src)
	}
	if err != nil {
		resp := minio.ToErrorResponse(err)
		if resp.Code == "NoSuchBucket" && resp.BucketName == j.dst.bucket {
			return r.wrap(err, j.dst.bucket, j.dst.key)
		}
		return r.wrap(err, j.src.bucket, j.src.key)
	}
	return nil
}

// streamCopy copies between two endpoints through this machine, keeping
// the content type and user metadata unless new ones are given.
func (a *app) streamCopy(ctx context.Context, j copyJob, o transferOpts, prog *progress) error {
	src, err := a.remote(j.src.alias)
	if err != nil {
		return err
	}
	dst, err := a.remote(j.dst.alias)
	if err != nil {
		return err
	}
	info, err := src.statVersion(ctx, j.src.bucket, j.src.key, j.src.version)
	if err != nil {
		return err
	}
	getOpts := minio.GetObjectOptions{VersionID: j.src.version}
	_ = getOpts.SetMatchETag(info.ETag)
	body, err := src.c.GetObject(ctx, j.src.bucket, j.src.key, getOpts)
	if err != nil {
		return src.wrap(err, j.src.bucket, j.src.key)
	}
	defer body.Close()
	opts := o.putOptions(j.dst.key)
	opts.PartSize = uint64(o.partSize)
	opts.NumThreads = uint(o.concurrency)
	opts.ConcurrentStreamParts = o.concurrency > 1
	if o.contentType == "" && info.ContentType != "" {
		opts.ContentType = info.ContentType
	}
	if o.meta == nil {
		opts.UserMetadata = info.UserMetadata
	}
	if _, err := dst.c.PutObject(ctx, j.dst.bucket, j.dst.key, prog.reader(body), info.Size, opts); err != nil {
		return dst.wrap(err, j.dst.bucket, j.dst.key)
	}
	return nil
}

// copyLocal copies a local file through a synced temporary file.
func copyLocal(src, dst string, prog *progress) error {
	in, err := os.Open(src)
	if err != nil {
		return localError(err, src)
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".hoard-*.part")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, prog.reader(in)); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", dst, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", tmp.Name(), err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

// runJobs copies jobs, parallel at a time, reporting each through done
// (called concurrently). It returns the number of failures.
func (a *app) runJobs(ctx context.Context, jobs []copyJob, parallel int, o transferOpts, prog *progress, done func(copyJob, error)) int {
	work := make(chan copyJob)
	var (
		wg     sync.WaitGroup
		mu     sync.Mutex
		failed int
	)
	for range min(parallel, max(1, len(jobs))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range work {
				err := a.copyOne(ctx, j, o, prog)
				if err != nil {
					mu.Lock()
					failed++
					mu.Unlock()
				}
				done(j, err)
			}
		}()
	}
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		work <- j
	}
	close(work)
	wg.Wait()
	return failed
}
