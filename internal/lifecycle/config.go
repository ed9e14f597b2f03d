package lifecycle

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"time"
)

// MaxRules is the most rules one configuration may hold, as in S3.
const MaxRules = 1000

// MaxSize bounds a configuration document, in bytes: 1,000 rules of
// reasonable size fit well within it.
const MaxSize = 1 << 20

// maxIDLength bounds a rule's ID, as in S3.
const maxIDLength = 255

// Config is a bucket's lifecycle configuration.
type Config struct {
	XMLName xml.Name `xml:"LifecycleConfiguration"`
	// Namespace is written as the document's xmlns attribute.
	Namespace string `xml:"xmlns,attr,omitempty"`
	Rules     []Rule `xml:"Rule"`
	// Unknown collects elements S3 does not define there (refused).
	Unknown []rawElement `xml:",any"`
}

// Rule is one lifecycle rule: which objects (Filter, or the legacy
// top-level Prefix) and what happens to them.
type Rule struct {
	ID     string  `xml:"ID,omitempty"`
	Filter *Filter `xml:"Filter,omitempty"`
	// Prefix is the filter of rules written before Filter existed;
	// a rule has either it or Filter.
	Prefix *string `xml:"Prefix,omitempty"`
	// Status is Enabled or Disabled.
	Status                         string                          `xml:"Status"`
	Expiration                     *Expiration                     `xml:"Expiration,omitempty"`
	NoncurrentVersionExpiration    *NoncurrentVersionExpiration    `xml:"NoncurrentVersionExpiration,omitempty"`
	AbortIncompleteMultipartUpload *AbortIncompleteMultipartUpload `xml:"AbortIncompleteMultipartUpload,omitempty"`
	// Transitions and NoncurrentTransitions are parsed only to be
	// refused: Hoard has no other storage tier.
	Transitions           []rawElement `xml:"Transition,omitempty"`
	NoncurrentTransitions []rawElement `xml:"NoncurrentVersionTransition,omitempty"`
	Unknown               []rawElement `xml:",any"`
}

// rawElement holds an element whose content is not interpreted.
type rawElement struct {
	XMLName xml.Name
	Inner   []byte `xml:",innerxml"`
}

// Filter selects the objects a rule applies to: exactly one of its
// fields is set, or none (every object).
type Filter struct {
	Prefix                *string      `xml:"Prefix,omitempty"`
	Tag                   *Tag         `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan *int64       `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64       `xml:"ObjectSizeLessThan,omitempty"`
	And                   *And         `xml:"And,omitempty"`
	Unknown               []rawElement `xml:",any"`
}

// And combines several predicates of a Filter; all must hold.
type And struct {
	Prefix                *string      `xml:"Prefix,omitempty"`
	Tags                  []Tag        `xml:"Tag,omitempty"`
	ObjectSizeGreaterThan *int64       `xml:"ObjectSizeGreaterThan,omitempty"`
	ObjectSizeLessThan    *int64       `xml:"ObjectSizeLessThan,omitempty"`
	Unknown               []rawElement `xml:",any"`
}

// Tag is one object tag a filter requires.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Expiration expires current versions after Days or on Date, or
// (ExpiredObjectDeleteMarker) removes delete markers left alone.
type Expiration struct {
	Days                      *int  `xml:"Days,omitempty"`
	Date                      *Date `xml:"Date,omitempty"`
	ExpiredObjectDeleteMarker *bool `xml:"ExpiredObjectDeleteMarker,omitempty"`
	// Unknown holds elements S3 does not define, such as MinIO's
	// ExpiredObjectAllVersions: refused rather than ignored.
	Unknown []rawElement `xml:",any"`
}

// NoncurrentVersionExpiration removes versions NoncurrentDays after they
// stopped being current, keeping the NewerNoncurrentVersions newest.
type NoncurrentVersionExpiration struct {
	NoncurrentDays          *int         `xml:"NoncurrentDays,omitempty"`
	NewerNoncurrentVersions *int         `xml:"NewerNoncurrentVersions,omitempty"`
	Unknown                 []rawElement `xml:",any"`
}

// AbortIncompleteMultipartUpload aborts uploads DaysAfterInitiation days
// after they began.
type AbortIncompleteMultipartUpload struct {
	DaysAfterInitiation *int         `xml:"DaysAfterInitiation,omitempty"`
	Unknown             []rawElement `xml:",any"`
}

// Date is an expiration date: midnight UTC of a day, written in ISO 8601.
type Date struct {
	time.Time
	// bad is set when the element did not hold an ISO 8601 time.
	bad bool
}

// dateLayouts are the ISO 8601 forms S3 accepts for Expiration Date.
var dateLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"}

// UnmarshalXML reads an ISO 8601 date; a value that is not one is
// remembered and refused by Validate with S3's error.
func (d *Date) UnmarshalXML(dec *xml.Decoder, start xml.StartElement) error {
	var s string
	if err := dec.DecodeElement(&s, &start); err != nil {
		return err
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			d.Time = t
			return nil
		}
	}
	d.bad = true
	return nil
}

// MarshalXML writes the date as S3 answers it: 2006-01-02T00:00:00.000Z.
func (d Date) MarshalXML(enc *xml.Encoder, start xml.StartElement) error {
	return enc.EncodeElement(d.UTC().Format("2006-01-02T15:04:05.000Z"), start)
}

// Error is a configuration S3 refuses: Code is the S3 error code
// (MalformedXML, InvalidArgument, InvalidRequest, NotImplemented).
type Error struct {
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return "lifecycle: " + e.Code + ": " + e.Message }

// schemaMessage is S3's message for a document that does not fit its schema.
const schemaMessage = "The XML you provided was not well-formed or did not validate against our published schema"

func malformed() error { return &Error{Code: "MalformedXML", Message: schemaMessage} }

func invalidArg(format string, args ...any) error {
	return &Error{Code: "InvalidArgument", Message: fmt.Sprintf(format, args...)}
}

func invalidReq(format string, args ...any) error {
	return &Error{Code: "InvalidRequest", Message: fmt.Sprintf(format, args...)}
}

// Parse reads and validates a configuration document. A document S3
// would refuse returns an *Error.
func Parse(doc []byte) (*Config, error) {
	if len(doc) > MaxSize {
		return nil, malformed()
	}
	var c Config
	dec := xml.NewDecoder(bytes.NewReader(doc))
	if err := dec.Decode(&c); err != nil {
		return nil, malformed()
	}
	// Nothing but whitespace, comments or processing instructions may follow.
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, malformed()
		}
		if _, ok := tok.(xml.StartElement); ok {
			return nil, malformed()
		}
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return &c, nil
}

// Marshal encodes the configuration in S3's element order, with ns as
// its namespace.
func (c *Config) Marshal(ns string) ([]byte, error) {
	out := *c
	out.Namespace = ns
	b, err := xml.Marshal(&out)
	if err != nil {
		return nil, fmt.Errorf("lifecycle: encoding configuration: %w", err)
	}
	return append([]byte(xml.Header), b...), nil
}
