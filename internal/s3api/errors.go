package s3api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/hoardstore/hoard/internal/checksum"
	"github.com/hoardstore/hoard/internal/objectlock"
	"github.com/hoardstore/hoard/internal/sigv2"
	"github.com/hoardstore/hoard/internal/sigv4"
	"github.com/hoardstore/hoard/internal/storage"
)

// APIError is an S3 error answer: its code, message and HTTP status.
type APIError struct {
	Code    string
	Message string
	Status  int
	// Details are the extra elements some codes carry in S3's error
	// document, in order: Header for NotImplemented, ArgumentName and
	// ArgumentValue for InvalidArgument, and the like.
	Details []ErrorDetail
	// Header holds response headers the error answer carries (a delete
	// marker's x-amz-delete-marker and x-amz-version-id).
	Header http.Header
}

// ErrorDetail is one extra element of an error document.
type ErrorDetail struct {
	Name, Value string
}

// with returns a copy of e carrying the extra elements given as
// name, value pairs.
func (e *APIError) with(pairs ...string) *APIError {
	out := *e
	out.Details = append([]ErrorDetail(nil), e.Details...)
	for i := 0; i+1 < len(pairs); i += 2 {
		out.Details = append(out.Details, ErrorDetail{Name: pairs[i], Value: pairs[i+1]})
	}
	return &out
}

// Error is the code and message, as logs show it.
func (e *APIError) Error() string { return e.Code + ": " + e.Message }

// errorCode describes one S3 error code: its status and default message.
type errorCode struct {
	status  int
	message string
}

