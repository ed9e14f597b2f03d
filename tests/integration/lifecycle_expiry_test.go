package integration

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/hoardstore/hoard/internal/config"
	"github.com/hoardstore/hoard/internal/lifecycle"
	"github.com/hoardstore/hoard/internal/testserver"
)

// testDay is the length of a lifecycle day in the expiry test: rules of
// one day play out in two to four seconds.
const testDay = 2 * time.Second

// expirySlack is how long after its due time an action may take to be
// seen done: a pass starts every 100ms, and a pass over this test's few
// versions takes milliseconds, so this only absorbs a slow machine.
const expirySlack = 6 * time.Second

// TestLifecycleExpiry runs the lifecycle worker with two-second days on
// every layout and watches each kind of expiry happen: never before the
// moment the rules give, and soon after it. In the cluster every node
// runs a worker on its share of the erasure sets, and the counts of all
// nodes together show each action done exactly once.
func TestLifecycleExpiry(t *testing.T) {
	t.Parallel()
	opts := testserver.Options{Configure: func(c *config.Server) {
		c.LifecycleDay = testDay
		c.LifecycleInterval = 100 * time.Millisecond
	}}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			o := opts
			o.Drives = m.drives
			var nodes []*testserver.Server
			var e *env
			if m.nodes > 1 {
				nodes = testserver.StartCluster(t, testserver.ClusterOptions{Options: o, Nodes: m.nodes})
				e = newClusterEnv(t, m, nodes)
			} else {
				nodes = []*testserver.Server{testserver.Start(t, o)}
				e = newEnv(t, m, nodes[0])
			}
			checkExpiry(t, e, nodes)
		})
	}
}

