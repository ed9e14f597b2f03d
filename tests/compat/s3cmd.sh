#!/usr/bin/env bash
# Compatibility test of Hoard with s3cmd.
#
# Usage: tests/compat/s3cmd.sh [HOARD_BINARY] [DRIVES]
#
# Starts `hoard server` (DRIVES = 1 or 4 folders) on a free loopback port
# and drives it with s3cmd from a generated configuration (path style,
# Signature V4): mb, put (single and multipart), ls, la, get, info, setcors,
# delcors, setpolicy, delpolicy, sync both ways, cp, mv, setacl and put
# --acl-public (checked with anonymous curl), del, rb, checking contents by
# MD5.
# Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_tool s3cmd curl
compat_start_server

# host_bucket without %(bucket)s makes s3cmd use path-style requests.
cfg="$work/s3cfg"
cat >"$cfg" <<EOF
[default]
access_key = $HOARD_ROOT_USER
secret_key = $HOARD_ROOT_PASSWORD
host_base = 127.0.0.1:$port
host_bucket = 127.0.0.1:$port
bucket_location = $region
use_https = False
signature_v2 = False
check_ssl_certificate = False
multipart_chunk_size_mb = 15
max_retries = 1
progress_meter = False
EOF
s3() { s3cmd -c "$cfg" --no-progress "$@"; }

bucket="s3cmd-$(date +%s)"
url="s3://$bucket"

# --- mb, ls -----------------------------------------------------------------
expect_eq "mb" "$(s3 mb "$url")" "Bucket '$url/' created"
expect_contains "ls lists the bucket" "$(s3 ls)" "$url"
s3 mb "$url" >"$work/mb2.log" 2>&1 && fail "second mb of the same bucket succeeded"
expect_contains "second mb is refused as already owned" "$(cat "$work/mb2.log")" "BucketAlreadyOwnedByYou"

# --- put: single PUT and multipart ------------------------------------------
echo "alpha" >"$work/a.txt"
head -c 200000 /dev/urandom >"$work/b.bin"
head -c 12582912 /dev/urandom >"$work/big.bin"
s3 put "$work/a.txt" "$url/a.txt" >/dev/null
s3 put --mime-type=application/x-test "$work/b.bin" "$url/dir/b.bin" >/dev/null
s3 put --multipart-chunk-size-mb=5 "$work/big.bin" "$url/dir/big.bin" >/dev/null
expect_eq "put of 12 MiB sent 3 parts of at most 5 MiB" "$(compat_op_count UploadPart)" "3"
expect_eq "the server completed one multipart upload" "$(compat_op_count CompleteMultipartUpload)" "1"
echo "with space" >"$work/s p.txt"
s3 put "$work/s p.txt" "$url/odd key/s p+%.txt" >/dev/null
ok "put of a key with space, plus and percent"

# --- ls, la -----------------------------------------------------------------
listing=$(s3 ls "$url")
expect_contains "ls shows a top-level object" "$listing" "$url/a.txt"
expect_contains "ls shows dir/ as a prefix" "$listing" "DIR  $url/dir/"
expect_absent "ls without -r hides nested objects" "$listing" "$url/dir/b.bin"
rlisting=$(s3 ls -r --list-md5 "$url")
expect_eq "ls -r counts every object" "$(grep -c "$url/" <<<"$rlisting")" "4"
expect_contains "ls --list-md5 shows the single-part MD5" "$rlisting" "$(md5_of "$work/b.bin")"
expect_contains "ls -r shows the 12 MiB size" "$(grep big.bin <<<"$rlisting")" "12582912"
expect_contains "ls shows the odd key" "$rlisting" "$url/odd key/s p+%.txt"
expect_contains "la lists objects of every bucket" "$(s3 la)" "$url/a.txt"

# --- get --------------------------------------------------------------------
mkdir -p "$work/down"
s3 get "$url/a.txt" "$work/down/a.txt" >/dev/null
s3 get "$url/dir/b.bin" "$work/down/b.bin" >/dev/null
s3 get "$url/dir/big.bin" "$work/down/big.bin" >/dev/null
s3 get "$url/odd key/s p+%.txt" "$work/down/sp.txt" >/dev/null
expect_eq "get a.txt" "$(md5_of "$work/down/a.txt")" "$(md5_of "$work/a.txt")"
expect_eq "get b.bin" "$(md5_of "$work/down/b.bin")" "$(md5_of "$work/b.bin")"
expect_eq "get of the multipart object" "$(md5_of "$work/down/big.bin")" "$(md5_of "$work/big.bin")"
expect_eq "get of the odd key" "$(cat "$work/down/sp.txt")" "with space"
s3 get "$url/missing" "$work/down/missing" >"$work/get.log" 2>&1 && fail "get of a missing key succeeded"
expect_contains "get of a missing key reports it missing" "$(cat "$work/get.log")" "does not exist"

