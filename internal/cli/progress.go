package cli

import (
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// progress is a transfer progress bar with bytes, throughput and ETA. A
// nil *progress is valid and draws nothing, which is what commands get off
// a terminal, with --quiet or with --json.
type progress struct {
	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// isTerminal reports whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// newProgress starts a bar for total bytes on the app's stderr when
// stdout and stderr are terminals and neither --json nor --quiet is set.
// It returns nil otherwise.
func (a *app) newProgress(total int64, desc string) *progress {
	if a.jsonOut || a.quiet || !isTerminal(a.opts.Stdout) || !isTerminal(a.opts.Stderr) {
		return nil
	}
	p := newProgressBar(a.opts.Stderr, total, desc)
	a.printer().setBar(p)
	return p
}

// newProgressBar draws a byte progress bar on w.
func newProgressBar(w io.Writer, total int64, desc string) *progress {
	bar := progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionUseIECUnits(true),
		progressbar.OptionShowTotalBytes(true),
		progressbar.OptionShowCount(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionShowElapsedTimeOnFinish(),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionOnCompletion(func() { io.WriteString(w, "\n") }),
		progressbar.OptionFullWidth(),
	)
	return &progress{bar: bar}
}

// add counts n more bytes done.
func (p *progress) add(n int64) {
	if p == nil || n == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Add64(n)
}

// addTotal grows the expected total by n bytes.
func (p *progress) addTotal(n int64) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.ChangeMax64(p.bar.GetMax64() + n)
}

// clear erases the bar so a line can be printed; the next add redraws it.
func (p *progress) clear() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Clear()
}

// finish completes the bar.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.bar.IsFinished() {
		p.bar.Finish()
	}
}

// reader wraps r so bytes read through it count as done.
func (p *progress) reader(r io.Reader) io.Reader {
	if p == nil {
		return r
	}
	return &progressReader{r: r, p: p}
}

type progressReader struct {
	r io.Reader
	p *progress
}

func (pr *progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	pr.p.add(int64(n))
	return n, err
}

// seekReader is a progress-counting reader over a seekable source (an
// upload part, which the S3 client may rewind to retry). Bytes count once,
// however often they are re-read.
type seekReader struct {
	r        io.ReadSeeker
	p        *progress
	pos, max int64
}

func (p *progress) readSeeker(r io.ReadSeeker) io.ReadSeeker {
	if p == nil {
		return r
	}
	return &seekReader{r: r, p: p}
}

func (s *seekReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	s.pos += int64(n)
	if s.pos > s.max {
		s.p.add(s.pos - s.max)
		s.max = s.pos
	}
	return n, err
}

func (s *seekReader) Seek(off int64, whence int) (int64, error) {
	pos, err := s.r.Seek(off, whence)
	if err == nil {
		s.pos = pos
	}
	return pos, err
}
