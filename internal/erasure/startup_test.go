package erasure

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/drive"
	"github.com/hoardstore/hoard/internal/storage"
)

// logBuffer collects log lines for assertions; safe for concurrent use.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

// waitFor polls cond every 10ms for up to limit.
func waitFor(t *testing.T, what string, limit time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not true after %v", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// formatted creates n drive folders holding one deployment with a bucket
// and objects; it returns the folders and the bodies by key.
func formatted(t *testing.T, n int, cfg Config) ([]string, map[string][]byte) {
	t.Helper()
	dirs := make([]string, n)
	for i := range dirs {
		dirs[i] = t.TempDir()
	}
	cfg.Drives = dirs
	l, err := Open(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	defer l.Close()
	mustBucket(t, l, "bkt")
	bodies := map[string][]byte{"small": randBytes(100, 1), "big": randBytes(1<<20+5, 2)}
	for k, b := range bodies {
		mustPut(t, l, "bkt", k, b)
	}
	return dirs, bodies
}

func readFormatOf(t *testing.T, dir string) drive.Format {
	t.Helper()
	d, err := drive.OpenLocal(dir, drive.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	f, err := d.ReadFormat(context.Background())
	if err != nil {
		t.Fatalf("ReadFormat(%s): %v", dir, err)
	}
	return f
}

func checkBodies(t *testing.T, l *Layer, bodies map[string][]byte) {
	t.Helper()
	for k, want := range bodies {
		got, err := readAll(l, "bkt", k)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("read %s: got %d bytes, %v; want %d bytes", k, len(got), err, len(want))
		}
	}
}

// TestStartRefuses: problems no wait can fix fail at once, with a
// message naming the drives.
func TestStartRefuses(t *testing.T) {
	a, _ := formatted(t, 4, Config{})
	b, _ := formatted(t, 4, Config{})
	twoSets, _ := formatted(t, 4, Config{SetSize: 2})
	copied := make([]string, 4)
	copy(copied, a)
	copied[3] = t.TempDir()
	if err := copyDir(a[0], copied[3]); err != nil {
		t.Fatal(err)
	}
	tooFew := []string{a[0], t.TempDir(), t.TempDir(), t.TempDir()}
	tests := []struct {
		name   string
		drives []string
		cfg    Config
		want   []string
	}{
		{"drive of another deployment", []string{a[0], a[1], a[2], b[3]}, Config{}, []string{"different deployments", a[0], b[3]}},
		{"two drives with one id", copied, Config{}, []string{"same drive ID", a[0], copied[3]}},
		{"fewer drives than formatted", a[:3], Config{}, []string{"formatted as 1 sets of 4 drives", "3 are listed"}},
		{"set size changed", twoSets, Config{SetSize: 4}, []string{"set size 4", "sets of 2"}},
		{"blank drives beyond parity", tooFew, Config{}, []string{"refusing to format blank drives"}},
		{"same folder twice", []string{a[0], a[0], a[1], a[2]}, Config{}, []string{"listed twice"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg
			cfg.Drives = tt.drives
			cfg.StartTimeout = time.Minute // must not be waited for
			start := time.Now()
			l, err := Open(context.Background(), cfg)
			if err == nil {
				l.Close()
				t.Fatalf("Open: got nil, want an error mentioning %q", tt.want)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open: got %q, want it to mention %q", err, w)
				}
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("Open took %v, want an immediate refusal", d)
			}
		})
	}
}

// copyDir copies a closed drive folder (a drive cloned by an operator).
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// TestStartPlacesDrivesByID: drives listed in any order, even across
// sets, are placed by the drive ID in their format, and it is logged.
func TestStartPlacesDrivesByID(t *testing.T) {
	tests := []struct {
		name    string
		setSize int
		order   []int
	}{
		{"swapped within a set", 0, []int{0, 2, 1, 3}},
		{"reversed", 0, []int{3, 2, 1, 0}},
		{"swapped between sets", 2, []int{2, 1, 0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dirs, bodies := formatted(t, 4, Config{SetSize: tt.setSize})
			var logs logBuffer
			listed := make([]string, 4)
			for i, j := range tt.order {
				listed[i] = dirs[j]
			}
			l, err := Open(context.Background(), Config{Drives: listed, Logger: logs.logger()})
			if err != nil {
				t.Fatalf("Open: got %v, want nil", err)
			}
			defer l.Close()
			checkBodies(t, l, bodies)
			for i, d := range l.drives {
				if d.Endpoint() != dirs[i] {
					t.Errorf("position %d: got %s, want %s", i, d.Endpoint(), dirs[i])
				}
			}
			if !strings.Contains(logs.String(), "listed out of order") {
				t.Errorf("logs: got %q, want a line about the order", logs.String())
			}
		})
	}
}

// TestStartReplacesLostDrive: an empty folder in the place of a lost
// drive gets the lost drive's ID and position and is reported as
// rebuilding; the objects stay readable and writable.
func TestStartReplacesLostDrive(t *testing.T) {
	dirs, bodies := formatted(t, 4, Config{})
	lost := readFormatOf(t, dirs[2])
	if err := os.RemoveAll(dirs[2]); err != nil {
		t.Fatal(err)
	}
	l, err := Open(context.Background(), Config{Drives: dirs})
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	defer l.Close()
	f, err := l.drives[2].ReadFormat(context.Background())
	if err != nil || f.DriveID != lost.DriveID || f.Deployment != lost.Deployment || !sameLayout(f.Sets, lost.Sets) {
		t.Errorf("replacement format: got %+v, %v; want drive %s of %s", f, err, lost.DriveID, lost.Deployment)
	}
	if got := l.RebuildingDrives(); !slices.Equal(got, []string{dirs[2]}) {
		t.Errorf("RebuildingDrives: got %q, want %q", got, dirs[2])
	}
	checkBodies(t, l, bodies)
	mustPut(t, l, "bkt", "after", []byte("written with the replacement in place"))
	if p := verifyRedundancy(t, l, "bkt", "after"); len(p) != 0 {
		t.Errorf("object written after the replacement: %v; want every shard", p)
	}
	info, err := l.StorageInfo(context.Background())
	if err != nil || info.Drives[2].State != "healing" {
		t.Fatalf("StorageInfo: got %+v, %v; want drive 3 healing", info.Drives, err)
	}
	l.DriveRebuilt(dirs[2])
	info, _ = l.StorageInfo(context.Background())
	if info.Drives[2].State != "online" {
		t.Errorf("after DriveRebuilt: got %q, want online", info.Drives[2].State)
	}
}

// faultyDrives opens dirs as local drives wrapped in drive.Faulty.
func faultyDrives(t *testing.T, dirs []string) ([]drive.Drive, []*drive.Faulty) {
	t.Helper()
	ds := make([]drive.Drive, len(dirs))
	fs := make([]*drive.Faulty, len(dirs))
	for i, dir := range dirs {
		d, err := drive.OpenLocal(dir, drive.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fs[i] = drive.NewFaulty(d)
		ds[i] = fs[i]
	}
	return ds, fs
}

// TestStartWaitsForQuorum: with too few drives for the write quorum,
// start waits, says for which drives, gives up after the timeout, stops
// when cancelled, and proceeds as soon as enough drives answer; the last
// missing drive joins while the engine runs.
func TestStartWaitsForQuorum(t *testing.T) {
	dirs, bodies := formatted(t, 4, Config{})
	fast := Config{ProbeInterval: 10 * time.Millisecond, MonitorInterval: 10 * time.Millisecond}

	t.Run("gives up after the timeout", func(t *testing.T) {
		ds, fs := faultyDrives(t, dirs)
		defer closeAll(ds)
		fs[1].SetMode(drive.FaultRemoved)
		fs[3].SetMode(drive.FaultEIO)
		var logs logBuffer
		cfg := fast
		cfg.StartTimeout, cfg.Logger = 200*time.Millisecond, logs.logger()
		_, err := New(context.Background(), cfg, ds)
		if err == nil || !strings.Contains(err.Error(), "gave up after 200ms") || !strings.Contains(err.Error(), dirs[1]) || !strings.Contains(err.Error(), dirs[3]) {
			t.Errorf("New: got %v, want a timeout naming %s and %s", err, dirs[1], dirs[3])
		}
		if want := "waiting for 1 more drive to reach quorum"; !strings.Contains(logs.String(), want) {
			t.Errorf("logs: got %q, want %q", logs.String(), want)
		}
	})

	t.Run("cancelled", func(t *testing.T) {
		ds, fs := faultyDrives(t, dirs)
		defer closeAll(ds)
		fs[0].SetMode(drive.FaultRemoved)
		fs[1].SetMode(drive.FaultRemoved)
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := New(ctx, fast, ds)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("New: got %v, want context.DeadlineExceeded", err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("New returned after %v, want soon after the cancel", d)
		}
	})

	t.Run("proceeds and the last drive joins later", func(t *testing.T) {
		ds, fs := faultyDrives(t, dirs)
		fs[1].SetMode(drive.FaultRemoved)
		fs[3].SetMode(drive.FaultRemoved)
		var logs logBuffer
		cfg := fast
		cfg.StartTimeout, cfg.Logger = 30*time.Second, logs.logger()
		type result struct {
			l   *Layer
			err error
		}
		done := make(chan result, 1)
		go func() {
			l, err := New(context.Background(), cfg, ds)
			done <- result{l, err}
		}()
		waitFor(t, "log line about the wait", 10*time.Second, func() bool {
			return strings.Contains(logs.String(), "waiting for 1 more drive to reach quorum")
		})
		fs[1].SetMode(drive.FaultNone)
		r := <-done
		if r.err != nil {
			closeAll(ds)
			t.Fatalf("New: got %v, want nil", r.err)
		}
		l := r.l
		defer l.Close()
		checkBodies(t, l, bodies)
		mustPut(t, l, "bkt", "while-one-missing", []byte("x"))
		state := func() string {
			info, _ := l.StorageInfo(context.Background())
			return info.Drives[3].State
		}
		if got := state(); got != "offline" {
			t.Errorf("missing drive: got %q, want offline", got)
		}
		fs[3].SetMode(drive.FaultNone)
		waitFor(t, "the missing drive to join", 10*time.Second, func() bool { return state() == "online" })
		if !strings.Contains(logs.String(), "drive is back online") {
			t.Errorf("logs: got %q, want the drive's return", logs.String())
		}
		mustPut(t, l, "bkt", "all-back", randBytes(300<<10, 9))
		if p := verifyRedundancy(t, l, "bkt", "all-back"); len(p) != 0 {
			t.Errorf("object written after the drive joined: %v; want every shard", p)
		}
	})

	t.Run("new deployment waits for every drive", func(t *testing.T) {
		fresh := []string{t.TempDir(), t.TempDir(), t.TempDir(), t.TempDir()}
		ds, fs := faultyDrives(t, fresh)
		defer closeAll(ds)
		fs[2].SetMode(drive.FaultRemoved)
		cfg := fast
		cfg.StartTimeout = 100 * time.Millisecond
		_, err := New(context.Background(), cfg, ds)
		if err == nil || !strings.Contains(err.Error(), "every drive is present") || !strings.Contains(err.Error(), fresh[2]) {
			t.Errorf("New: got %v, want a wait for %s", err, fresh[2])
		}
	})
}

func closeAll(ds []drive.Drive) {
	for _, d := range ds {
		d.Close()
	}
}

// TestStartCorruptFormat: a drive whose format record is unreadable is
// kept out of service and reported corrupt; the others serve; once the
// record is repaired the drive joins.
func TestStartCorruptFormat(t *testing.T) {
	dirs, bodies := formatted(t, 4, Config{})
	path := filepath.Join(dirs[1], ".hoard.sys", "format.json")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(`{"version": 1, "deployment": "x`), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs logBuffer
	l, err := Open(context.Background(), Config{Drives: dirs, Logger: logs.logger(), MonitorInterval: 10 * time.Millisecond})
	if err != nil {
		t.Fatalf("Open: got %v, want nil", err)
	}
	defer l.Close()
	state := func() string {
		info, err := l.StorageInfo(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		return info.Drives[1].State
	}
	if got := state(); got != "corrupt" {
		t.Errorf("drive with a corrupt format: got %q, want corrupt", got)
	}
	checkBodies(t, l, bodies)
	mustPut(t, l, "bkt", "degraded", []byte("three drives take it"))
	if got, _ := os.ReadFile(path); !bytes.HasPrefix(got, []byte(`{"version": 1, "deployment": "x`)) {
		t.Errorf("the corrupt format was overwritten: got %q", got)
	}
	waitFor(t, "the corrupt format to be logged", 10*time.Second, func() bool {
		return strings.Contains(logs.String(), "corrupt format record")
	})
	if err := os.WriteFile(path, good, 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the repaired drive to join", 10*time.Second, func() bool { return state() == "online" })
	checkBodies(t, l, bodies)
}

// TestStartStateTable runs the start decision on probe tables.
func TestStartStateTable(t *testing.T) {
	ref := func(id string) drive.Format {
		return drive.Format{Version: 1, Deployment: "dep", DriveID: id, Sets: [][]string{{"a", "b", "c", "d"}}}
	}
	f := func(id string) *probe { return &probe{state: probeFormatted, f: ref(id)} }
	blank := func() *probe { return &probe{state: probeBlank} }
	absent := func() *probe { return &probe{state: probeAbsent, err: errors.New("gone")} }
	corrupt := func() *probe { return &probe{state: probeCorrupt, err: drive.ErrFormatCorrupt} }
	tests := []struct {
		name   string
		probes []*probe
		wait   bool
		fatal  bool
		fresh  []int
	}{
		{"all formatted", []*probe{f("a"), f("b"), f("c"), f("d")}, false, false, nil},
		{"one blank replaces its place", []*probe{f("a"), f("b"), blank(), f("d")}, false, false, []int{2}},
		{"blank takes the free place, not its listed one", []*probe{f("a"), blank(), f("b"), f("d")}, false, false, []int{2}},
		{"two blank: enough formatted to read", []*probe{f("a"), blank(), blank(), f("d")}, false, false, []int{1, 2}},
		{"one absent: write quorum 3 reached", []*probe{f("a"), absent(), f("c"), f("d")}, false, false, nil},
		{"two absent: wait", []*probe{f("a"), absent(), absent(), f("d")}, true, false, nil},
		{"absent and corrupt: wait for the absent", []*probe{f("a"), absent(), corrupt(), f("d")}, true, false, nil},
		{"blank does not take an absent drive's place", []*probe{f("a"), absent(), blank(), f("d")}, false, false, []int{2}},
		{"three blank: refuse", []*probe{f("a"), blank(), blank(), blank()}, false, true, nil},
		{"corrupt and two blank: refuse", []*probe{f("a"), corrupt(), blank(), blank()}, false, true, nil},
		{"all blank: new deployment", []*probe{blank(), blank(), blank(), blank()}, false, false, []int{0, 1, 2, 3}},
		{"all blank but one absent: wait", []*probe{blank(), absent(), blank(), blank()}, true, false, nil},
		{"no format but a corrupt one: refuse", []*probe{blank(), corrupt(), blank(), blank()}, false, true, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for i, p := range tt.probes {
				p.pos, p.endpoint = i, fmt.Sprintf("/d%d", i)
			}
			sp, err := plan(tt.probes, 4, 0, false)
			switch {
			case tt.wait && !errors.Is(err, errWait):
				t.Fatalf("plan: got %v, want a wait", err)
			case tt.fatal && (err == nil || errors.Is(err, errWait)):
				t.Fatalf("plan: got %v, want a refusal", err)
			case !tt.wait && !tt.fatal && err != nil:
				t.Fatalf("plan: got %v, want a plan", err)
			}
			if err == nil && !slices.Equal(sp.fresh, tt.fresh) {
				t.Errorf("formatted places: got %v, want %v", sp.fresh, tt.fresh)
			}
		})
	}
}

// TestStartedEngineServesWithMissingDrive: objects written while a drive
// was missing at start are complete on the others.
func TestStartedEngineServesWithMissingDrive(t *testing.T) {
	dirs, bodies := formatted(t, 4, Config{})
	ds, fs := faultyDrives(t, dirs)
	fs[0].SetMode(drive.FaultEIO)
	l, err := New(context.Background(), Config{MonitorInterval: time.Hour}, ds)
	if err != nil {
		closeAll(ds)
		t.Fatalf("New: got %v, want nil", err)
	}
	defer l.Close()
	checkBodies(t, l, bodies)
	if _, ok := l.drives[0].(*slotDrive); !ok {
		t.Fatalf("position 0: got %T, want the place of a missing drive", l.drives[0])
	}
	body := randBytes(2<<20, 7)
	mustPut(t, l, "bkt", "new", body)
	got, err := readAll(l, "bkt", "new")
	if err != nil || !bytes.Equal(got, body) {
		t.Errorf("read new: got %d bytes, %v", len(got), err)
	}
	if _, err := l.drives[0].Get(context.Background(), drive.NSBucket, "bkt"); errors.Is(err, drive.ErrNotFound) || err == nil {
		t.Errorf("missing drive Get: got %v, want an offline error (never not-found)", err)
	}
	keys, _, err := listAllErr(l, "bkt", storage.ListOptions{})
	if err != nil || !slices.Equal(keys, []string{"big", "new", "small"}) {
		t.Errorf("list: got %q, %v", keys, err)
	}
}
