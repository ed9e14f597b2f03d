package acl

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strings"
)

// Error is a refusal with the S3 error code it answers.
type Error struct {
	Code    string
	Message string
	// ArgumentName and ArgumentValue are set for InvalidArgument.
	ArgumentName, ArgumentValue string
}

// Error returns the S3 code and message.
func (e *Error) Error() string { return "acl: " + e.Code + ": " + e.Message }

func invalidArgument(msg, name, value string) *Error {
	return &Error{Code: "InvalidArgument", Message: msg, ArgumentName: name, ArgumentValue: value}
}

var (
	errMalformed = &Error{Code: "MalformedACLError",
		Message: "The XML you provided was not well-formed or did not validate against our published schema"}
	errEmail = &Error{Code: "UnresolvableGrantByEmailAddress",
		Message: "The e-mail address you provided does not match any account on record."}
	errCannedAndGrants = &Error{Code: "InvalidRequest",
		Message: "Specifying both Canned ACLs and Header Grants is not allowed"}
	// ErrHeaderAndBody refuses an ACL given both in headers and in a body.
	ErrHeaderAndBody = &Error{Code: "UnexpectedContent", Message: "This request does not support content"}
)

// MaxGrants is the most grants S3 keeps in one ACL.
const MaxGrants = 100

// Resolver tells which canonical IDs name a principal of the deployment.
type Resolver func(id string) bool

// Target says what an ACL is for: canned ACLs differ between buckets and
// objects.
type Target int

// The targets of an ACL.
const (
	Object Target = iota
	Bucket
)

// execReader is the grantee S3 gives READ in aws-exec-read (Amazon EC2).
const execReader = "6aa5a366c34c1cbe25dc49211496e913e0351eb0e8c37aa3477e40942ec6b97c"

// Canned returns the grants of a canned ACL for a resource owned by
// owner. In one account the bucket owner and the object owner are the
// same, so bucket-owner-read and bucket-owner-full-control are private;
// on a bucket S3 ignores them, which is private too.
func Canned(name, owner string, t Target) (List, error) {
	l := Private(owner)
	group := func(uri string, perms ...Permission) {
		for _, p := range perms {
			l = append(l, Grant{Grantee: Grantee{Type: TypeGroup, URI: uri}, Permission: p})
		}
	}
	switch name {
	case "private", "bucket-owner-read", "bucket-owner-full-control":
	case "public-read":
		group(AllUsers, Read)
	case "public-read-write":
		group(AllUsers, Read, Write)
	case "authenticated-read":
		group(AuthenticatedUsers, Read)
	case "aws-exec-read":
		l = append(l, Grant{Grantee: Grantee{Type: TypeCanonicalUser, ID: execReader}, Permission: Read})
	case "log-delivery-write":
		if t != Bucket {
			return nil, invalidArgument("The canned ACL log-delivery-write applies to buckets only.", "x-amz-acl", name)
		}
		group(LogDelivery, Write, ReadACP)
	default:
		return nil, invalidArgument("Invalid canned ACL: "+name, "x-amz-acl", name)
	}
	return l, nil
}

// grantHeaders are the x-amz-grant-* headers and the permission each gives.
var grantHeaders = []struct {
	header string
	perm   Permission
}{
	{"X-Amz-Grant-Read", Read}, {"X-Amz-Grant-Write", Write}, {"X-Amz-Grant-Read-Acp", ReadACP},
	{"X-Amz-Grant-Write-Acp", WriteACP}, {"X-Amz-Grant-Full-Control", FullControl},
}

