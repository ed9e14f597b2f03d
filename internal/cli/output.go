package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// printer writes a command's results: human lines, or with --json one
// JSON object per line. It is safe for concurrent use, and clears an
// active progress bar before writing so lines and bar do not mix.
type printer struct {
	mu       sync.Mutex
	w        io.Writer
	jsonMode bool
	bar      *progress
}

func newPrinter(w io.Writer, jsonMode bool) *printer {
	return &printer{w: w, jsonMode: jsonMode}
}

// emitRows prints a listing: one JSON object per row in JSON mode, else
// one line per row as line formats it (nothing for no rows).
func emitRows[T any](p *printer, rows []T, line func(T) string) {
	if p.jsonMode {
		for _, r := range rows {
			p.json(r)
		}
		return
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(line(r))
		b.WriteByte('\n')
	}
	p.emit(nil, b.String())
}

// emit prints v as JSON in JSON mode and human otherwise (nothing when
// human is empty). human may span lines; a final newline is added.
func (p *printer) emit(v any, human string) {
	if p.jsonMode {
		p.json(v)
		return
	}
	if human == "" {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearBar()
	fmt.Fprintln(p.w, strings.TrimRight(human, "\n"))
}

// json prints v as one JSON line.
func (p *printer) json(v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		_ = enc.Encode(map[string]string{"status": "error", "error": err.Error()})
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clearBar()
	p.w.Write(buf.Bytes())
}

func (p *printer) clearBar() {
	if p.bar != nil {
		p.bar.clear()
	}
}

// setBar makes the printer clear bar before each write; nil stops it.
func (p *printer) setBar(bar *progress) {
	p.mu.Lock()
	p.bar = bar
	p.mu.Unlock()
}

// timeFormat is how dates are shown to people.
const timeFormat = "2006-01-02 15:04:05 MST"

// humanTime formats t in UTC for listings.
func humanTime(t time.Time) string {
	if t.IsZero() {
		return strings.Repeat(" ", len(timeFormat))
	}
	return t.UTC().Format(timeFormat)
}

// table lays out rows in aligned columns separated by two spaces.
func table(rows [][]string) string {
	if len(rows) == 0 {
		return ""
	}
	widths := make([]int, 0)
	for _, r := range rows {
		for i, c := range r {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			if n := len([]rune(c)); n > widths[i] {
				widths[i] = n
			}
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			if i == len(r)-1 {
				b.WriteString(c)
				break
			}
			b.WriteString(c)
			b.WriteString(strings.Repeat(" ", widths[i]-len([]rune(c))+2))
		}
		b.WriteString("\n")
	}
	return b.String()
}
