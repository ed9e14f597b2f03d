package s3api_test

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tests of real SigV2 clients (boto3, s3cmd, the aws CLI v1) against the
// handler over HTTP. A test whose tool is missing is skipped, or fails when
// HOARD_REQUIRE_TOOLS=1 (scripts/test-deps.sh installs all three).

// toolTimeout bounds one run of one tool.
const toolTimeout = 2 * time.Minute

// missingTool skips t, or fails it when HOARD_REQUIRE_TOOLS is 1.
func missingTool(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("HOARD_REQUIRE_TOOLS") == "1" {
		t.Fatalf("%s and HOARD_REQUIRE_TOOLS=1; run scripts/test-deps.sh", what)
	}
	t.Skipf("%s; scripts/test-deps.sh installs it", what)
}

// runTool runs name with args and env (added to the environment), bounded
// by toolTimeout, and returns its standard output; it fails t with the
// output when the command fails.
func runTool(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), toolTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// boto3Script drives boto3 with signature_version "s3" (SigV2) and checks
// every answer; it also checks the presigned URLs boto3 makes by default.
// It prints one line per check and exits non-zero on the first failure.
const boto3Script = `
import os, sys, urllib.request, urllib.error
import boto3, botocore
from botocore.config import Config
from botocore.exceptions import ClientError

ep, ak, sk, bucket = (os.environ[k] for k in ("HOARD_ENDPOINT", "HOARD_ACCESS_KEY", "HOARD_SECRET_KEY", "HOARD_BUCKET"))
print("boto3", boto3.__version__, "botocore", botocore.__version__)

def client(key=ak, secret=sk, style="path", endpoint=ep, sig="s3", proxies=None):
    cfg = Config(signature_version=sig, s3={"addressing_style": style}, retries={"max_attempts": 1}, proxies=proxies)
    return boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=key, aws_secret_access_key=secret,
                        region_name="us-east-1", config=cfg)

def check(cond, what):
    if not cond:
        print("FAIL:", what)
        sys.exit(1)
    print("ok:", what)

def error_of(fn):
    try:
        fn()
    except ClientError as e:
        return e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"]
    return None, 200

def fetch(url, method="GET", data=None, headers=None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()

c = client()
c.create_bucket(Bucket=bucket)
c.put_object(Bucket=bucket, Key="dir/hello.txt", Body=b"hello sigv2", ContentType="text/plain", Metadata={"owner": "ann"})
o = c.get_object(Bucket=bucket, Key="dir/hello.txt")
check(o["Body"].read() == b"hello sigv2" and o["Metadata"].get("owner") == "ann" and o["ContentType"] == "text/plain",
      "put_object/get_object with metadata")
o = c.get_object(Bucket=bucket, Key="dir/hello.txt", ResponseContentType="application/x-test",
                 ResponseContentDisposition='attachment; filename="a b.txt"')
check(o["ContentType"] == "application/x-test" and o["ContentDisposition"] == 'attachment; filename="a b.txt"',
      "response-* overrides (signed sub-resources)")
key = "unicodé key+plus&amp=?.txt"
c.put_object(Bucket=bucket, Key=key, Body=b"u")
check(c.head_object(Bucket=bucket, Key=key)["ContentLength"] == 1, "unicode and reserved characters in the key")
keys = sorted(x["Key"] for x in c.list_objects(Bucket=bucket)["Contents"])
check(keys == sorted(["dir/hello.txt", key]), "list_objects")
keys = [x["Key"] for x in c.list_objects_v2(Bucket=bucket, Prefix="dir/")["Contents"]]
check(keys == ["dir/hello.txt"], "list_objects_v2")
check(c.get_bucket_location(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 200, "get_bucket_location (?location)")
check("Owner" in c.get_bucket_acl(Bucket=bucket), "get_bucket_acl (?acl)")
c.put_object_tagging(Bucket=bucket, Key="dir/hello.txt", Tagging={"TagSet": [{"Key": "k", "Value": "v"}]})
check(c.get_object_tagging(Bucket=bucket, Key="dir/hello.txt")["TagSet"] == [{"Key": "k", "Value": "v"}],
      "put/get_object_tagging (?tagging)")

mp = c.create_multipart_upload(Bucket=bucket, Key="big")
p1, p2 = b"a" * (5 * 1024 * 1024), b"b" * 1024
e1 = c.upload_part(Bucket=bucket, Key="big", UploadId=mp["UploadId"], PartNumber=1, Body=p1)["ETag"]
e2 = c.upload_part(Bucket=bucket, Key="big", UploadId=mp["UploadId"], PartNumber=2, Body=p2)["ETag"]
check(len(c.list_parts(Bucket=bucket, Key="big", UploadId=mp["UploadId"])["Parts"]) == 2, "list_parts (?uploadId)")
check(len(c.list_multipart_uploads(Bucket=bucket).get("Uploads", [])) == 1, "list_multipart_uploads (?uploads)")
c.complete_multipart_upload(Bucket=bucket, Key="big", UploadId=mp["UploadId"],
                            MultipartUpload={"Parts": [{"ETag": e1, "PartNumber": 1}, {"ETag": e2, "PartNumber": 2}]})
check(c.head_object(Bucket=bucket, Key="big")["ContentLength"] == len(p1) + len(p2), "multipart upload")
c.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "dir/hello.txt"})
check(c.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"hello sigv2", "copy_object (signed x-amz-copy-source)")

url = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt"}, ExpiresIn=300)
check("AWSAccessKeyId=" in url, "presigned URL is SigV2: " + url)
check(fetch(url) == (200, b"hello sigv2"), "presigned GET")
url = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
check(fetch(url) == (200, b"u"), "presigned GET of a unicode key")
url = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt",
                               "ResponseContentType": "text/x-override"}, ExpiresIn=300)
status, _ = fetch(url)
check(status == 200, "presigned GET with response-content-type")
url = c.generate_presigned_url("put_object", ExpiresIn=300, Params={"Bucket": bucket, "Key": "via-url",
                               "ContentType": "text/csv", "Metadata": {"via": "query"}})
status, body = fetch(url, "PUT", b"a,b\n", {"Content-Type": "text/csv"})
check(status == 200, "presigned PUT with content type and metadata: %d %s" % (status, body))
h = c.head_object(Bucket=bucket, Key="via-url")
check(h["ContentType"] == "text/csv" and h["Metadata"].get("via") == "query", "metadata signed in the presigned query is stored")
status, body = fetch(url, "PUT", b"other", {"Content-Type": "text/html"})
check(status == 403 and b"SignatureDoesNotMatch" in body, "presigned PUT with another content type is refused")
url = c.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt"}, ExpiresIn=-60)
status, body = fetch(url)
check(status == 403 and b"<Code>AccessDenied</Code>" in body and b"Request has expired" in body, "expired presigned URL")

# boto3's default signer for presigned URLs (no signature_version given).
d = boto3.client("s3", endpoint_url=ep, aws_access_key_id=ak, aws_secret_access_key=sk, region_name="us-east-1")
url = d.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/hello.txt"})
print("default presign:", "SigV2" if "AWSAccessKeyId=" in url else "SigV4")
check(fetch(url) == (200, b"hello sigv2"), "default presigned GET")

# Virtual-host style: requests go to the server as an HTTP proxy, with the
# bucket in the Host.
v = client(style="virtual", endpoint=os.environ["HOARD_VHOST_ENDPOINT"], proxies={"http": ep})
check(v.get_object(Bucket=bucket, Key="dir/hello.txt")["Body"].read() == b"hello sigv2", "virtual-host get_object")
v.put_object(Bucket=bucket, Key="vhost", Body=b"v")
check(v.head_object(Bucket=bucket, Key="vhost")["ContentLength"] == 1, "virtual-host put_object")
check("Owner" in v.get_object_acl(Bucket=bucket, Key="vhost"), "virtual-host get_object_acl (?acl)")

check(error_of(lambda: client(secret="wrong-secret").list_buckets()) == ("SignatureDoesNotMatch", 403), "wrong secret")
check(error_of(lambda: client(key="nobody").list_buckets()) == ("InvalidAccessKeyId", 403), "unknown access key")
check(error_of(lambda: c.get_object(Bucket=bucket, Key="missing")) == ("NoSuchKey", 404), "NoSuchKey")

objs = [{"Key": k} for k in ("dir/hello.txt", key, "big", "copy", "via-url", "vhost")]
r = c.delete_objects(Bucket=bucket, Delete={"Objects": objs})
check(len(r.get("Deleted", [])) == len(objs) and not r.get("Errors"), "delete_objects (?delete)")
c.delete_bucket(Bucket=bucket)
check(error_of(lambda: c.head_bucket(Bucket=bucket))[1] == 404, "delete_bucket")
`

