#!/usr/bin/env bash
# End-to-end test of Hoard with the aws CLI (v1 or v2).
#
# Usage: tests/e2e/awscli.sh [HOARD_BINARY]
#
# Builds bin/hoard from this checkout unless a binary is given (argument or
# $HOARD_BINARY), starts `hoard server` on a free loopback port with a
# temporary data folder, waits for /hoard/health/ready, then drives it with
# `aws s3` (mb, ls, cp, sync, rm, rb) and `aws s3api` (multipart upload,
# object tagging, bucket CORS, bucket policy, canned ACLs checked with
# anonymous curl), checking every answer. Exits non-zero on the first
# failure; everything it started or created is removed on exit.
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/../lib/server.sh"

need_tool aws curl
use_binary "${1:-}"
export HOARD_ROOT_USER="e2e-admin"
export HOARD_ROOT_PASSWORD="e2e-secret-$(date +%s%N)"
start_server 1

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

# --- aws s3api: bucket CORS -------------------------------------------------
cat >"$work/cors.json" <<'JSON'
{"CORSRules": [{"AllowedOrigins": ["https://app.example.com"], "AllowedMethods": ["GET", "PUT"],
                "AllowedHeaders": ["*"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 3000}]}
JSON
s3api put-bucket-cors --bucket "$bucket" --cors-configuration "file://$work/cors.json"
expect_eq "get-bucket-cors" "$(s3api get-bucket-cors --bucket "$bucket" --query 'CORSRules[0].[AllowedOrigins[0],join(`,`,AllowedMethods),MaxAgeSeconds]' --output text)" $'https://app.example.com\tGET,PUT\t3000'
preflight() {
	curl -s -o /dev/null -D - -X OPTIONS -H "Origin: $1" -H "Access-Control-Request-Method: PUT" "$endpoint/$bucket/some/key" | tr -d '\r'
}
answer=$(preflight https://app.example.com)
expect_contains "a browser preflight from the allowed origin is allowed" "$answer" "Access-Control-Allow-Origin: https://app.example.com"
expect_contains "a browser preflight from another origin is refused" "$(preflight https://other.example.com)" "HTTP/1.1 403"
s3api delete-bucket-cors --bucket "$bucket"
s3api get-bucket-cors --bucket "$bucket" >"$work/cors.out" 2>&1 && fail "get-bucket-cors after delete-bucket-cors succeeded"
expect_contains "get-bucket-cors after delete-bucket-cors" "$(cat "$work/cors.out")" "NoSuchCORSConfiguration"

# --- aws s3api: bucket policy ------------------------------------------------
anon_status() { curl -s -o /dev/null -w '%{http_code}' "$endpoint/$bucket/$1"; }
expect_eq "anonymous GET before a policy" "$(anon_status mp/object.bin)" "403"
cat >"$work/policy.json" <<JSON
{"Version": "2012-10-17", "Statement": [{"Sid": "PublicRead", "Effect": "Allow", "Principal": "*",
  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::$bucket/mp/*"}]}
JSON
s3api put-bucket-policy --bucket "$bucket" --policy "file://$work/policy.json"
expect_eq "get-bucket-policy" "$(s3api get-bucket-policy --bucket "$bucket" --query Policy --output text)" "$(cat "$work/policy.json")"
expect_eq "get-bucket-policy-status" "$(s3api get-bucket-policy-status --bucket "$bucket" --query PolicyStatus.IsPublic --output text)" "True"
expect_eq "anonymous GET the policy allows" "$(anon_status mp/object.bin)" "200"
expect_eq "anonymous GET outside the policy" "$(anon_status big.bin)" "403"
s3api delete-bucket-policy --bucket "$bucket"
expect_eq "anonymous GET after delete-bucket-policy" "$(anon_status mp/object.bin)" "403"

# --- canned ACLs: s3 cp --acl public-read, put-object-acl -------------------
# (Four CLI calls: each costs seconds of Python start-up; grants and
# ownership are read back by the Go and boto3 tests.)
acl_bucket="$bucket-acl"
s3api create-bucket --bucket "$acl_bucket" --object-ownership ObjectWriter >/dev/null
s3 cp --acl public-read "$src/a.txt" "s3://$acl_bucket/pub.txt" >/dev/null
expect_eq "anonymous curl GET after s3 cp --acl public-read" "$(curl -sf "$endpoint/$acl_bucket/pub.txt")" "alpha"
s3api put-object-acl --bucket "$acl_bucket" --key pub.txt --acl private
expect_eq "anonymous curl GET after put-object-acl --acl private" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$endpoint/$acl_bucket/pub.txt")" "403"
out=$(s3 cp --acl public-read "$src/a.txt" "s3://$bucket/refused.txt" 2>&1) && fail "s3 cp --acl public-read into a bucket with ACLs disabled succeeded"
expect_contains "s3 cp --acl public-read with ACLs disabled is refused" "$out" "AccessControlListNotSupported"
s3 rb --force "s3://$acl_bucket" >/dev/null

# --- clean up and stop ------------------------------------------------------
s3 rb --force "s3://$bucket" >/dev/null
! grep -qE " ${bucket}(-acl)?\$" <<<"$(s3 ls)" || fail "bucket still listed after rb --force"
ok "s3 rb --force"

stop_server
echo "PASS: aws CLI end-to-end ($(aws --version 2>&1 | cut -d' ' -f1))"
