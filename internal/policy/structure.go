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

// checkStructure refuses a document with trailing data, a duplicate key
// in any object, or a key of the policy or of a statement that is not
// spelled exactly as the policy language has it.
func checkStructure(doc []byte) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	if err := walk(dec, atTop); err != nil {
		return fmt.Errorf("%s: %w", position(doc, dec.InputOffset()), err)
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
func position(doc []byte, offset int64) string {
	offset = min(max(offset, 0), int64(len(doc)))
	before := doc[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int64(len(before)-bytes.LastIndexByte(before, '\n')-1) + 1
	return fmt.Sprintf("line %d, column %d", line, col)
}