// TestSigV2Boto3 runs boto3Script with every python that imports boto3.
func TestSigV2Boto3(t *testing.T) {
	var pythons []string
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		path, err := exec.LookPath(py)
		if err != nil || exec.Command(path, "-c", "import boto3").Run() != nil {
			continue
		}
		if resolved, err := filepath.EvalSymlinks(path); err == nil && len(pythons) > 0 {
			if prev, _ := filepath.EvalSymlinks(pythons[0]); prev == resolved {
				continue
			}
		}
		pythons = append(pythons, path)
	}
	if len(pythons) == 0 {
		missingTool(t, "boto3 is not installed (neither python3 nor /usr/bin/python3 imports it)")
	}
	s := startV2Server(t)
	port := s.addr[strings.LastIndexByte(s.addr, ':')+1:]
	for i, py := range pythons {
		t.Run(py, func(t *testing.T) {
			out := runTool(t, []string{
				"HOARD_ENDPOINT=" + s.url, "HOARD_VHOST_ENDPOINT=http://" + v2Domain + ":" + port,
				"HOARD_ACCESS_KEY=" + v2Access, "HOARD_SECRET_KEY=" + v2Secret,
				"HOARD_BUCKET=boto3-v2-" + string(rune('a'+i)),
				"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
				"NO_PROXY=", "no_proxy=", "HTTP_PROXY=", "http_proxy=",
			}, py, "-c", boto3Script)
			t.Logf("%s:\n%s", py, out)
		})
	}
}

