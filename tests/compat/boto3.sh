#!/usr/bin/env bash
# Compatibility test of Hoard with boto3 (the AWS SDK for Python).
#
# Usage: tests/compat/boto3.sh [HOARD_BINARY] [DRIVES]
#
# Starts `hoard server` (DRIVES = 1 or 4 folders) on a free loopback port
# and runs boto3_check.py against it: buckets, objects, checksums, tagging,
# managed multipart upload, download and copy, low-level multipart,
# paginated listings (V2 and V1), copy_object, presigned URLs fetched with
# urllib, delete_objects, S3 error codes, bucket CORS (with a preflight),
# bucket policy (with anonymous urllib requests), canned ACLs, object
# ownership and the public access block (anonymous urllib reads of
# public-read objects) and versioning (versioned
# puts, list_object_versions, delete markers, gets by version). The check
# runs once with
# every distinct boto3 installation found (python3 on PATH and the
# system's /usr/bin/python3), since older and newer boto3 releases sign
# and checksum uploads differently. Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Each interpreter that imports boto3, keeping one per boto3/Python pair.
pythons=()
seen=" "
for py in python3 /usr/bin/python3; do
	command -v "$py" >/dev/null || continue
	id=$("$py" -c 'import sys, boto3; print("%s/%s" % (boto3.__version__, sys.version.split()[0]))' 2>/dev/null) || continue
	[[ "$seen" == *" $id "* ]] && continue
	seen+="$id "
	pythons+=("$py")
done
((${#pythons[@]} > 0)) || fail "no python3 with boto3 (scripts/test-deps.sh installs python3-boto3)"

compat_start_server
mkdir -p "$work/py"
for py in "${pythons[@]}"; do
	# Credentials go on the command line only; AWS_* variables and files
	# of the machine are ignored.
	env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_DEFAULT_REGION -u AWS_REGION \
		AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true \
		"$py" "$compat_here/boto3_check.py" "$endpoint" "$HOARD_ROOT_USER" "$HOARD_ROOT_PASSWORD" \
		"$region" "$work/py" || fail "boto3 checks with $py"
done

errors=$(compat_server_errors)
expect_eq "no 5xx answers in the server log" "$errors" ""
compat_stop_server
echo "PASS: boto3 (${seen# }) against $drives drive folder(s) in $(elapsed) s"
