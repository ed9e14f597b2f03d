#!/usr/bin/env bash
# End-to-end test of Hoard with the aws CLI (v1 or v2).
#
# Usage: tests/e2e/awscli.sh [HOARD_BINARY]
#
# Builds bin/hoard from this checkout unless a binary is given (argument or
# $HOARD_BINARY), starts `hoard server` on a free loopback port with a
# temporary data folder, waits for /hoard/health/ready, then drives it with
# `aws s3` (mb, ls, cp, sync, rm, rb) and `aws s3api` (multipart upload and
# object tagging), checking every answer. Exits non-zero on the first
# failure; everything it started or created is removed on exit.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hoard-e2e.XXXXXX")
server_pid=""

cleanup() {
	local rc=$?
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 && -f "$work/server.log" ]]; then
		echo "--- last lines of the server log ---" >&2
		tail -n 40 "$work/server.log" >&2 || true
	fi
	rm -rf "$work"
	exit $rc
}
trap cleanup EXIT INT TERM

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

ok() { echo "ok - $*"; }

# expect_eq DESCRIPTION GOT WANT
expect_eq() {
	[[ "$2" == "$3" ]] || fail "$1: got [$2], want [$3]"
	ok "$1"
}

# expect_contains DESCRIPTION HAYSTACK NEEDLE
expect_contains() {
	[[ "$2" == *"$3"* ]] || fail "$1: [$2] does not contain [$3]"
	ok "$1"
}

command -v aws >/dev/null || fail "the aws CLI is not installed (scripts/test-deps.sh installs it)"
command -v python3 >/dev/null || fail "python3 is needed to pick a free port"

bin=${1:-${HOARD_BINARY:-}}
if [[ -z "$bin" ]]; then
	bin="$work/hoard"
	(cd "$repo" && go build -o "$bin" ./cmd/hoard) || fail "go build ./cmd/hoard"
fi
[[ -x "$bin" ]] || fail "$bin is not an executable"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
endpoint="http://127.0.0.1:$port"
export HOARD_ROOT_USER="e2e-admin"
export HOARD_ROOT_PASSWORD="e2e-secret-$(date +%s%N)"

mkdir -p "$work/data"
"$bin" server --address "127.0.0.1:$port" --console-address= "$work/data" >"$work/server.log" 2>&1 &
server_pid=$!

# ready returns 0 when the readiness endpoint answers 200. It runs in a
# subshell so its redirections do not outlive it.
ready() (
	exec 2>/dev/null
	exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
	printf 'GET /hoard/health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	IFS= read -r -t 2 line <&3 || exit 1
	[[ "$line" == *" 200 "* ]]
)

for ((i = 0; i < 300; i++)); do
	kill -0 "$server_pid" 2>/dev/null || fail "hoard server exited during start"
	if ready; then
		break
	fi
	sleep 0.1
done
ready || fail "hoard server not ready after 30 s"
ok "server ready on $endpoint"

# Isolate the CLI from any user configuration.
export AWS_ACCESS_KEY_ID="$HOARD_ROOT_USER"
export AWS_SECRET_ACCESS_KEY="$HOARD_ROOT_PASSWORD"
export AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE="$work/aws-config"
export AWS_SHARED_CREDENTIALS_FILE="$work/aws-credentials"
export AWS_EC2_METADATA_DISABLED=true
export AWS_PAGER=""
export AWS_MAX_ATTEMPTS=2
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 || true
printf '[default]\ns3 =\n    addressing_style = path\n' >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

s3() { aws --endpoint-url "$endpoint" s3 "$@"; }
s3api() { aws --endpoint-url "$endpoint" s3api "$@"; }

bucket="e2e-$(date +%s)"

# --- aws s3: mb, ls, cp (multipart-sized), sync, rm -------------------------
expect_eq "s3 mb" "$(s3 mb "s3://$bucket")" "make_bucket: $bucket"
expect_contains "s3 ls lists the bucket" "$(s3 ls)" "$bucket"

src="$work/src"
mkdir -p "$src/dir/sub" "$src/with space"
echo "alpha" >"$src/a.txt"
echo "beta" >"$src/dir/b.txt"
head -c 300000 /dev/urandom >"$src/dir/sub/c.bin"
echo "gamma" >"$src/with space/d e.txt"
head -c 20971520 /dev/urandom >"$work/big.bin"

