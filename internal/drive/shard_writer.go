package drive

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// localShardWriter writes one staged shard file. A direct writer gathers
// the stream in an aligned buffer and writes whole buffers with O_DIRECT;
// the unaligned tail is written after O_DIRECT is turned off, and Close
// fdatasyncs either way.
type localShardWriter struct {
	l    *Local
	f    *os.File
	path string
	err  error

	// direct state; buf is nil for a buffered writer.
	buf *alignedBuf
	n   int   // bytes in buf
	off int64 // file offset of buf.b[0]
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
			w.f, w.buf = f, l.dio.get(size)
			return w, nil
		case errors.Is(err, errDirectRefused):
			l.dio.refuse()
			l.log.Info("filesystem refuses direct i/o; shard files are written buffered")
		default:
			return nil, fmt.Errorf("drive: create shard: %w", mapErr(err))
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
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

// flush writes the first n bytes of the buffer (a multiple of directAlign)
// at the writer's offset and moves what is left to the buffer's start.
func (w *localShardWriter) flush(n int) error {
	_, err := w.f.WriteAt(w.buf.b[:n], w.off)
	if err != nil && directRefused(err) {
		// The filesystem took O_DIRECT at open but not for writing:
		// carry on buffered, on this file and on the drive's next ones.
		w.l.dio.refuse()
		if err = clearDirect(w.f); err == nil {
			_, err = w.f.WriteAt(w.buf.b[:n], w.off)
		}
	}
	if err != nil {
		w.err = fmt.Errorf("drive: write shard: %w", mapErr(err))
		return w.err
	}
	w.off += int64(n)
	w.n = copy(w.buf.b, w.buf.b[n:w.n])
	return nil
}

// finish writes what the buffer holds: the aligned part direct, the rest
// with O_DIRECT off. It returns the buffer to its pool.
func (w *localShardWriter) finish() error {
	defer w.release()
	if w.err != nil {
		return w.err
	}
	if full := w.n &^ (directAlign - 1); full > 0 {
		if err := w.flush(full); err != nil {
			return err
		}
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

func (w *localShardWriter) release() {
	if w.buf != nil {
		w.l.dio.put(w.buf)
		w.buf = nil
	}
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