# --- info -------------------------------------------------------------------
info=$(s3 info "$url/dir/b.bin")
expect_contains "info: size" "$info" "200000"
expect_contains "info: MIME type" "$info" "application/x-test"
expect_contains "info: MD5" "$info" "$(md5_of "$work/b.bin")"
# s3cmd stores the whole-file MD5 of a multipart upload in its own
# metadata and shows it here.
expect_contains "info of the multipart object: MD5" "$(s3 info "$url/dir/big.bin")" "$(md5_of "$work/big.bin")"

# --- setcors, info of the bucket, delcors ------------------------------------
cat >"$work/cors.xml" <<'XML'
<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>https://app.example.com</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>PUT</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
  </CORSRule>
</CORSConfiguration>
XML
s3 setcors "$work/cors.xml" "$url" >/dev/null
info=$(s3 info "$url")
expect_contains "info of the bucket shows its CORS configuration" "$info" "<AllowedOrigin>https://app.example.com</AllowedOrigin>"
expect_contains "info of the bucket shows who pays" "$info" "BucketOwner"
s3 delcors "$url" >/dev/null
expect_contains "delcors: info shows no CORS configuration" "$(s3 info "$url")" "CORS:      none"

# --- setpolicy, delpolicy ----------------------------------------------------
cat >"$work/policy.json" <<JSON
{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
  "Action": "s3:GetObject", "Resource": "arn:aws:s3:::$bucket/dir/*"}]}
