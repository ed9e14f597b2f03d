package cli

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestProgressBar(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, 4<<20, "copy")
	src := bytes.NewReader(make([]byte, 4<<20))
	if _, err := io.Copy(io.Discard, p.readSeeker(src)); err != nil {
		t.Fatal(err)
	}
	p.finish()
	out := buf.String()
	for _, want := range []string{"copy", "100%", "4.0 MiB"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress output: got %q, want it to contain %q", out, want)
		}
	}
}

func TestSeekReaderCountsOnce(t *testing.T) {
	var buf bytes.Buffer
	p := newProgressBar(&buf, 100, "x")
	r := p.readSeeker(bytes.NewReader(make([]byte, 100)))
	io.Copy(io.Discard, r)
	r.Seek(0, io.SeekStart)
	io.Copy(io.Discard, r)
	if got := p.bar.State().CurrentNum; got != 100 {
		t.Errorf("bytes counted after a re-read: got %d, want 100", got)
	}
}

func TestNilProgressIsQuiet(t *testing.T) {
	var p *progress
	p.add(10)
	p.addTotal(10)
	p.clear()
	p.finish()
	r := strings.NewReader("abc")
	if got := p.reader(r); got != io.Reader(r) {
		t.Errorf("nil progress reader: got a wrapper, want the reader itself")
	}
}

func TestNoProgressOffTerminal(t *testing.T) {
	a := newApp(Options{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}})
	if p := a.newProgress(100, "x"); p != nil {
		t.Errorf("progress with buffers as stdout and stderr: got a bar, want none")
	}
}