// codes lists every S3 error code Hoard answers with, as AWS defines them.
var codes = map[string]errorCode{
	"AccessControlListNotSupported":                  {http.StatusBadRequest, "The bucket does not allow ACLs."},
	"MalformedACLError":                              {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."},
	"UnresolvableGrantByEmailAddress":                {http.StatusBadRequest, "The email address you provided does not match any account on record."},
	"UnexpectedContent":                              {http.StatusBadRequest, "This request does not support content."},
	"AccessDenied":                                   {http.StatusForbidden, "Access Denied."},
	"AuthorizationHeaderMalformed":                   {http.StatusBadRequest, "The authorization header is malformed."},
	"AuthorizationQueryParametersError":              {http.StatusBadRequest, "Error parsing the X-Amz-Credential parameter."},
	"BadRequest":                                     {http.StatusBadRequest, "Bad Request."},
	"AccessForbidden":                                {http.StatusForbidden, "CORSResponse: This CORS request is not allowed."},
	"BadDigest":                                      {http.StatusBadRequest, "The Content-MD5 you specified did not match what we received."},
	"BucketAlreadyExists":                            {http.StatusConflict, "The requested bucket name is not available."},
	"BucketAlreadyOwnedByYou":                        {http.StatusConflict, "Your previous request to create the named bucket succeeded and you already own it."},
	"BucketNotEmpty":                                 {http.StatusConflict, "The bucket you tried to delete is not empty."},
	"ConditionalRequestConflict":                     {http.StatusConflict, "A conflicting operation occurred. Please retry."},
	"EntityTooLarge":                                 {http.StatusBadRequest, "Your proposed upload exceeds the maximum allowed object size."},
	"EntityTooSmall":                                 {http.StatusBadRequest, "Your proposed upload is smaller than the minimum allowed object size."},
	"IllegalLocationConstraintException":             {http.StatusBadRequest, "The location constraint is incompatible with the region of this server."},
	"IncompleteBody":                                 {http.StatusBadRequest, "You did not provide the number of bytes specified by the Content-Length HTTP header."},
	"InternalError":                                  {http.StatusInternalServerError, "We encountered an internal error. Please try again."},
	"InvalidAccessKeyId":                             {http.StatusForbidden, "The AWS Access Key Id you provided does not exist in our records."},
	"InvalidToken":                                   {http.StatusBadRequest, "The provided token is malformed or otherwise invalid."},
	"ExpiredToken":                                   {http.StatusBadRequest, "The provided token has expired."},
	"InvalidArgument":                                {http.StatusBadRequest, "Invalid Argument."},
	"InvalidBucketName":                              {http.StatusBadRequest, "The specified bucket is not valid."},
	"InvalidBucketState":                             {http.StatusConflict, "The request is not valid with the current state of the bucket."},
	"InvalidBucketAclWithObjectOwnership":            {http.StatusBadRequest, "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting."},
	"InvalidRedirectLocation":                        {http.StatusBadRequest, "The website redirect location must have a prefix of 'http://' or 'https://' or '/'."},
	"InvalidDigest":                                  {http.StatusBadRequest, "The Content-MD5 you specified is not valid."},
	"InvalidObjectState":                             {http.StatusForbidden, "The operation is not valid for the current state of the object."},
	"IncorrectNumberOfFilesInPostRequest":            {http.StatusBadRequest, "POST requires exactly one file upload per request."},
	"InvalidPolicyDocument":                          {http.StatusBadRequest, "The content of the form does not meet the conditions specified in the policy document."},
	"InvalidPart":                                    {http.StatusBadRequest, "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."},
	"InvalidPartNumber":                              {http.StatusRequestedRangeNotSatisfiable, "The requested partnumber is not satisfiable."},
	"InvalidPartOrder":                               {http.StatusBadRequest, "The list of parts was not in ascending order. Parts must be ordered by part number."},
	"InvalidRange":                                   {http.StatusRequestedRangeNotSatisfiable, "The requested range is not satisfiable."},
	"InvalidRequest":                                 {http.StatusBadRequest, "Invalid Request."},
	"InvalidStorageClass":                            {http.StatusBadRequest, "The storage class you specified is not valid."},
	"InvalidTag":                                     {http.StatusBadRequest, "The tag provided was not a valid tag."},
	"KeyTooLongError":                                {http.StatusBadRequest, "Your key is too long."},
	"MalformedPOSTRequest":                           {http.StatusBadRequest, "The body of your POST request is not well-formed multipart/form-data."},
	"MalformedTrailerError":                          {http.StatusBadRequest, "The request contained trailing data that was not well-formed or did not conform to our published schema."},
	"MalformedXML":                                   {http.StatusBadRequest, "The XML you provided was not well-formed or did not validate against our published schema."},
	"MaxPostPreDataLengthExceededError":              {http.StatusBadRequest, "Your POST request fields preceding the upload file were too large."},
	"MetadataTooLarge":                               {http.StatusBadRequest, "Your metadata headers exceed the maximum allowed metadata size."},
	"MethodNotAllowed":                               {http.StatusMethodNotAllowed, "The specified method is not allowed against this resource."},
	"MissingContentLength":                           {http.StatusLengthRequired, "You must provide the Content-Length HTTP header."},
	"MissingSecurityHeader":                          {http.StatusBadRequest, "Your request was missing a required header."},
	"NoSuchBucket":                                   {http.StatusNotFound, "The specified bucket does not exist."},
	"MalformedPolicy":                                {http.StatusBadRequest, "Policies must be valid JSON and the first byte must be '{'."},
	"NoSuchBucketPolicy":                             {http.StatusNotFound, "The bucket policy does not exist."},
	"NoSuchCORSConfiguration":                        {http.StatusNotFound, "The CORS configuration does not exist."},
	"NoSuchConfiguration":                            {http.StatusNotFound, "The specified configuration does not exist."},
	"NoSuchKey":                                      {http.StatusNotFound, "The specified key does not exist."},
	"NoSuchPublicAccessBlockConfiguration":           {http.StatusNotFound, "The public access block configuration was not found."},
	"OwnershipControlsNotFoundError":                 {http.StatusNotFound, "The bucket ownership controls were not found."},
	"NoSuchObjectLockConfiguration":                  {http.StatusNotFound, "The specified object does not have a ObjectLock configuration."},
	"NoSuchLifecycleConfiguration":                   {http.StatusNotFound, "The lifecycle configuration does not exist."},
	"NoSuchTagSet":                                   {http.StatusNotFound, "The TagSet does not exist."},
	"NoSuchUpload":                                   {http.StatusNotFound, "The specified multipart upload does not exist. The upload ID might be invalid, or the multipart upload might have been aborted or completed."},
	"NoSuchVersion":                                  {http.StatusNotFound, "The specified version does not exist."},
	"NoSuchWebsiteConfiguration":                     {http.StatusNotFound, "The specified bucket does not have a website configuration."},
	"NotImplemented":                                 {http.StatusNotImplemented, "A header or query you provided implies functionality that is not implemented."},
	"ObjectLockConfigurationNotFoundError":           {http.StatusNotFound, "Object Lock configuration does not exist for this bucket."},
	"PreconditionFailed":                             {http.StatusPreconditionFailed, "At least one of the pre-conditions you specified did not hold."},
	"RequestHeaderSectionTooLarge":                   {http.StatusBadRequest, "Your request header section exceeds the maximum allowed size."},
	"RequestTimeout":                                 {http.StatusBadRequest, "Your socket connection to the server was not read from or written to within the timeout period."},
	"ReplicationConfigurationNotFoundError":          {http.StatusNotFound, "The replication configuration was not found."},
	"RequestTimeTooSkewed":                           {http.StatusForbidden, "The difference between the request time and the server's time is too large."},
	"ServerSideEncryptionConfigurationNotFoundError": {http.StatusNotFound, "The server side encryption configuration was not found."},
	"ServiceUnavailable":                             {http.StatusServiceUnavailable, "Please reduce your request rate."},
	"SignatureDoesNotMatch":                          {http.StatusForbidden, "The request signature we calculated does not match the signature you provided. Check your key and signing method."},
	"SlowDown":                                       {http.StatusServiceUnavailable, "Please reduce your request rate."},
	"XAmzContentSHA256Mismatch":                      {http.StatusBadRequest, "The provided 'x-amz-content-sha256' header does not match what was computed."},
	"XHoardStorageFull":                              {http.StatusInsufficientStorage, "Storage is full: no drive has room for this write. Free space or add drives."},
	"XHoardCorruptData":                              {http.StatusInternalServerError, "The object's data failed verification and could not be reconstructed."},
}

// newError returns the APIError for code with its default message, or with
// message when one is given.
func newError(code string, message ...string) *APIError {
	c, ok := codes[code]
	if !ok {
		// Every code Hoard emits is in the table; one that is not is a
		// client error rather than an outage.
		c = errorCode{http.StatusBadRequest, code}
	}
	e := &APIError{Code: code, Message: c.message, Status: c.status}
	if len(message) > 0 && message[0] != "" {
		e.Message = message[0]
	}
	return e
}

// storageErrors maps the object layer's sentinel errors to S3 codes.
var storageErrors = []struct {
	err  error
	code string
}{
	{storage.ErrBucketNotFound, "NoSuchBucket"},
	{storage.ErrBucketExists, "BucketAlreadyOwnedByYou"},
	{storage.ErrBucketNotEmpty, "BucketNotEmpty"},
	{storage.ErrInvalidBucketName, "InvalidBucketName"},
	{storage.ErrInvalidObjectName, "InvalidArgument"},
	{storage.ErrObjectNotFound, "NoSuchKey"},
	{storage.ErrVersionNotFound, "NoSuchVersion"},
	{storage.ErrMethodNotAllowed, "MethodNotAllowed"},
	{storage.ErrUploadNotFound, "NoSuchUpload"},
	{storage.ErrInvalidPart, "InvalidPart"},
	{storage.ErrInvalidPartOrder, "InvalidPartOrder"},
	{storage.ErrPartTooSmall, "EntityTooSmall"},
	{storage.ErrPreconditionFailed, "PreconditionFailed"},
	{storage.ErrConflict, "ConditionalRequestConflict"},
	{storage.ErrInvalidRange, "InvalidRange"},
	{storage.ErrStorageFull, "XHoardStorageFull"},
	{storage.ErrReadQuorum, "SlowDown"},
	{storage.ErrWriteQuorum, "SlowDown"},
	{storage.ErrCorrupt, "XHoardCorruptData"},
	{storage.ErrIncompleteBody, "IncompleteBody"},
	{storage.ErrChecksumMismatch, "BadDigest"},
}

// toAPIError maps any error a handler returns to the S3 error to answer
// with. Errors it does not know are internal errors.
func toAPIError(err error) *APIError {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	if code, ok := sigv4.Code(err); ok {
		e := newError(code, sigv4.Message(err))
		if names := sigv4.HeadersNotSigned(err); len(names) > 0 {
			e = e.with("HeadersNotSigned", strings.Join(names, ", "))
		}
		return e
	}
	if code, ok := sigv2.Code(err); ok {
		return newError(code, sigv2.Message(err))
	}
	if code, ok := checksum.Code(err); ok {
		return newError(code, checksum.Message(err))
	}
	var lockErr *objectlock.Error
	if errors.As(err, &lockErr) {
		return newError(lockErr.Code, lockErr.Message)
	}
	var dm *storage.DeleteMarkerError
	if errors.As(err, &dm) {
		return deleteMarkerError(dm)
	}
	for _, m := range storageErrors {
		if errors.Is(err, m.err) {
			return newError(m.code)
		}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return newError("RequestTimeout", "The client went away or the request timed out.")
	}
	return newError("InternalError")
}

// deleteMarkerError is S3's answer to a read that met a delete marker:
// NoSuchKey (404) for the current version, MethodNotAllowed (405, with
// Last-Modified) for a marker named by its version ID; both with
// x-amz-delete-marker and the marker's version ID.
func deleteMarkerError(dm *storage.DeleteMarkerError) *APIError {
	e := newError("NoSuchKey")
	h := http.Header{}
	h.Set("x-amz-delete-marker", "true")
	h.Set("x-amz-version-id", versionIDOut(dm.VersionID))
	if dm.Named {
		e = newError("MethodNotAllowed", "The specified method is not allowed against this resource.")
		h.Set("Last-Modified", dm.ModTime.UTC().Format(http.TimeFormat))
		e.Details = append(e.Details, ErrorDetail{Name: "Method", Value: ""}, ErrorDetail{Name: "ResourceType", Value: "DeleteMarker"})
	}
	e.Header = h
	return e
}
