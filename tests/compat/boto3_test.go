package compat

import (
	"os/exec"
	"testing"
)

// TestBoto3 runs boto3.sh, which runs boto3_check.py with every boto3
// installation it finds: objects, checksums, managed and low-level
// multipart, listings, copies, presigned URLs and error codes.
func TestBoto3(t *testing.T) {
	t.Parallel()
	requireTools(t)
	found := false
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import boto3").Run() == nil {
			found = true
		}
	}
	if !found {
		missingTool(t, "boto3 is not installed (neither python3 nor /usr/bin/python3 imports it)")
	}
	runScript(t, "boto3.sh")
}