// TestSigV2S3cmd drives s3cmd with --signature-v2 (mb, put, multipart put,
// ls, get, info, signurl, del, rb).
func TestSigV2S3cmd(t *testing.T) {
	if _, err := exec.LookPath("s3cmd"); err != nil {
		missingTool(t, "s3cmd is not installed")
	}
	s := startV2Server(t)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "s3cfg")
	conf := "[default]\naccess_key = " + v2Access + "\nsecret_key = " + v2Secret +
		"\nhost_base = " + s.addr + "\nhost_bucket = " + s.addr +
		"\nuse_https = False\nsignature_v2 = True\nbucket_location = us-east-1\n"
	if err := os.WriteFile(cfg, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	small := filepath.Join(dir, "small.txt")
	big := filepath.Join(dir, "big.bin")
	if err := os.WriteFile(small, []byte("hello from s3cmd"), 0o600); err != nil {
		t.Fatal(err)
	}
	bigData := bytes.Repeat([]byte("s3cmd-multipart-"), (6<<20)/16)
	if err := os.WriteFile(big, bigData, 0o600); err != nil {
		t.Fatal(err)
	}
	s3cmd := func(args ...string) string {
		return runTool(t, []string{"HOME=" + dir}, "s3cmd", append([]string{"-c", cfg, "--signature-v2", "--no-progress"}, args...)...)
	}
	s3cmd("mb", "s3://s3cmd-v2")
	s3cmd("put", small, "s3://s3cmd-v2/dir/small é.txt")
	s3cmd("put", "--multipart-chunk-size-mb=5", big, "s3://s3cmd-v2/big.bin")
	if out := s3cmd("ls", "--recursive", "s3://s3cmd-v2"); !strings.Contains(out, "big.bin") || !strings.Contains(out, "small é.txt") {
		t.Fatalf("ls: got %q, want big.bin and small é.txt", out)
	}
	got := filepath.Join(dir, "got.bin")
	s3cmd("get", "s3://s3cmd-v2/big.bin", got)
	if data, err := os.ReadFile(got); err != nil || !bytes.Equal(data, bigData) {
		t.Fatalf("get big.bin: got %d bytes (%v), want %d", len(data), err, len(bigData))
	}
	if out := s3cmd("info", "s3://s3cmd-v2/dir/small é.txt"); !strings.Contains(out, "16") {
		t.Fatalf("info: got %q, want the size 16", out)
	}
	url := strings.TrimSpace(s3cmd("signurl", "s3://s3cmd-v2/dir/small é.txt", "+600"))
	if !strings.Contains(url, "AWSAccessKeyId=") {
		t.Fatalf("signurl: got %q, want a SigV2 URL", url)
	}
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if status, e, body := do(t, &http.Client{}, req); status != http.StatusOK || string(body) != "hello from s3cmd" {
		t.Fatalf("GET of signurl %s: got %d %s %q, want 200 %q", url, status, e.Code, body, "hello from s3cmd")
	}
	s3cmd("del", "s3://s3cmd-v2/dir/small é.txt", "s3://s3cmd-v2/big.bin")
	s3cmd("rb", "s3://s3cmd-v2")
}

