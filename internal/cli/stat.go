package cli

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/spf13/cobra"
)

// objectStat is what stat reports about an object or file.
type objectStat struct {
	Status       string            `json:"status"`
	Type         string            `json:"type"`
	Name         string            `json:"name"`
	Size         int64             `json:"size"`
	LastModified time.Time         `json:"lastModified,omitzero"`
	ETag         string            `json:"etag,omitempty"`
	ContentType  string            `json:"contentType,omitempty"`
	VersionID    string            `json:"versionId,omitempty"`
	StorageClass string            `json:"storageClass,omitempty"`
	Metadata     map[string]string `json:"metadata,omitempty"`
	UserMetadata map[string]string `json:"userMetadata,omitempty"`
	Checksums    map[string]string `json:"checksums,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	Region       string            `json:"region,omitempty"`
	Versioning   string            `json:"versioning,omitempty"`
	Mode         string            `json:"mode,omitempty"`
}

func (a *app) statCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "stat TARGET...",
		Short: "Show everything about objects, buckets or files",
		Long: `Show an object's size, date, ETag, content type, all its metadata
headers, user metadata, stored checksums and tags; a bucket's region and
versioning state; or a local file's size, date and mode.`,
		Example: `  hoard stat local/photos/2026/cat.jpg
  hoard stat local/photos
  hoard stat --json local/photos/2026/cat.jpg | jq .checksums`,
		Args: a.args(1, -1),
		RunE: a.run(func(ctx context.Context, args []string) error {
			for _, arg := range args {
				st, err := a.stat(ctx, a.target(arg))
				if err != nil {
					return err
				}
				a.printer().emit(st, st.human())
			}
			return nil
		}),
	}
	cmd.ValidArgsFunction = a.completePaths
	return cmd
}

// stat describes one target.
func (a *app) stat(ctx context.Context, t target) (objectStat, error) {
	if !t.isRemote() {
		fi, err := os.Stat(t.local)
		if err != nil {
			return objectStat{}, localError(err, t.local)
		}
		typ := "file"
		if fi.IsDir() {
			typ = "folder"
		}
		return objectStat{Status: "success", Type: typ, Name: t.local, Size: fi.Size(), LastModified: fi.ModTime(), Mode: fi.Mode().String()}, nil
	}
	r, err := a.remote(t.alias)
	if err != nil {
		return objectStat{}, err
	}
	if t.bucket == "" {
		return objectStat{}, a.usage("%s: name a bucket or object", t.raw)
	}
	if t.key == "" {
		return r.statBucket(ctx, t)
	}
	opts := minio.StatObjectOptions{Checksum: true}
	info, err := r.c.StatObject(ctx, t.bucket, t.key, opts)
	if err != nil {
		return objectStat{}, r.wrap(err, t.bucket, t.key)
	}
	st := objectStat{
		Status: "success", Type: "object", Name: t.String(), Size: info.Size, LastModified: info.LastModified,
		ETag: strings.Trim(info.ETag, `"`), ContentType: info.ContentType, VersionID: info.VersionID,
		StorageClass: info.StorageClass, Metadata: map[string]string{}, UserMetadata: map[string]string(info.UserMetadata),
		Checksums: map[string]string{},
	}
	for k, v := range info.Metadata {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "x-amz-checksum-") && lk != "x-amz-checksum-type":
			st.Checksums[strings.ToUpper(strings.TrimPrefix(lk, "x-amz-checksum-"))] = strings.Join(v, ",")
		case strings.HasPrefix(lk, "x-amz-meta-"):
		case lk == "content-type" || lk == "etag" || lk == "last-modified" || lk == "content-length":
		case lk == "date" || lk == "server" || lk == "x-amz-request-id" || lk == "x-amz-id-2" || lk == "accept-ranges" || lk == "vary":
		default:
			st.Metadata[http.CanonicalHeaderKey(k)] = strings.Join(v, ",")
		}
	}
	for name, v := range map[string]string{
		"CRC32": info.ChecksumCRC32, "CRC32C": info.ChecksumCRC32C, "CRC64NVME": info.ChecksumCRC64NVME,
		"SHA1": info.ChecksumSHA1, "SHA256": info.ChecksumSHA256,
	} {
		if v != "" {
			st.Checksums[name] = v
		}
	}
	if info.UserTagCount > 0 || info.Metadata.Get("X-Amz-Tagging-Count") != "" {
		tags, err := r.c.GetObjectTagging(ctx, t.bucket, t.key, minio.GetObjectTaggingOptions{})
		if err != nil {
			return objectStat{}, r.wrap(err, t.bucket, t.key)
		}
		st.Tags = tags.ToMap()
	}
	return st, nil
}

// statBucket describes a bucket.
func (r *remote) statBucket(ctx context.Context, t target) (objectStat, error) {
	if err := r.bucketExists(ctx, t.bucket); err != nil {
		return objectStat{}, err
	}
	st := objectStat{Status: "success", Type: "bucket", Name: t.String()}
	if loc, err := r.c.GetBucketLocation(ctx, t.bucket); err == nil {
		st.Region = loc
	}
	if v, err := r.c.GetBucketVersioning(ctx, t.bucket); err == nil {
		st.Versioning = v.Status
	}
	if st.Versioning == "" {
		st.Versioning = "Unversioned"
	}
	return st, nil
}

// human formats a stat for people.
func (st objectStat) human() string {
	rows := [][]string{{"Name", ":", st.Name}, {"Type", ":", st.Type}}
	add := func(k, v string) {
		if v != "" {
			rows = append(rows, []string{k, ":", v})
		}
	}
	if st.Type != "bucket" {
		add("Size", fmt.Sprintf("%s (%d bytes)", humanSize(st.Size), st.Size))
		add("Date", humanTime(st.LastModified))
	}
	add("ETag", st.ETag)
	add("Content-Type", st.ContentType)
	add("Version", st.VersionID)
	add("Storage class", st.StorageClass)
	add("Region", st.Region)
	add("Versioning", st.Versioning)
	add("Mode", st.Mode)
	section := func(title string, m map[string]string) {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			label := ""
			if i == 0 {
				label = title
			}
			rows = append(rows, []string{label, ":", k + ": " + m[k]})
		}
	}
	section("Checksums", st.Checksums)
	section("Metadata", st.Metadata)
	section("User metadata", st.UserMetadata)
	section("Tags", st.Tags)
	return table(rows)
}