// watch polls present until it reports false and checks when: not
// before due, and at the latest expirySlack after by.
func watch(t *testing.T, wg *sync.WaitGroup, what string, due, by time.Time, present func() bool) {
	wg.Add(1)
	go func() {
		defer wg.Done()
		for present() {
			if time.Now().After(by.Add(expirySlack)) {
				t.Errorf("%s: still there %v after it was due (%v)", what, expirySlack, by)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		if gone := time.Now(); gone.Before(due) {
			t.Errorf("%s: gone at %v, before it was due at %v", what, gone, due)
		}
	}()
}

func checkExpiry(t *testing.T, e *env, nodes []*testserver.Server) {
	vb, ub := e.bucket(t), e.bucket(t)
	e.setVersioning(t, vb, types.BucketVersioningStatusEnabled)
	putRules(t, e, vb, `<Rule><ID>cur</ID><Filter><Prefix>cur/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`+
		`<Rule><ID>nc</ID><Filter><Prefix>nc/</Prefix></Filter><Status>Enabled</Status><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>1</NewerNoncurrentVersions></NoncurrentVersionExpiration></Rule>`+
		`<Rule><ID>dm</ID><Filter><Prefix>dm/</Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays></NoncurrentVersionExpiration></Rule>`+
		`<Rule><ID>mp</ID><Filter><Prefix>mp/</Prefix></Filter><Status>Enabled</Status><AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>`+
		`<Rule><ID>tag</ID><Filter><And><Prefix>tag/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></And></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	putRules(t, e, ub, `<Rule><ID>past</ID><Filter><Prefix>past/</Prefix></Filter><Status>Enabled</Status><Expiration><Date>2000-01-01T00:00:00Z</Date></Expiration></Rule>`+
		`<Rule><ID>cur</ID><Filter><Prefix>cur/</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule>`)
	var wg sync.WaitGroup
	for _, b := range []string{vb, ub} {
		e.putObject(t, b, "keep/x", []byte("kept"))
		cur := expiringPut(t, e, b, "cur/a", "")
		watch(t, &wg, b+" cur/a", cur, cur, func() bool { return e.exists(t, b, "cur/a", "") })
	}
	tagged := expiringPut(t, e, vb, "tag/x", "k=v")
	watch(t, &wg, "tagged tag/x", tagged, tagged, func() bool { return e.exists(t, vb, "tag/x", "") })
	e.putObject(t, vb, "tag/y", []byte("untagged"))
	e.putObject(t, ub, "past/p", []byte("past"))
	watch(t, &wg, "past/p", time.Time{}, time.Now(), func() bool { return e.exists(t, ub, "past/p", "") })

	// nc/k: v1 goes a day after v2 replaced it; v2 stays (the one newer
	// noncurrent version kept); v3 is current.
	v1 := e.putVersion(t, vb, "nc/k", []byte("1"))
	e.putVersion(t, vb, "nc/k", []byte("2"))
	e.putVersion(t, vb, "nc/k", []byte("3"))
	lo, hi := noncurrentDue(t, e, vb, "nc/k", 1)
	watch(t, &wg, "nc/k v1", lo, hi, func() bool { return e.exists(t, vb, "nc/k", v1) })

	// dm/k: the version goes a day after the delete marker hid it; the
	// marker, then alone, goes right after.
	dv := e.putVersion(t, vb, "dm/k", []byte("d"))
	del, err := e.s3.DeleteObject(ctx(t), &s3.DeleteObjectInput{Bucket: &vb, Key: aws.String("dm/k")})
	must(t, "DeleteObject dm/k", err)
	dlo, dhi := noncurrentDue(t, e, vb, "dm/k", 0)
	watch(t, &wg, "dm/k version", dlo, dhi, func() bool { return e.exists(t, vb, "dm/k", dv) })
	watch(t, &wg, "dm/k delete marker", dlo, dhi, func() bool { return e.exists(t, vb, "dm/k", aws.ToString(del.VersionId)) })

	up, err := e.s3.CreateMultipartUpload(ctx(t), &s3.CreateMultipartUploadInput{Bucket: &vb, Key: aws.String("mp/u")})
	must(t, "CreateMultipartUpload", err)
	abort := aws.ToTime(up.AbortDate)
	if up.AbortDate == nil || abort.After(time.Now().Add(2*testDay)) {
		t.Fatalf("CreateMultipartUpload: abort date %v, want within two test days", up.AbortDate)
	}
	watch(t, &wg, "upload mp/u", abort, abort, func() bool {
		_, err := e.s3.ListParts(ctx(t), &s3.ListPartsInput{Bucket: &vb, Key: aws.String("mp/u"), UploadId: up.UploadId})
		return err == nil
	})
	wg.Wait()
	if t.Failed() {
		return
	}
	checkAfterExpiry(t, e, vb, ub)
	wantCounts(t, nodes, lifecycle.Counts{Expired: 4, Noncurrent: 2, DeleteMarkers: 1, Aborted: 1})
}

// checkAfterExpiry checks what must remain once every rule has acted.
func checkAfterExpiry(t *testing.T, e *env, vb, ub string) {
	for _, b := range []string{vb, ub} {
		if !e.exists(t, b, "keep/x", "") {
			t.Errorf("%s keep/x: removed, though no rule applies", b)
		}
	}
	if !e.exists(t, vb, "tag/y", "") {
		t.Error("tag/y (untagged): removed, though its tags do not match")
	}
	// Expiring a current version of a versioned bucket adds one delete
	// marker (one, not one per node) and keeps the version.
	if got := e.versionsOf(t, vb, "cur/", 100); len(got) != 2 || got[0][len(got[0])-2:] != "*!" {
		t.Errorf("versioned cur/: got %v, want a delete marker over the version", got)
	}
	if got := e.versionsOf(t, ub, "cur/", 100); len(got) != 0 {
		t.Errorf("unversioned cur/: got %v, want nothing", got)
	}
	if got := e.versionsOf(t, vb, "nc/", 100); len(got) != 2 {
		t.Errorf("nc/: got %v, want the current and one noncurrent version", got)
	}
	if got := e.versionsOf(t, vb, "dm/", 100); len(got) != 0 {
		t.Errorf("dm/: got %v, want nothing", got)
	}
}

// putRules stores a lifecycle configuration of rules (XML) on bucket.
func putRules(t *testing.T, e *env, bucket, rules string) {
	t.Helper()
	doc := []byte(`<LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` + rules + `</LifecycleConfiguration>`)
	resp, body := e.do(t, http.MethodPut, bucket, "", query("lifecycle", ""), hdr("Content-MD5", md5B64(doc)), doc)
	wantStatus(t, "PutBucketLifecycleConfiguration", resp, body, http.StatusOK)
}

// expiringPut writes key and returns the expiry its x-amz-expiration gives.
func expiringPut(t *testing.T, e *env, bucket, key, tagging string) time.Time {
	t.Helper()
	in := &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte(key))}
	if tagging != "" {
		in.Tagging = &tagging
	}
	out, err := e.s3.PutObject(ctx(t), in)
	must(t, "PutObject "+key, err)
	date, _, err := parseExpiration(aws.ToString(out.Expiration))
	if err != nil {
		t.Fatalf("PutObject %s: x-amz-expiration %q: %v", key, aws.ToString(out.Expiration), err)
	}
	due, err := http.ParseTime(date)
	must(t, "parse expiry-date", err)
	if due.After(time.Now().Add(2 * testDay)) {
		t.Fatalf("PutObject %s: expires at %v, want within two test days", key, due)
	}
	return due
}

// noncurrentDue bounds when the version at index i (newest first) of key
// is due under NoncurrentDays 1: a day after the version before it was
// written, from its listed time (milliseconds, so the bounds differ by
// the rounding of that last millisecond at most).
func noncurrentDue(t *testing.T, e *env, bucket, key string, i int) (lo, hi time.Time) {
	t.Helper()
	res, err := e.s3.ListObjectVersions(ctx(t), &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &key})
	must(t, "ListObjectVersions", err)
	var times []time.Time // every version and marker, newest first
	for _, v := range res.Versions {
		times = append(times, aws.ToTime(v.LastModified))
	}
	for _, d := range res.DeleteMarkers {
		times = append(times, aws.ToTime(d.LastModified))
	}
	sortNewestFirst(times)
	cal := lifecycle.Calendar{DayLength: testDay}
	return cal.After(times[i], 1), cal.After(times[i].Add(time.Millisecond), 1)
}

// exists reports whether version id of key (the current one for "") can
// be read.
func (e *env) exists(t *testing.T, bucket, key, id string) bool {
	in := &s3.HeadObjectInput{Bucket: &bucket, Key: &key}
	if id != "" {
		in.VersionId = &id
	}
	_, err := e.s3.HeadObject(ctx(t), in)
	if err == nil {
		return true
	}
	// HEAD of a delete marker by version ID answers 405: it exists.
	_, status := awsError(err)
	return status == http.StatusMethodNotAllowed
}

// wantCounts waits until the lifecycle counts of every node add up to
// want, and checks that they stay there for a few more passes.
func wantCounts(t *testing.T, nodes []*testserver.Server, want lifecycle.Counts) {
	t.Helper()
	deadline := time.Now().Add(expirySlack)
	for {
		got := sumCounts(t, nodes)
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("lifecycle counts of all nodes: got %+v, want %+v", got, want)
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	if got := sumCounts(t, nodes); got != want {
		t.Errorf("lifecycle counts grew after the last action: got %+v, want %+v", got, want)
	}
}

// sumCounts adds up the actions (not the scans) of every node's worker,
// read from the admin API.
func sumCounts(t *testing.T, nodes []*testserver.Server) lifecycle.Counts {
	var sum lifecycle.Counts
	for _, n := range nodes {
		c := adminILM(t, n).Total
		sum.Expired += c.Expired
		sum.Noncurrent += c.Noncurrent
		sum.DeleteMarkers += c.DeleteMarkers
		sum.Aborted += c.Aborted
		sum.Errors += c.Errors
	}
	return sum
}

// adminILM reads a node's lifecycle worker status from the admin API.
func adminILM(t *testing.T, n *testserver.Server) lifecycle.Status {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, n.URL+"/hoard/admin/v1/ilm", nil)
	must(t, "admin request", err)
	hash := sha256Hex(nil)
	req.Header.Set("X-Amz-Content-Sha256", hash)
	must(t, "sign", signer().SignHTTP(ctx(t), n.Credentials(), req, hash, "s3", n.Region, time.Now()))
	resp, err := n.HTTPClient(t).Do(req)
	must(t, "admin ilm", err)
	defer resp.Body.Close()
	var st lifecycle.Status
	must(t, "decode admin ilm", json.NewDecoder(resp.Body).Decode(&st))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("admin ilm: status %d", resp.StatusCode)
	}
	return st
}

// parseExpiration splits an x-amz-expiration value into its date and rule.
func parseExpiration(v string) (date, rule string, err error) {
	const head, mid = `expiry-date="`, `", rule-id="`
	i := strings.Index(v, mid)
	if !strings.HasPrefix(v, head) || i < 0 || !strings.HasSuffix(v, `"`) {
		return "", "", errors.New(`want expiry-date="...", rule-id="..."`)
	}
	return v[len(head):i], v[i+len(mid) : len(v)-1], nil
}

// sortNewestFirst sorts times newest first.
func sortNewestFirst(ts []time.Time) {
	sort.Slice(ts, func(i, j int) bool { return ts[i].After(ts[j]) })
}

// TestLifecycleClusterShares runs a cluster of four nodes with five drives
// each (two erasure sets of ten): the sets are dealt to two nodes, one
// each, and the objects of both sets are expired, each exactly once.
func TestLifecycleClusterShares(t *testing.T) {
	t.Parallel()
	nodes := testserver.StartCluster(t, testserver.ClusterOptions{Nodes: 4, Options: testserver.Options{Drives: 5, Configure: func(c *config.Server) {
		c.LifecycleDay = testDay
		c.LifecycleInterval = 100 * time.Millisecond
	}}})
	e := newClusterEnv(t, mode{name: "cluster-2-sets", drives: 5, nodes: 4}, nodes)
	bucket := e.bucket(t)
	const n = 40
	for i := range n {
		e.putObject(t, bucket, fmt.Sprintf("past/%02d", i), []byte("x"))
	}
	e.putObject(t, bucket, "keep/x", []byte("kept"))
	putRules(t, e, bucket, `<Rule><ID>past</ID><Filter><Prefix>past/</Prefix></Filter><Status>Enabled</Status><Expiration><Date>2000-01-01T00:00:00Z</Date></Expiration></Rule>`)
	wantCounts(t, nodes, lifecycle.Counts{Expired: n})
	if got := e.versionsOf(t, bucket, "", 100); len(got) != 1 {
		t.Errorf("after expiry: got %v, want keep/x only", got)
	}
	owners := map[int]int{}
	var working int
	for i, node := range nodes {
		st := adminILM(t, node)
		for _, s := range st.Sets {
			if prev, ok := owners[s]; ok {
				t.Errorf("set %d is processed by nodes %d and %d", s, prev, i)
			}
			owners[s] = i
		}
		if st.Total.Expired > 0 {
			working++
		}
	}
	if len(owners) != 2 || working != 2 {
		t.Errorf("got set owners %v and %d nodes expiring, want two sets on two nodes", owners, working)
	}
}
