package drive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// localShardWriter writes one staged shard file. A direct writer gathers
// the stream in an aligned buffer and writes whole buffers with O_DIRECT
// from goroutines while the caller fills the next buffer, up to
// directInflight writes at once, so the device sees several writes per
// stream and the writes overlap the coding of the next blocks; the
// unaligned tail is written after O_DIRECT is turned off, and Close
// fdatasyncs either way.
type localShardWriter struct {
	l    *Local
	f    *os.File
	path string
	err  error

	// direct state; buf is nil for a buffered writer.
	buf  *alignedBuf
	n    int   // bytes in buf
	off  int64 // file offset of buf.b[0]
	size int64 // the file's announced size
	// inflight holds the writes under way, oldest first; spare holds
	// written buffers ready for reuse.
	inflight []pendingWrite
	spare    []*alignedBuf
}

// pendingWrite is a direct write under way: its buffer, and the channel
// its result arrives on.
type pendingWrite struct {
	buf  *alignedBuf
	done chan error
}

// createShardFile opens path for a shard of size bytes, direct when the
// drive's filesystem allows it.
func (l *Local) createShardFile(path string, size int64) (*localShardWriter, error) {
	w := &localShardWriter{l: l, path: path}
	if l.dio.usable(size) {
		f, err := openDirect(path)
		switch {
		case err == nil:
			l.dio.accept()
			w.f, w.buf, w.size = f, l.dio.get(size), size
			return w, nil
		case errors.Is(err, errDirectRefused):
			l.dio.refuse()
			l.log.Info("filesystem refuses direct i/o; shard files are written buffered")
		default:
			return nil, fmt.Errorf("drive: create shard: %w", mapErr(err))
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, FileMode)
	if err != nil {
		return nil, fmt.Errorf("drive: create shard: %w", mapErr(err))
	}
	w.f = f
	return w, nil
}

func (w *localShardWriter) Write(p []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	if w.buf == nil {
		n, err := w.f.Write(p)
		if err != nil {
			w.err = fmt.Errorf("drive: write shard: %w", mapErr(err))
		}
		return n, w.err
	}
	done := 0
	for done < len(p) {
		c := copy(w.buf.b[w.n:], p[done:])
		w.n += c
		done += c
		if w.n == len(w.buf.b) {
			if err := w.flush(w.n); err != nil {
				return done, err
			}
		}
	}
	return done, nil
}

// flush starts writing the first n bytes of the buffer (a multiple of
// directAlign) at the writer's offset and continues in another buffer,
// starting with what is left. With directInflight writes under way it
// first waits for the oldest.
func (w *localShardWriter) flush(n int) error {
	if len(w.inflight) >= directInflight {
		w.waitOldest()
	}
	if w.err != nil {
		return w.err
	}
	if w.size-w.off-int64(n) < directMinSize {
		// Only a short tail is to come: write in place rather than
		// take another buffer for it.
		if err := w.writeAt(w.buf.b[:n], w.off); err != nil {
			w.err = fmt.Errorf("drive: write shard: %w", mapErr(err))
			return w.err
		}
		w.off += int64(n)
		w.n = copy(w.buf.b, w.buf.b[n:w.n])
		return nil
	}
	var next *alignedBuf
	if k := len(w.spare); k > 0 {
		next, w.spare = w.spare[k-1], w.spare[:k-1]
	} else {
		next = w.l.dio.get(int64(len(w.buf.b)))
	}
	cur, off := w.buf, w.off
	w.buf, w.n = next, copy(next.b, cur.b[n:w.n])
	w.off += int64(n)
	done := make(chan error, 1)
	w.inflight = append(w.inflight, pendingWrite{buf: cur, done: done})
	go func() { done <- w.writeAt(cur.b[:n], off) }()
	return nil
}

// waitOldest waits for the oldest write under way and keeps its buffer
// for reuse; a failure becomes the writer's error.
func (w *localShardWriter) waitOldest() {
	p := w.inflight[0]
	w.inflight = append(w.inflight[:0], w.inflight[1:]...)
	err := <-p.done
	w.spare = append(w.spare, p.buf)
	if err != nil && w.err == nil {
		w.err = fmt.Errorf("drive: write shard: %w", mapErr(err))
	}
}

// wait waits for every write under way.
func (w *localShardWriter) wait() error {
	for len(w.inflight) > 0 {
		w.waitOldest()
	}
	return w.err
}

// writeAt writes p at off with O_DIRECT. If the filesystem took O_DIRECT
// at open but refuses it for writing, it carries on buffered, on this file
// and on the drive's next ones.
func (w *localShardWriter) writeAt(p []byte, off int64) error {
	_, err := w.f.WriteAt(p, off)
	if err != nil && directRefused(err) {
		w.l.dio.refuse()
		if err = clearDirect(w.f); err == nil {
			_, err = w.f.WriteAt(p, off)
		}
	}
	return err
}

// finish writes what the buffer holds: the aligned part direct, the rest
// with O_DIRECT off. It returns the buffers to their pool.
func (w *localShardWriter) finish() error {
	defer w.release()
	if err := w.wait(); err != nil {
		return err
	}
	if full := w.n &^ (directAlign - 1); full > 0 {
		if err := w.writeAt(w.buf.b[:full], w.off); err != nil {
			return fmt.Errorf("drive: write shard: %w", mapErr(err))
		}
		w.off += int64(full)
		w.n = copy(w.buf.b, w.buf.b[full:w.n])
	}
	if w.n == 0 {
		return nil
	}
	if err := clearDirect(w.f); err != nil {
		return fmt.Errorf("drive: write shard tail: %w", err)
	}
	if _, err := w.f.WriteAt(w.buf.b[:w.n], w.off); err != nil {
		return fmt.Errorf("drive: write shard: %w", mapErr(err))
	}
	return nil
}

// release waits for the writes under way and returns the buffers.
func (w *localShardWriter) release() {
	w.wait()
	if w.buf != nil {
		w.l.dio.put(w.buf)
	}
	for _, b := range w.spare {
		w.l.dio.put(b)
	}
	w.buf, w.spare = nil, nil
}

// Close writes any buffered tail, fdatasyncs and closes the file; on
// failure the file is removed.
func (w *localShardWriter) Close() error {
	err := w.err
	if w.buf != nil {
		err = w.finish()
	}
	if err == nil && !w.l.opts.NoSync {
		if serr := datasync(w.f); serr != nil {
			err = fmt.Errorf("drive: sync shard: %w", mapErr(serr))
		}
	}
	if cerr := w.f.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("drive: close shard: %w", mapErr(cerr))
	}
	if err != nil {
		os.Remove(w.path)
	}
	return err
}

// Abort closes and removes the file.
func (w *localShardWriter) Abort() error {
	w.release()
	w.f.Close()
	if err := os.Remove(w.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("drive: abort shard: %w", err)
	}
	return nil
}
