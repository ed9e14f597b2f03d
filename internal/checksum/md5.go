package checksum

import (
	"crypto/md5"
	"hash"
	"runtime"
	"sync"
	"sync/atomic"

	md5simd "github.com/minio/md5-simd"
	"golang.org/x/sys/cpu"
)

// MD5 of large payloads runs on one multi-buffer server per process, which
// hashes up to 16 streams at once with AVX-512 (8 with AVX2): with several
// concurrent uploads it costs a fraction of the CPU of one crypto/md5 per
// stream, which was the largest single cost of a large PUT. With one stream
// it hashes at crypto/md5's speed. Small payloads keep crypto/md5: their
// hand-offs to the server would cost more than they save.
const (
	// simdMinSize is the smallest payload hashed on the shared server.
	simdMinSize = 1 << 20
	// simdHashers bounds the hashers registered with the server. The
	// server keeps every hasher it ever handed out in its scheduling
	// table until it is closed, and its close does not unregister it, so
	// hashers are reset and reused, never closed. A payload that finds
	// them all busy uses crypto/md5.
	simdHashers = 64
)

// md5Lanes hands out MD5 hashers of a shared SIMD server.
type md5Lanes struct {
	srv  md5simd.Server
	idle chan md5simd.Hasher
	made atomic.Int32
}

// sharedMD5 is the process's SIMD server, started at the first large
// payload; nil where the CPU lacks AVX2. It is the one piece of
// package-level state: a concurrency-safe service every Reader shares, so
// that streams of different requests fill its lanes together.
var sharedMD5 = sync.OnceValue(func() *md5Lanes {
	if !cpu.X86.HasAVX2 {
		return nil
	}
	return &md5Lanes{srv: md5simd.NewServer(), idle: make(chan md5simd.Hasher, simdHashers)}
})

// get returns an idle hasher, a new one while fewer than simdHashers
// exist, or nil.
func (m *md5Lanes) get() md5simd.Hasher {
	select {
	case h := <-m.idle:
		return h
	default:
	}
	if m.made.Add(1) > simdHashers {
		m.made.Add(-1)
		return nil
	}
	return m.srv.NewHash()
}

// put resets h and makes it available again.
func (m *md5Lanes) put(h md5simd.Hasher) {
	h.Reset()
	m.idle <- h // never blocks: at most simdHashers exist
}

// md5Lease is a Reader's hold on a shared hasher. It is returned when the
// Reader finishes or fails, or, for a Reader abandoned mid-stream, when
// the Reader is garbage collected.
type md5Lease struct {
	lanes   *md5Lanes
	h       md5simd.Hasher
	done    atomic.Bool
	cleanup runtime.Cleanup
}

func (l *md5Lease) release() {
	if l.done.CompareAndSwap(false, true) {
		l.lanes.put(l.h)
	}
}

// newMD5 returns the MD5 hash for a payload of size bytes and, when it
// runs on the shared server, the lease to release when the hash is done.
func newMD5(owner *Reader, size int64) (hash.Hash, *md5Lease) {
	if size < simdMinSize {
		return md5.New(), nil
	}
	lanes := sharedMD5()
	if lanes == nil {
		return md5.New(), nil
	}
	h := lanes.get()
	if h == nil {
		return md5.New(), nil
	}
	l := &md5Lease{lanes: lanes, h: h}
	l.cleanup = runtime.AddCleanup(owner, (*md5Lease).release, l)
	return h, l
}
