package policy

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Key names are matched exactly (encoding/json alone would accept any
// case, and the last of duplicate keys): a document whose meaning depends
// on such details is refused instead of being read one way by Hoard and
// shown another way to people.
var (
	topKeys       = map[string]bool{"Version": true, "Id": true, "Statement": true}
	statementKeys = map[string]bool{
		"Sid": true, "Effect": true, "Principal": true, "NotPrincipal": true,
		"Action": true, "NotAction": true, "Resource": true, "NotResource": true, "Condition": true,
	}
)

// where tells checkStructure which key names an object may have.
type where int

const (
	atTop where = iota
	atStatementList
	atStatement
	elsewhere
)

// positioned is a structure error at a line and column of the document.
type positioned struct {
	line, column int
	err          error
}

func (e *positioned) Error() string {
	return fmt.Sprintf("line %d, column %d: %v", e.line, e.column, e.err)
}

func (e *positioned) Unwrap() error { return e.err }

// checkStructure refuses a document with trailing data, a duplicate key
// in any object, or a key of the policy or of a statement that is not
// spelled exactly as the policy language has it. The document is
// doc[start:]; positions are counted in doc.
func checkStructure(doc []byte, start int) error {
	dec := json.NewDecoder(bytes.NewReader(doc[start:]))
	if err := walk(dec, atTop); err != nil {
		line, col := position(doc, int64(start)+dec.InputOffset())
		return &positioned{line: line, column: col, err: err}
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("data after the policy object")
	}
	return nil
}

// walk consumes one JSON value.
func walk(dec *json.Decoder, w where) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		seen := map[string]bool{}
		for dec.More() {
			kt, err := dec.Token()
			if err != nil {
				return err
			}
			key := kt.(string)
			if seen[key] {
				return fmt.Errorf("duplicate key %q", key)
			}
			seen[key] = true
			next := elsewhere
			switch w {
			case atTop:
				if !topKeys[key] {
					return fmt.Errorf("unknown field %q", key)
				}
				if key == "Statement" {
					next = atStatementList
				}
			case atStatementList, atStatement:
				if !statementKeys[key] {
					return fmt.Errorf("unknown field %q in a statement", key)
				}
			}
			if err := walk(dec, next); err != nil {
				return err
			}
		}
		_, err := dec.Token() // '}'
		return err
	case json.Delim('['):
		inner := elsewhere
		if w == atStatementList {
			inner = atStatement
		}
		for dec.More() {
			if err := walk(dec, inner); err != nil {
				return err
			}
		}
		_, err := dec.Token() // ']'
		return err
	}
	return nil
}

// position describes where offset lies in doc, as "line L, column C".
func position(doc []byte, offset int64) (line, column int) {
	offset = min(max(offset, 0), int64(len(doc)))
	before := doc[:offset]
	line = bytes.Count(before, []byte("\n")) + 1
	column = len(before) - bytes.LastIndexByte(before, '\n')
	return line, column
}
