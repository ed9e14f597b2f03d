package acl

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"
)

// PublicAccessBlock is a bucket's public access block configuration.
type PublicAccessBlock struct {
	// BlockPublicAcls refuses requests that set a public ACL.
	BlockPublicAcls bool
	// IgnorePublicAcls makes public grants count for nothing.
	IgnorePublicAcls bool
	// BlockPublicPolicy refuses a public bucket policy.
	BlockPublicPolicy bool
	// RestrictPublicBuckets limits a public bucket policy to principals
	// of the account (signed-in callers).
	RestrictPublicBuckets bool
}

type pabXML struct {
	XMLName               xml.Name `xml:"http://s3.amazonaws.com/doc/2006-03-01/ PublicAccessBlockConfiguration"`
	BlockPublicAcls       string   `xml:"BlockPublicAcls"`
	IgnorePublicAcls      string   `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     string   `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets string   `xml:"RestrictPublicBuckets"`
}

// pabIn is the document as a client sends it (in S3's namespace or none).
type pabIn struct {
	XMLName               xml.Name `xml:"PublicAccessBlockConfiguration"`
	BlockPublicAcls       string   `xml:"BlockPublicAcls"`
	IgnorePublicAcls      string   `xml:"IgnorePublicAcls"`
	BlockPublicPolicy     string   `xml:"BlockPublicPolicy"`
	RestrictPublicBuckets string   `xml:"RestrictPublicBuckets"`
}

// ParsePublicAccessBlock reads a PublicAccessBlockConfiguration document
// (a missing flag is false); anything else is MalformedXML.
func ParsePublicAccessBlock(data []byte) (PublicAccessBlock, error) {
	var doc pabIn
	bad := &Error{Code: "MalformedXML", Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	if err := xml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		return PublicAccessBlock{}, bad
	}
	var p PublicAccessBlock
	for _, f := range []struct {
		v   string
		dst *bool
	}{{doc.BlockPublicAcls, &p.BlockPublicAcls}, {doc.IgnorePublicAcls, &p.IgnorePublicAcls},
		{doc.BlockPublicPolicy, &p.BlockPublicPolicy}, {doc.RestrictPublicBuckets, &p.RestrictPublicBuckets}} {
		v := strings.TrimSpace(f.v)
		if v == "" {
			continue
		}
		switch {
		case strings.EqualFold(v, "true"):
			*f.dst = true
		case !strings.EqualFold(v, "false"):
			return PublicAccessBlock{}, bad
		}
	}
	return p, nil
}

// Document returns the stored (and answered) form of p.
func (p PublicAccessBlock) Document() []byte {
	b, _ := xml.Marshal(pabXML{
		BlockPublicAcls: strconv.FormatBool(p.BlockPublicAcls), IgnorePublicAcls: strconv.FormatBool(p.IgnorePublicAcls),
		BlockPublicPolicy: strconv.FormatBool(p.BlockPublicPolicy), RestrictPublicBuckets: strconv.FormatBool(p.RestrictPublicBuckets),
	})
	return b
}