// TestSigV2AwsCLIPresign fetches URLs made by "aws s3 presign" (SigV2 in
// the aws CLI v1 by default).
func TestSigV2AwsCLIPresign(t *testing.T) {
	if _, err := exec.LookPath("aws"); err != nil {
		missingTool(t, "the aws CLI is not installed")
	}
	s := startV2Server(t)
	cred := []string{"AWS_ACCESS_KEY_ID=" + v2Access, "AWS_SECRET_ACCESS_KEY=" + v2Secret, "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull}
	hc := &http.Client{}
	put, _ := http.NewRequest(http.MethodPut, s.url+"/cli-v2", nil)
	signV2(put)
	if status, e, _ := do(t, hc, put); status != http.StatusOK {
		t.Fatalf("create bucket: got %d %s, want 200", status, e.Code)
	}
	put, _ = http.NewRequest(http.MethodPut, s.url+"/cli-v2/a%20key.txt", strings.NewReader("from the aws cli"))
	signV2(put)
	if status, e, _ := do(t, hc, put); status != http.StatusOK {
		t.Fatalf("put object: got %d %s, want 200", status, e.Code)
	}
	version := strings.TrimSpace(runTool(t, cred, "aws", "--version"))
	tests := []struct {
		name string
		args []string
	}{
		{"default expiry", nil},
		{"ten minutes", []string{"--expires-in", "600"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append([]string{"s3", "presign", "s3://cli-v2/a key.txt", "--endpoint-url", s.url}, tc.args...)
			url := strings.TrimSpace(runTool(t, cred, "aws", args...))
			t.Logf("%s: %s", version, url)
			if !strings.Contains(url, "AWSAccessKeyId=") {
				t.Fatalf("presign: got %q, want a SigV2 URL (the aws CLI v1 default)", url)
			}
			req, err := http.NewRequest(http.MethodGet, url, nil)
			if err != nil {
				t.Fatal(err)
			}
			const want = "from the aws cli"
			if status, e, body := do(t, hc, req); status != http.StatusOK || string(body) != want {
				t.Fatalf("GET %s: got %d %s %q, want 200 %q", url, status, e.Code, body, want)
			}
		})
	}
}
