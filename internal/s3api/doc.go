// Package s3api is Hoard's S3 front end: it turns an HTTP request into an
// operation value (router.go), authenticates it (SigV4, or SigV2 for older
// clients: auth.go), runs the handler for that operation against a
// storage.ObjectLayer, and writes S3's XML answers and errors (one table
// maps every storage, auth and checksum error to an S3 error code and
// status).
//
// It imports storage, sigv4, sigv2 and checksum; never a storage engine.
package s3api
