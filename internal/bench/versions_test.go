package bench

import (
	"context"
	"encoding/xml"
	"log/slog"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/hoardstore/hoard/internal/testserver"
)

// versionsXML renders a ListVersionsResult the way S3 servers do, with
// the entries given in order (a delete marker when its version ID starts
// with "dm").
func versionsXML(refs []objectRef, truncated bool, nextKey, nextVersion string) []byte {
	type entry struct {
		XMLName   xml.Name
		Key       string
		VersionId string
		IsLatest  bool
	}
	type result struct {
		XMLName             xml.Name `xml:"ListVersionsResult"`
		Name                string
		KeyMarker           string
		VersionIdMarker     string
		NextKeyMarker       string `xml:",omitempty"`
		NextVersionIdMarker string `xml:",omitempty"`
		IsTruncated         bool
		Entries             []entry
	}
	r := result{Name: "b", KeyMarker: "km", VersionIdMarker: "vm", IsTruncated: truncated, NextKeyMarker: nextKey, NextVersionIdMarker: nextVersion}
	for _, o := range refs {
		name := "Version"
		if strings.HasPrefix(o.versionID, "dm") {
			name = "DeleteMarker"
		}
		r.Entries = append(r.Entries, entry{XMLName: xml.Name{Local: name}, Key: o.key, VersionId: o.versionID})
	}
	b, err := xml.Marshal(r)
	if err != nil {
		panic(err)
	}
	return append([]byte(xml.Header), b...)
}

func TestScanVersionsPage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name                 string
		refs                 []objectRef
		truncated            bool
		nextKey, nextVersion string
	}{
		{"empty", nil, false, "", ""},
		{"versions", []objectRef{{"a/p1", "v2"}, {"a/p1", "v1"}, {"a/p2", "null"}}, true, "a/p2", "null"},
		{"delete markers", []objectRef{{"a/p1", "dm3"}, {"a/p1", "v1"}, {"a/p2", "dm1"}}, false, "", ""},
		{"escaped", []objectRef{{"x<y>&'\"", "v&1"}, {"<Version><Key>", "dm<"}}, true, "<Version><Key>", "dm<"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := versionsXML(c.refs, c.truncated, c.nextKey, c.nextVersion)
			p := scanVersionsPage(b)
			want := versionsPage{versions: len(c.refs), nextKey: c.nextKey, nextVersionID: c.nextVersion, truncated: c.truncated}
			if p != want {
				t.Errorf("got %+v, want %+v", p, want)
			}
			got := map[objectRef]bool{}
			for _, o := range scanVersionRefs(nil, b) {
				got[o] = true
			}
			if len(got) != len(c.refs) {
				t.Errorf("got refs %v, want %v", got, c.refs)
			}
			for _, o := range c.refs {
				if !got[o] {
					t.Errorf("ref %+v missing from %v", o, got)
				}
			}
		})
	}
}

func TestDeleteObjectsXML(t *testing.T) {
	t.Parallel()
	refs := []objectRef{{"plain", ""}, {"a&b<c>", "v1"}, {"k", "null"}}
	var doc struct {
		Quiet   bool
		Objects []struct {
			Key       string
			VersionId *string
		} `xml:"Object"`
	}
	if err := xml.Unmarshal(deleteObjectsXML(refs), &doc); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	if !doc.Quiet || len(doc.Objects) != len(refs) {
		t.Fatalf("got %+v, want quiet with %d objects", doc, len(refs))
	}
	for i, o := range doc.Objects {
		v := ""
		if o.VersionId != nil {
			v = *o.VersionId
		}
		if o.Key != refs[i].key || v != refs[i].versionID || (refs[i].versionID == "") != (o.VersionId == nil) {
			t.Errorf("object %d: got %q version %q, want %+v", i, o.Key, v, refs[i])
		}
	}
}

