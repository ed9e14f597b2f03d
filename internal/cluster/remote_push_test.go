package cluster

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/meta"
)

func pushVersion(id string, i int) meta.Version {
	return meta.Version{ID: id, ModTime: time.Unix(int64(1700000000+i), 0).UTC(), Size: int64(i), ETag: id}
}

func pushRec(vs ...meta.Version) []byte { return meta.EncodeRecord(&meta.Record{Versions: vs}) }

// TestDrivePush: a push adds a version in front of the stored ones, and
// one whose Expect is stale is refused, locally and over the node-to-node
// calls alike.
func TestDrivePush(t *testing.T) {
	t.Parallel()
	forEachFixture(t, drive.Options{}, func(t *testing.T, f fixture) {
		checkPushes(t, f.d)
	})
}

// TestDrivePushToOlderNode: a node older than pushes refuses a batch with
// them as malformed; the Remote then writes the whole record instead, so
// the push still lands, exactly once, and a stale one is still refused.
func TestDrivePushToOlderNode(t *testing.T) {
	t.Parallel()
	l := openLocal(t, drive.Options{})
	n := startNode(t, testSecret, map[string]drive.Drive{"/srv/d1": l})
	var refused atomic.Int64
	rpc := n.srv.Config.Handler
	n.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "drive/apply") {
			body, _ := io.ReadAll(r.Body)
			if b, err := decodeBatch(body); err == nil && hasPush(b) {
				// What a decoder without pushes answers: trailing bytes.
				refused.Add(1)
				rpcError(w, fmt.Errorf("%w: batch (trailing bytes)", ErrProtocol))
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
		}
		rpc.ServeHTTP(w, r)
	})
	p := newTestPeer(t, n.host(), testSecret, PeerOptions{})
	waitOnline(t, p, true)
	checkPushes(t, NewRemote(p, "http://"+n.host()+"/srv/d1", "/srv/d1"))
	if refused.Load() == 0 {
		t.Fatal("the older node was never sent a push")
	}
}

// checkPushes pushes versions onto d and checks what it stores.
func checkPushes(t *testing.T, d drive.Drive) {
	ctx := context.Background()
	key := drive.ObjectKey("b", "k")
	push := func(v meta.Version, expect []byte) error {
		return d.Apply(ctx, drive.Batch{Mutations: []drive.Mutation{{NS: drive.NSObject, Key: key, Value: pushRec(v), Push: true, Expect: expect}}})
	}
	var vs []meta.Version
	for i := range 5 {
		expect, err := d.GetNewestToWrite(ctx, key) // as the engine reads before a push
		if i == 0 {
			wantErr(t, "GetNewestToWrite before the first push", err, drive.ErrNotFound)
			expect = nil
		} else if err != nil {
			t.Fatal(err)
		}
		v := pushVersion(fmt.Sprintf("v%d", i), i)
		if err := push(v, expect); err != nil {
			t.Fatalf("push %d: %v", i, err)
		}
		vs = append([]meta.Version{v}, vs...)
		if got, err := d.Get(ctx, drive.NSObject, key); err != nil || !bytes.Equal(got, pushRec(vs...)) {
			t.Fatalf("after push %d: got %x, %v; want %x", i, got, err, pushRec(vs...))
		}
	}
	for name, expect := range map[string][]byte{"stale": pushRec(vs[1]), "none": nil} {
		wantErr(t, "push expecting "+name, push(pushVersion("x", 9), expect), drive.ErrRecordChanged)
	}
	if got, err := d.Get(ctx, drive.NSObject, key); err != nil || !bytes.Equal(got, pushRec(vs...)) {
		t.Fatalf("after refused pushes: got %x, %v; want %x", got, err, pushRec(vs...))
	}
}
