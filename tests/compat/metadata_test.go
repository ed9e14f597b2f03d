package compat

import (
	"testing"

	"github.com/hoardstore/hoard/internal/testserver"
)

// TestBoto3UserMetadata runs boto3_metadata.py with every boto3
// installation: non-ASCII user metadata sent as RFC 2047 encoded words
// (botocore refuses raw non-ASCII itself) comes back as S3 answers it.
func TestBoto3UserMetadata(t *testing.T) {
	t.Parallel()
	requireTools(t)
	pythons := boto3Pythons(t)
	p := testserver.StartProcess(t, testserver.ProcessOptions{Binary: testserver.BuildHoard(t), Drives: []string{t.TempDir()}})
	runBoto3Script(t, pythons, "boto3_metadata.py", p, "-")
}
