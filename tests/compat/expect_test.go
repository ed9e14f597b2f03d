package compat

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hoardstore/hoard/internal/testserver"
)

// boto3Pythons returns the interpreters that import boto3 (the one on
// PATH and the system's, which usually hold different boto3 releases).
func boto3Pythons(t *testing.T) []string {
	t.Helper()
	var found []string
	seen := map[string]bool{}
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		out, err := exec.Command(py, "-c", "import boto3, sys; print(boto3.__version__, sys.version)").Output()
		if err != nil || seen[string(out)] {
			continue
		}
		seen[string(out)] = true
		found = append(found, py)
	}
	if len(found) == 0 {
		missingTool(t, "boto3 is not installed (neither python3 nor /usr/bin/python3 imports it)")
	}
	return found
}

// TestBoto3EmptyPutKeepsConnection: boto3 sends "Expect: 100-continue"
// on every PUT; after an empty PUT the next PUT on the same kept-alive
// connection must not wait for botocore's read timeout (it did, 5 s
// here, 60 s by default, when the empty PUT was answered without
// "100 Continue"). Run with every boto3 installation, over HTTP and TLS.
func TestBoto3EmptyPutKeepsConnection(t *testing.T) {
	t.Parallel()
	requireTools(t)
	pythons := boto3Pythons(t)
	bin := testserver.BuildHoard(t)
	for _, scheme := range []string{"http", "https"} {
		t.Run(scheme, func(t *testing.T) {
			opts := testserver.ProcessOptions{Binary: bin, Drives: []string{t.TempDir()}}
			cafile := "-"
			if scheme == "https" {
				opts.CertsDir = t.TempDir()
				testserver.WriteSelfSignedCert(t, opts.CertsDir)
				cafile = filepath.Join(opts.CertsDir, "public.crt")
			}
			p := testserver.StartProcess(t, opts)
			runBoto3Script(t, pythons, "boto3_expect.py", p, cafile)
		})
	}
}

// runBoto3Script runs script with each of pythons against p (cafile is
// the certificate to trust, "-" over plain HTTP), bounded by a minute,
// and fails t with its output when it fails.
func runBoto3Script(t *testing.T, pythons []string, script string, p *testserver.Process, cafile string) {
	t.Helper()
	for _, py := range pythons {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, py, script, p.URL, p.AccessKey, p.SecretKey, p.Region, cafile)
		cmd.Env = boto3Env()
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil {
			t.Fatalf("%s %s against %s: %v\n%s", py, script, p.URL, err, out)
		}
		t.Logf("%s %s against %s:\n%s", py, script, p.URL, out)
	}
}

// boto3Env is the environment of a boto3 script: the machine's AWS
// settings (variables, files, instance metadata) are left out, so only
// the command line's credentials and endpoint count.
func boto3Env() []string {
	env := []string{"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}