s3 cp "$work/big.bin" "s3://$bucket/big.bin" >/dev/null
etag=$(s3api head-object --bucket "$bucket" --key big.bin --query ETag --output text)
[[ "$etag" =~ -[0-9]+\"?$ ]] || fail "20 MiB cp: ETag $etag is not a multipart ETag (the CLI should have used multipart)"
ok "s3 cp 20 MiB (multipart, ETag $etag)"
size=$(s3api head-object --bucket "$bucket" --key big.bin --query ContentLength --output text)
expect_eq "size of the 20 MiB object" "$size" "20971520"
s3 cp "s3://$bucket/big.bin" "$work/big.down" >/dev/null
cmp -s "$work/big.bin" "$work/big.down" || fail "20 MiB download differs from the upload"
ok "s3 cp download of 20 MiB is byte-exact"

s3 sync "$src" "s3://$bucket/tree/" >/dev/null
listing=$(s3 ls --recursive "s3://$bucket/tree/")
expect_eq "s3 ls --recursive counts the synced files" "$(grep -c . <<<"$listing")" "4"
expect_contains "s3 ls shows a key with spaces" "$listing" "tree/with space/d e.txt"
expect_eq "second s3 sync uploads nothing" "$(s3 sync "$src" "s3://$bucket/tree/")" ""
s3 sync "s3://$bucket/tree/" "$work/back" >/dev/null
diff -r "$src" "$work/back" >/dev/null || fail "sync down differs from the source tree"
ok "s3 sync round trip is identical"
top=$(s3 ls "s3://$bucket/tree/")
expect_contains "s3 ls shows folders as PRE" "$top" "PRE dir/"

expect_eq "s3 rm one object" "$(s3 rm "s3://$bucket/tree/a.txt")" "delete: s3://$bucket/tree/a.txt"
[[ "$(s3 ls --recursive "s3://$bucket/tree/")" != *"tree/a.txt"* ]] || fail "a.txt still listed after rm"
ok "removed object no longer listed"
s3 rm --recursive "s3://$bucket/tree/" >/dev/null
expect_eq "s3 rm --recursive empties the prefix" "$(s3 ls --recursive "s3://$bucket/tree/" || true)" ""

# --- aws s3api: multipart upload --------------------------------------------
head -c 6291456 /dev/urandom >"$work/part1"
head -c 1048577 /dev/urandom >"$work/part2"
cat "$work/part1" "$work/part2" >"$work/whole"
upload=$(s3api create-multipart-upload --bucket "$bucket" --key "mp/object.bin" --query UploadId --output text)
[[ -n "$upload" && "$upload" != "None" ]] || fail "create-multipart-upload returned no UploadId"
ok "s3api create-multipart-upload"
e1=$(s3api upload-part --bucket "$bucket" --key "mp/object.bin" --upload-id "$upload" --part-number 1 --body "$work/part1" --query ETag --output text)
e2=$(s3api upload-part --bucket "$bucket" --key "mp/object.bin" --upload-id "$upload" --part-number 2 --body "$work/part2" --query ETag --output text)
expect_eq "upload-part 1 ETag is the part's MD5" "$e1" "\"$(md5sum "$work/part1" | cut -d' ' -f1)\""
expect_eq "list-parts" "$(s3api list-parts --bucket "$bucket" --key "mp/object.bin" --upload-id "$upload" --query 'Parts[].[PartNumber,Size]' --output text | tr -s '\t\n' '  ' | sed 's/ $//')" "1 6291456 2 1048577"
expect_contains "list-multipart-uploads shows the upload" "$(s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].UploadId' --output text)" "$upload"
cat >"$work/parts.json" <<JSON
{"Parts": [{"PartNumber": 1, "ETag": $e1}, {"PartNumber": 2, "ETag": $e2}]}
JSON
etag=$(s3api complete-multipart-upload --bucket "$bucket" --key "mp/object.bin" --upload-id "$upload" --multipart-upload "file://$work/parts.json" --query ETag --output text)
expect_eq "complete-multipart-upload ETag" "$(tr -d '"' <<<"$etag")" "$(python3 -c '
import hashlib, sys
d = b"".join(hashlib.md5(open(p, "rb").read()).digest() for p in sys.argv[1:])
print(hashlib.md5(d).hexdigest() + "-%d" % (len(sys.argv) - 1))' "$work/part1" "$work/part2")"
s3api get-object --bucket "$bucket" --key "mp/object.bin" "$work/mp.down" >/dev/null
cmp -s "$work/whole" "$work/mp.down" || fail "multipart object differs from its parts"
ok "s3api get-object of the multipart object is byte-exact"
upload=$(s3api create-multipart-upload --bucket "$bucket" --key "mp/aborted" --query UploadId --output text)
s3api abort-multipart-upload --bucket "$bucket" --key "mp/aborted" --upload-id "$upload"
[[ "$(s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].UploadId' --output text)" != *"$upload"* ]] || fail "aborted upload still listed"
ok "s3api abort-multipart-upload"

# --- aws s3api: tagging -----------------------------------------------------
s3api put-object-tagging --bucket "$bucket" --key "mp/object.bin" --tagging 'TagSet=[{Key=env,Value=test},{Key=team,Value=storage ops}]'
tags=$(s3api get-object-tagging --bucket "$bucket" --key "mp/object.bin" --query 'sort_by(TagSet,&Key)[].[Key,Value]' --output text | tr '\t\n' '=;')
expect_eq "get-object-tagging" "$tags" "env=test;team=storage ops;"
s3api delete-object-tagging --bucket "$bucket" --key "mp/object.bin"
expect_eq "delete-object-tagging" "$(s3api get-object-tagging --bucket "$bucket" --key "mp/object.bin" --query 'length(TagSet)' --output text)" "0"

# --- clean up and stop ------------------------------------------------------
s3 rb --force "s3://$bucket" >/dev/null
[[ "$(s3 ls)" != *"$bucket"* ]] || fail "bucket still listed after rb --force"
ok "s3 rb --force"

kill -TERM "$server_pid"
rc=0
for ((i = 0; i < 300; i++)); do
	kill -0 "$server_pid" 2>/dev/null || break
	sleep 0.1
done
wait "$server_pid" || rc=$?
server_pid=""
expect_eq "server exit status after SIGTERM" "$rc" "0"
echo "PASS: aws CLI end-to-end ($(aws --version 2>&1 | cut -d' ' -f1))"
