// Package crash is the crash-consistency test: it builds the hoard binary,
// runs it on real drive folders under concurrent uploads, overwrites and
// deletes, SIGKILLs it at random moments, restarts it on the same folders
// and checks that every acknowledged write survived and nothing partial is
// visible. A second test does the same to a versioned bucket and checks
// that every acknowledged version and delete marker is listed, in order,
// and that every version reads back whole.
//
// It imports internal/testserver and the S3 client libraries only.
package crash