JSON
anon_status() { curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/$bucket/$1"; }
expect_eq "anonymous GET before setpolicy" "$(anon_status dir/b.bin)" "403"
s3 setpolicy "$work/policy.json" "$url" >/dev/null
expect_contains "info of the bucket shows the policy" "$(s3 info "$url")" "arn:aws:s3:::$bucket/dir/*"
expect_eq "anonymous GET the policy allows" "$(anon_status dir/b.bin)" "200"
s3 delpolicy "$url" >/dev/null
expect_eq "anonymous GET after delpolicy" "$(anon_status dir/b.bin)" "403"

# --- sync both ways ---------------------------------------------------------
src="$work/src"
mkdir -p "$src/x/y" "$src/z"
echo "one" >"$src/one.txt"
echo "two" >"$src/x/two.txt"
head -c 70000 /dev/urandom >"$src/x/y/three.bin"
echo "four" >"$src/z/four.txt"
s3 sync "$src/" "$url/tree/" >/dev/null
expect_eq "sync up uploads 4 files" "$(s3 ls -r "$url/tree/" | grep -c .)" "4"
echo "two, edited" >"$src/x/two.txt"
rm -r "$src/z"
echo "five" >"$src/five.txt"
s3 sync --delete-removed "$src/" "$url/tree/" >"$work/sync.log"
expect_contains "second sync uploads the edit" "$(cat "$work/sync.log")" "x/two.txt"
expect_contains "second sync deletes the removed file" "$(cat "$work/sync.log")" "delete: '$url/tree/z/four.txt'"
expect_eq "third sync has nothing to do" "$(s3 sync --delete-removed "$src/" "$url/tree/" | grep -cE '^(upload|delete):' || true)" "0"
mkdir -p "$work/back"
s3 sync "$url/tree/" "$work/back/" >/dev/null
expect_same_tree "sync down is identical to the source" "$src" "$work/back"

# --- cp, mv -----------------------------------------------------------------
s3 cp "$url/dir/b.bin" "$url/copies/b.bin" >/dev/null
s3 get "$url/copies/b.bin" "$work/down/b-copy.bin" >/dev/null
expect_eq "cp: the copy has the same bytes" "$(md5_of "$work/down/b-copy.bin")" "$(md5_of "$work/b.bin")"
expect_contains "cp keeps the MIME type" "$(s3 info "$url/copies/b.bin")" "application/x-test"
s3 mv "$url/a.txt" "$url/moved/a.txt" >/dev/null
listing=$(s3 ls -r "$url")
expect_contains "mv: the new name is listed" "$listing" "$url/moved/a.txt"
expect_absent "mv: the old name is gone" "$listing" "$url/a.txt"
expect_eq "mv: the moved object reads back" "$(s3 get "$url/moved/a.txt" - 2>/dev/null)" "alpha"

# --- setacl ----------------------------------------------------------------
# A private object's and bucket's ACL is the owner's FULL_CONTROL: s3cmd
# reads it (GetObjectAcl / GetBucketAcl) and has nothing to change.
expect_contains "info shows the owner's FULL_CONTROL grant" "$(s3 info "$url/moved/a.txt")" "ACL:       hoard: FULL_CONTROL"
s3 setacl -v --acl-private "$url/moved/a.txt" >"$work/acl.log" 2>&1
expect_contains "setacl --acl-private on an object reads its ACL as private" "$(cat "$work/acl.log")" "already Private"
s3 setacl -v --acl-private "$url" >"$work/acl.log" 2>&1
expect_contains "setacl --acl-private on the bucket reads its ACL as private" "$(cat "$work/acl.log")" "already Private"
expect_eq "setacl read both ACLs" "$(($(compat_op_count GetObjectAcl) >= 1 && $(compat_op_count GetBucketAcl) >= 1))" "1"

# A new bucket has ACLs disabled (BucketOwnerEnforced, as S3 since 2023):
# setacl --acl-public is refused as S3 refuses it.
s3 setacl --acl-public "$url/moved/a.txt" >"$work/acl.log" 2>&1 && fail "setacl --acl-public with ACLs disabled succeeded"
expect_contains "setacl --acl-public with ACLs disabled is refused" "$(cat "$work/acl.log")" "AccessControlListNotSupported"
# A bucket with ACLs enabled (created with x-amz-object-ownership:
# ObjectWriter through curl's SigV4 signing: s3cmd mb cannot ask for it)
# takes put --acl-public and setacl --acl-public / --acl-private; anonymous
# curl reads what is public and is refused what is not.
acl_bucket="$bucket-acl"
status=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:$region:s3" --user "$HOARD_ROOT_USER:$HOARD_ROOT_PASSWORD" \
	-X PUT -H "x-amz-object-ownership: ObjectWriter" "http://127.0.0.1:$port/$acl_bucket")
expect_eq "CreateBucket with ObjectWriter ownership (curl --aws-sigv4)" "$status" "200"
anon_get() { curl -s -o "$work/anon.out" -w '%{http_code}' "http://127.0.0.1:$port/$acl_bucket/$1"; }
echo "public bytes" >"$work/pub.txt"
s3 put --acl-public "$work/pub.txt" "s3://$acl_bucket/pub.txt" >/dev/null
expect_eq "anonymous curl GET after put --acl-public" "$(anon_get pub.txt)" "200"
expect_eq "anonymous curl GET returns the object" "$(cat "$work/anon.out")" "public bytes"
expect_contains "info shows the AllUsers READ grant" "$(s3 info "s3://$acl_bucket/pub.txt")" "*anon*: READ"
s3 put "$work/pub.txt" "s3://$acl_bucket/later.txt" >/dev/null
expect_eq "anonymous curl GET of an object put without --acl-public" "$(anon_get later.txt)" "403"
s3 setacl --acl-public "s3://$acl_bucket/later.txt" >/dev/null
expect_eq "anonymous curl GET after setacl --acl-public" "$(anon_get later.txt)" "200"
s3 setacl --acl-private "s3://$acl_bucket/later.txt" >/dev/null
expect_eq "anonymous curl GET after setacl --acl-private" "$(anon_get later.txt)" "403"
s3 setacl --acl-public "s3://$acl_bucket" >/dev/null
expect_eq "anonymous curl listing after setacl --acl-public on the bucket" "$(anon_get "")" "200"
expect_contains "the anonymous listing names the objects" "$(cat "$work/anon.out")" "<Key>pub.txt</Key>"
s3 del --recursive --force "s3://$acl_bucket" >/dev/null
s3 rb "s3://$acl_bucket" >/dev/null
ok "rb of the ACL bucket"

# --- del, rb ----------------------------------------------------------------
expect_eq "del one object" "$(s3 del "$url/moved/a.txt")" "delete: '$url/moved/a.txt'"
s3 rb "$url" >"$work/rb.log" 2>&1 && fail "rb of a non-empty bucket succeeded"
expect_contains "rb of a non-empty bucket is refused" "$(cat "$work/rb.log")" "BucketNotEmpty"
s3 del --recursive --force "$url" >/dev/null
expect_eq "del --recursive empties the bucket" "$(s3 ls -r "$url")" ""
expect_eq "rb" "$(s3 rb "$url")" "Bucket '$url/' removed"
expect_absent "the bucket is gone" "$(s3 ls)" "$url"

errors=$(compat_server_errors)
expect_eq "no 5xx answers in the server log" "$errors" ""
compat_stop_server
echo "PASS: s3cmd ($(s3cmd --version)) against $drives drive folder(s) in $(elapsed) s"