// countVersions counts every version and delete marker under prefix with
// an independent client.
func countVersions(t *testing.T, s *testserver.Server, bucket, prefix string) int {
	t.Helper()
	n := 0
	opts := minio.ListObjectsOptions{Prefix: prefix, Recursive: true, WithVersions: true}
	for o := range s.MinioClient(t).ListObjects(context.Background(), bucket, opts) {
		if o.Err != nil {
			t.Fatalf("list versions %s: %v", bucket, o.Err)
		}
		n++
	}
	return n
}

func TestVersionedListAndCleanup(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	cfg.Workload, cfg.Bucket, cfg.Prefix, cfg.Keep = WorkloadList, "vers-test", "v", true
	cfg.Versioning, cfg.Objects, cfg.VersionsPerKey = true, 25, 4
	cfg.SizeMin, cfg.SizeMax, cfg.Concurrency, cfg.ListMaxKeys, cfg.Ops = 10, 10, 1, 10, 3
	rep := run(t, cfg)
	// ListObjectsV2 sees each key once: pages of 10, 10 and 5.
	if list := statsOf(t, rep, "LIST"); list.Ops != 3 || list.Items != 25 {
		t.Errorf("got %d pages with %d keys, want 3 with 25", list.Ops, list.Items)
	}
	if st, err := s.MinioClient(t).GetBucketVersioning(context.Background(), "vers-test"); err != nil || st.Status != "Enabled" {
		t.Fatalf("bucket versioning: got %+v, %v, want Enabled", st, err)
	}
	if n := countVersions(t, s, "vers-test", "v/"); n != 100 {
		t.Fatalf("got %d versions, want 25x4", n)
	}

	// 100 versions in pages of 30: 30, 30, 30, 10, then again from the start.
	cfg.Workload, cfg.Reuse, cfg.Keep, cfg.ListMaxKeys, cfg.Ops = WorkloadListVersions, true, false, 30, 5
	rep = run(t, cfg)
	lv := statsOf(t, rep, "LISTVERSIONS")
	checkSane(t, lv, rep.Seconds)
	if lv.Ops != 5 || lv.Items != 130 {
		t.Errorf("got %d pages with %d versions, want 5 with 130", lv.Ops, lv.Items)
	}
	// The cleanup removed every version; the bucket, given, stays.
	if n := countVersions(t, s, "vers-test", ""); n != 0 {
		t.Errorf("got %d versions after the cleanup, want 0", n)
	}
}

func TestVersionedRunCreatesAndRemovesBucket(t *testing.T) {
	t.Parallel()
	s, cfg := startServer(t)
	// DELETEs in a versioned bucket leave delete markers, which the
	// cleanup must remove too before the bucket can go.
	cfg.Workload, cfg.Versioning, cfg.Objects, cfg.Ops = WorkloadMixed, true, 20, 60
	cfg.Mix = Mix{Get: 1, Put: 1, Delete: 1}
	rep := run(t, cfg)
	if d := statsOf(t, rep, "DELETE"); d.Ops == 0 {
		t.Fatalf("got no DELETE in %+v", rep.Stats)
	}
	if bucketExists(t, s, rep.Bucket) {
		t.Errorf("bucket %s is still there after the run", rep.Bucket)
	}

	// A bucket the run did not create is never made versioned.
	if err := s.MinioClient(t).MakeBucket(context.Background(), "plain-test", minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	cfg.Workload, cfg.Bucket = WorkloadPut, "plain-test"
	_, err := Run(context.Background(), cfg, slog.New(slog.DiscardHandler))
	if err == nil || !strings.Contains(err.Error(), "not versioned") {
		t.Errorf("got %v, want an error saying the bucket is not versioned", err)
	}
	if st, err := s.MinioClient(t).GetBucketVersioning(context.Background(), "plain-test"); err != nil || st.Status != "" {
		t.Errorf("bucket versioning: got %q, %v, want none", st.Status, err)
	}
}
