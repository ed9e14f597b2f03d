package s3api

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/storage"
)

// Limits of a POST upload form.
const (
	// maxPostFields bounds the bytes of the form before the file's content
	// (fields, their part headers and boundaries), as S3 does (20 KB).
	maxPostFields = 20 << 10
	// postBufferSize is the read buffer of a form. A file whose rest of the
	// body fits in it is delimited exactly by its boundary; a larger one
	// must be the last part, followed only by the closing boundary.
	postBufferSize = 64 << 10
)

// postForm is a parsed POST upload form: its fields, and the file part
// ready to stream.
type postForm struct {
	// fields maps lower-case field names to values.
	fields map[string]string
	// names lists the field names in the order sent, as sent.
	names []string
	// filename is the file part's filename parameter.
	filename string
	// file yields exactly size bytes of the file part, then io.EOF once it
	// has checked what follows (see fileReader); both are set by openFile.
	file io.Reader
	size int64
	// body is the form's reader, stopped at the start of the file part.
	body *formReader
}

// malformedPost answers MalformedPOSTRequest with a detail.
func malformedPost(detail string) *APIError {
	return newError("MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data: "+detail+".")
}

// countingReader counts the bytes read from r.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// formReader parses a multipart/form-data body up to its file part.
type formReader struct {
	src      *countingReader
	br       *bufio.Reader
	dash     string // "--" + boundary
	atStart  bool   // the next byte starts a line
	declared int64  // Content-Length, -1 if unknown
}

// consumed is the number of body bytes parsed so far.
func (f *formReader) consumed() int64 { return f.src.n - int64(f.br.Buffered()) }

// line reads up to and including '\n' (or a buffer's worth), failing past
// the field budget or at the end of the body.
func (f *formReader) line() ([]byte, error) {
	l, err := f.br.ReadSlice('\n')
	if f.consumed() > maxPostFields {
		return nil, newError("MaxPostPreDataLengthExceededError")
	}
	switch {
	case err == nil:
	case errors.Is(err, bufio.ErrBufferFull):
	case errors.Is(err, io.EOF):
		return nil, malformedPost("the body ended before the file field")
	default:
		return nil, err
	}
	return l, nil
}

// delimiter classifies a line that starts a line: 1 for a boundary, 2 for
// the closing boundary, 0 otherwise. Transport padding is ignored.
func (f *formReader) delimiter(l []byte) int {
	l = bytes.TrimRight(l, " \t\r\n")
	rest, ok := bytes.CutPrefix(l, []byte(f.dash))
	switch {
	case !ok:
		return 0
	case len(rest) == 0:
		return 1
	case string(rest) == "--":
		return 2
	}
	return 0
}

// readPostForm reads the fields of a POST upload up to the file part,
// and not a byte of the file's content: the caller authenticates the form
// before it calls openFile. It reads no more than maxPostFields bytes
// before the file and holds at most postBufferSize bytes of the body.
func readPostForm(r *http.Request) (*postForm, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return nil, newError("PreconditionFailed", "Bucket POST must be of the enclosure-type multipart/form-data.")
	}
	boundary := params["boundary"]
	if boundary == "" || len(boundary) > 70 {
		return nil, malformedPost("the boundary is missing or too long")
	}
	src := &countingReader{r: r.Body}
	f := &formReader{src: src, br: bufio.NewReaderSize(src, postBufferSize), dash: "--" + boundary, atStart: true, declared: r.ContentLength}
	if err := f.skipPreamble(); err != nil {
		return nil, err
	}
	form := &postForm{fields: make(map[string]string)}
	for {
		name, filename, err := f.partHeader()
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(name, "file") {
			form.filename = filename
			form.body = f
			return form, nil
		}
		value, last, err := f.value()
		if err != nil {
			return nil, err
		}
		lower := strings.ToLower(name)
		if _, dup := form.fields[lower]; dup {
			return nil, newError("InvalidArgument", "The form field "+name+" appears more than once.")
		}
		form.fields[lower] = value
		form.names = append(form.names, name)
		if last {
			return nil, newError("IncorrectNumberOfFilesInPostRequest")
		}
	}
}

// skipPreamble reads up to the first boundary.
func (f *formReader) skipPreamble() error {
	for {
		start := f.atStart
		l, err := f.line()
		if err != nil {
			return err
		}
		f.atStart = l[len(l)-1] == '\n'
		if !start {
			continue
		}
		switch f.delimiter(l) {
		case 1:
			return nil
		case 2:
			return newError("IncorrectNumberOfFilesInPostRequest")
		}
	}
}

// partHeader reads a part's headers and returns the name and filename of
// its Content-Disposition.
func (f *formReader) partHeader() (name, filename string, err error) {
	var disposition string
	for {
		l, err := f.line()
		if err != nil {
			return "", "", err
		}
		if l[len(l)-1] != '\n' {
			return "", "", newError("MaxPostPreDataLengthExceededError")
		}
		l = bytes.TrimRight(l, "\r\n")
		if len(l) == 0 {
			break
		}
		k, v, ok := bytes.Cut(l, []byte(":"))
		if !ok {
			return "", "", malformedPost("a part header has no colon")
		}
		if strings.EqualFold(strings.TrimSpace(string(k)), "Content-Disposition") {
			disposition = strings.TrimSpace(string(v))
		}
	}
	f.atStart = true
	typ, params, err := mime.ParseMediaType(disposition)
	if err != nil || typ != "form-data" || params["name"] == "" {
		return "", "", malformedPost("a part has no Content-Disposition form-data name")
	}
	return params["name"], params["filename"], nil
}