// FromHeaders returns the ACL a request's headers set (x-amz-acl or the
// x-amz-grant-* headers), and whether they set one at all.
func FromHeaders(h http.Header, owner string, t Target, known Resolver) (List, bool, error) {
	canned := h.Get("X-Amz-Acl")
	var l List
	for _, gh := range grantHeaders {
		v := h.Get(gh.header)
		if v == "" {
			continue
		}
		if canned != "" {
			return nil, false, errCannedAndGrants
		}
		grantees, err := parseGrantHeader(strings.ToLower(gh.header), v, known)
		if err != nil {
			return nil, false, err
		}
		for _, g := range grantees {
			l = append(l, Grant{Grantee: g, Permission: gh.perm})
		}
	}
	if canned != "" {
		cl, err := Canned(canned, owner, t)
		return cl, err == nil, err
	}
	if len(l) > MaxGrants {
		return nil, false, invalidArgument("An ACL holds at most 100 grants.", "x-amz-grant", "")
	}
	return l, l != nil, nil
}

// parseGrantHeader reads `id="…", uri="…", emailAddress="…"` lists.
func parseGrantHeader(name, v string, known Resolver) ([]Grantee, error) {
	var out []Grantee
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		k, val, ok := strings.Cut(item, "=")
		if !ok {
			return nil, invalidArgument("Invalid grant: "+item, name, v)
		}
		k = strings.TrimSpace(k)
		val = strings.Trim(strings.TrimSpace(val), `"`)
		g, err := grantee(strings.ToLower(k), val, known, func(msg string) error { return invalidArgument(msg, name, v) })
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, nil
}

// grantee resolves one grantee given by kind ("id", "uri" or
// "emailaddress") and value.
func grantee(kind, value string, known Resolver, bad func(string) error) (Grantee, error) {
	switch kind {
	case "id":
		if value == "" || known == nil || !known(value) {
			return Grantee{}, bad("Invalid id")
		}
		return Grantee{Type: TypeCanonicalUser, ID: value}, nil
	case "uri":
		if !validGroup(value) {
			return Grantee{}, bad("Invalid group uri")
		}
		return Grantee{Type: TypeGroup, URI: value}, nil
	case "emailaddress":
		// Hoard has no e-mail addresses: none can be resolved.
		return Grantee{}, errEmail
	}
	return Grantee{}, bad("Invalid grantee type: " + kind)
}

// policyIn is an AccessControlPolicy document as a client sends it.
type policyIn struct {
	XMLName xml.Name `xml:"AccessControlPolicy"`
	Owner   *struct {
		ID string `xml:"ID"`
	} `xml:"Owner"`
	Grants []struct {
		Grantee *struct {
			Type         string `xml:"type,attr"`
			ID           string `xml:"ID"`
			URI          string `xml:"URI"`
			EmailAddress string `xml:"EmailAddress"`
		} `xml:"Grantee"`
		Permission Permission `xml:"Permission"`
	} `xml:"AccessControlList>Grant"`
}

// ParseXML reads and validates an AccessControlPolicy document for a
// resource owned by owner: a document S3 cannot read is
// MalformedACLError, another owner AccessDenied, a grantee that names
// nobody InvalidArgument (UnresolvableGrantByEmailAddress for e-mail).
func ParseXML(data []byte, owner string, known Resolver) (List, error) {
	var doc policyIn
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil || doc.Owner == nil {
		return nil, errMalformed
	}
	if doc.Owner.ID != owner {
		return nil, &Error{Code: "AccessDenied", Message: "Access Denied"}
	}
	if len(doc.Grants) > MaxGrants {
		return nil, errMalformed
	}
	l := List{}
	for _, g := range doc.Grants {
		if g.Grantee == nil || !validPermission(g.Permission) {
			return nil, errMalformed
		}
		var kind, value string
		switch g.Grantee.Type {
		case TypeCanonicalUser:
			kind, value = "id", g.Grantee.ID
		case TypeGroup:
			kind, value = "uri", g.Grantee.URI
		case TypeEmail:
			kind, value = "emailaddress", g.Grantee.EmailAddress
		default:
			return nil, errMalformed
		}
		if value == "" {
			return nil, errMalformed
		}
		gt, err := grantee(kind, value, known, func(msg string) error {
			return invalidArgument(msg, g.Grantee.Type, value)
		})
		if err != nil {
			return nil, err
		}
		l = append(l, Grant{Grantee: gt, Permission: g.Permission})
	}
	return l, nil
}
