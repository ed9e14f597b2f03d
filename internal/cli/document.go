package cli

import (
	"fmt"
	"io"
	"os"
)

// maxDocumentFile bounds a configuration document read from a file or
// standard input (`cors set`, `anonymous set-json`); S3 itself refuses
// CORS documents above 64 KB and policies above 20 KB.
const maxDocumentFile = 1 << 20

// readDocumentFile reads a configuration document from the file name, or
// from standard input for "-".
func (a *app) readDocumentFile(name string) ([]byte, error) {
	var r io.Reader = a.opts.Stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxDocumentFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxDocumentFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxDocumentFile)
	}
	return data, nil
}