// value reads a field's value up to the next boundary; last reports the
// closing boundary.
func (f *formReader) value() (value string, last bool, err error) {
	var buf []byte
	for {
		start := f.atStart
		l, err := f.line()
		if err != nil {
			return "", false, err
		}
		f.atStart = l[len(l)-1] == '\n'
		if start {
			if d := f.delimiter(l); d != 0 {
				// The CRLF before a boundary belongs to the boundary.
				buf = bytes.TrimSuffix(buf, []byte("\n"))
				buf = bytes.TrimSuffix(buf, []byte("\r"))
				return string(buf), d == 2, nil
			}
		}
		buf = append(buf, l...)
	}
}

// openFile sizes the file part and sets its reader (see prepareFile).
func (form *postForm) openFile() error { return form.body.prepareFile(form) }

// prepareFile sizes the file part and sets its reader. When the rest of
// the body fits in the buffer, the file ends at the next boundary and
// whatever follows (fields after the file, which S3 ignores) is skipped.
// Otherwise the body must have a Content-Length and end with the file's
// content and the closing boundary, which the reader checks at the end.
func (f *formReader) prepareFile(form *postForm) error {
	delim := []byte("\r\n" + f.dash)
	var rest int64 = -1
	if f.declared >= 0 {
		rest = f.declared - f.consumed()
	}
	if rest >= 0 && rest <= postBufferSize || rest < 0 {
		n := postBufferSize
		if rest >= 0 {
			n = int(rest)
		}
		data, err := f.br.Peek(n)
		switch {
		case err == nil && rest >= 0, errors.Is(err, io.EOF):
			i := bytes.Index(data, delim)
			if i < 0 {
				return malformedPost("the file field has no closing boundary")
			}
			form.size = int64(i)
			form.file = io.LimitReader(f.br, int64(i))
			return nil
		case err == nil || errors.Is(err, bufio.ErrBufferFull):
			return newError("MissingContentLength")
		default:
			return err
		}
	}
	closing := "\r\n" + f.dash + "--\r\n"
	form.size = rest - int64(len(closing))
	if form.size < 0 {
		return malformedPost("the body is shorter than its closing boundary")
	}
	form.file = &fileReader{br: f.br, remaining: form.size, closing: closing, delim: delim}
	return nil
}

// fileReader yields the file part of a large form: remaining bytes, then,
// in place of io.EOF, an error unless the closing boundary follows. As the
// boundary may not occur in a part's content, meeting it in the file means
// more parts follow (or the length is wrong): an error too.
type fileReader struct {
	br        *bufio.Reader
	remaining int64
	closing   string
	delim     []byte // "\r\n--" + boundary
	tail      []byte // the last len(delim)-1 bytes yielded
	done      error
}

func (r *fileReader) Read(p []byte) (int, error) {
	if r.done != nil {
		return 0, r.done
	}
	if r.remaining == 0 {
		r.done = r.checkClosing()
		return 0, r.done
	}
	if int64(len(p)) > r.remaining {
		p = p[:r.remaining]
	}
	n, err := r.br.Read(p)
	r.remaining -= int64(n)
	if n > 0 && r.hasDelimiter(p[:n]) {
		r.done = malformedPost("the file field must be the last field of the form")
		return 0, r.done
	}
	if errors.Is(err, io.EOF) && r.remaining > 0 {
		r.done = fmt.Errorf("s3api: post file ended %d bytes early: %w", r.remaining, storage.ErrIncompleteBody)
		return n, r.done
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return n, err
	}
	return n, nil
}

// hasDelimiter reports whether the boundary delimiter occurs in b or
// across the end of the previous chunk and b, and keeps b's end.
func (r *fileReader) hasDelimiter(b []byte) bool {
	if bytes.Contains(b, r.delim) {
		return true
	}
	k := len(r.delim) - 1
	head := b[:min(len(b), k)]
	if len(r.tail) > 0 {
		joined := append(append(make([]byte, 0, len(r.tail)+len(head)), r.tail...), head...)
		if bytes.Contains(joined, r.delim) {
			return true
		}
	}
	if len(b) >= k {
		r.tail = append(r.tail[:0], b[len(b)-k:]...)
	} else {
		r.tail = append(r.tail, b...)
		if len(r.tail) > k {
			r.tail = r.tail[len(r.tail)-k:]
		}
	}
	return false
}

// checkClosing reads what follows the file and returns io.EOF if it is
// exactly the closing boundary.
func (r *fileReader) checkClosing() error {
	tail := make([]byte, len(r.closing))
	n, err := io.ReadFull(r.br, tail)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return err
	}
	if string(tail[:n]) != r.closing {
		return malformedPost("a file over 64 KiB must be the last field, followed only by the closing boundary")
	}
	return io.EOF
}
