#!/usr/bin/env bash
# Compatibility test of Hoard with rclone's S3 backend.
#
# Usage: tests/compat/rclone.sh [HOARD_BINARY] [DRIVES]
#
# Starts `hoard server` (DRIVES = 1 or 4 folders) on a free loopback port
# and drives it with rclone configured only through environment variables
# (provider Other, path style): mkdir, copy of a tree with small files and
# files above the upload cutoff (multipart), check (size and MD5), sync
# with changes and deletions, lsjson, cat, moveto, canned ACLs (--s3-acl,
# checked with anonymous curl), delete, purge, rmdir.
# Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_tool rclone curl
compat_start_server

export RCLONE_CONFIG="$work/rclone.conf"
: >"$RCLONE_CONFIG"
export RCLONE_CONFIG_HOARD_TYPE=s3
export RCLONE_CONFIG_HOARD_PROVIDER=Other
export RCLONE_CONFIG_HOARD_ENV_AUTH=false
export RCLONE_CONFIG_HOARD_ACCESS_KEY_ID="$HOARD_ROOT_USER"
export RCLONE_CONFIG_HOARD_SECRET_ACCESS_KEY="$HOARD_ROOT_PASSWORD"
export RCLONE_CONFIG_HOARD_REGION="$region"
export RCLONE_CONFIG_HOARD_ENDPOINT="$endpoint"
export RCLONE_CONFIG_HOARD_FORCE_PATH_STYLE=true
# Objects above 1 MiB go up as multipart uploads in 5 MiB parts (the S3
# minimum), so the 12 MiB file takes three parts, the last one short.
export RCLONE_S3_UPLOAD_CUTOFF=1M
export RCLONE_S3_CHUNK_SIZE=5M
export RCLONE_LOW_LEVEL_RETRIES=1 RCLONE_RETRIES=1 RCLONE_STATS=0
rc() { rclone --config "$RCLONE_CONFIG" "$@"; }

bucket="rclone-$(date +%s)"
remote="hoard:$bucket"

# --- mkdir ------------------------------------------------------------------
rc mkdir "$remote"
expect_contains "lsd lists the new bucket" "$(rc lsd hoard:)" "$bucket"

# --- copy a tree (small files and multipart-sized ones) ----------------------
src="$work/src"
mkdir -p "$src/docs/nested" "$src/media" "$src/with space"
echo "alpha" >"$src/a.txt"
printf 'beta\n' >"$src/docs/b.md"
printf '' >"$src/docs/empty"
head -c 300000 /dev/urandom >"$src/docs/nested/c.bin"
head -c 12582912 /dev/urandom >"$src/media/big.bin"
head -c 5767168 /dev/urandom >"$src/media/five-and-a-half.bin"
echo "gamma" >"$src/with space/d e+f%.txt"
rc copy "$src" "$remote/tree"
ok "copy of a 7-file tree"
expect_eq "ls counts the copied files" "$(rc ls "$remote/tree" | grep -c .)" "7"

# rclone check compares sizes and MD5s (for multipart objects rclone keeps
# the whole-file MD5 in its own metadata, checked against a download below).
rc check "$src" "$remote/tree" 2>"$work/check.log" || fail "rclone check after copy: $(cat "$work/check.log")"
ok "check (size and MD5) after copy"
rc check --download "$src" "$remote/tree" 2>"$work/check.log" || fail "rclone check --download: $(cat "$work/check.log")"
ok "check --download compares every byte"

(($(compat_op_count CompleteMultipartUpload) >= 2)) ||
	fail "copy completed $(compat_op_count CompleteMultipartUpload) multipart uploads, want 2 (the files above the cutoff)"
ok "the two files above the cutoff went up as multipart uploads"
big_md5=$(rc md5sum "$remote/tree/media/big.bin" | cut -d' ' -f1)
expect_eq "md5sum of the multipart object" "$big_md5" "$(md5_of "$src/media/big.bin")"

# --- lsjson: sizes, hashes, directories -------------------------------------
lsjson=$(rc lsjson -R --hash --files-only "$remote/tree")
python3 - "$lsjson" "$src" <<'PY' || fail "lsjson does not describe the tree"
import hashlib, json, os, sys
entries = {e["Path"]: e for e in json.loads(sys.argv[1])}
src = sys.argv[2]
want = {}
for root, _, files in os.walk(src):
    for f in files:
        p = os.path.join(root, f)
        want[os.path.relpath(p, src)] = p
if sorted(entries) != sorted(want):
    sys.exit("paths: got %s, want %s" % (sorted(entries), sorted(want)))
for rel, p in want.items():
    e = entries[rel]
    size = os.path.getsize(p)
    md5 = hashlib.md5(open(p, "rb").read()).hexdigest()
    if e["Size"] != size:
        sys.exit("%s size: got %d, want %d" % (rel, e["Size"], size))
    if e.get("Hashes", {}).get("md5") != md5:
        sys.exit("%s md5: got %s, want %s" % (rel, e.get("Hashes"), md5))
    if e["IsDir"]:
        sys.exit("%s listed as a directory" % rel)
PY
ok "lsjson -R --hash lists every file with its size and MD5"
dirs=$(rc lsjson --dirs-only "$remote/tree" | python3 -c 'import json, sys; print(" ".join(sorted(e["Path"] for e in json.load(sys.stdin))))')
expect_eq "lsjson --dirs-only shows the prefixes" "$dirs" "docs media with space"

# --- cat --------------------------------------------------------------------
expect_eq "cat of a small object" "$(rc cat "$remote/tree/a.txt")" "alpha"
expect_eq "cat of a key with space, plus and percent" "$(rc cat "$remote/tree/with space/d e+f%.txt")" "gamma"
expect_eq "cat --offset --count (range GET)" "$(rc cat --offset 1 --count 3 "$remote/tree/a.txt")" "lph"
rc cat "$remote/tree/media/big.bin" >"$work/big.down"
cmp -s "$src/media/big.bin" "$work/big.down" || fail "cat of the 12 MiB object differs"
ok "cat of the multipart object is byte-exact"

# --- sync with changes and deletions ----------------------------------------
rm "$src/a.txt" "$src/media/five-and-a-half.bin"
echo "beta, second edition" >"$src/docs/b.md"
head -c 7340032 /dev/urandom >"$src/media/new.bin"
echo "new" >"$src/new.txt"
rc sync "$src" "$remote/tree"
rc check "$src" "$remote/tree" 2>"$work/check.log" || fail "rclone check after sync: $(cat "$work/check.log")"
ok "check after sync with edits, additions and deletions"
listing=$(rc lsf -R --files-only "$remote/tree")
expect_absent "sync deleted a.txt" "$listing" "a.txt"
expect_absent "sync deleted five-and-a-half.bin" "$listing" "five-and-a-half.bin"
expect_eq "cat of the edited object" "$(rc cat "$remote/tree/docs/b.md")" "beta, second edition"
rc sync "$remote/tree" "$work/back"
expect_same_tree "sync back down is identical" "$src" "$work/back"
expect_contains "second sync transfers nothing" "$(rc sync -v "$src" "$remote/tree" 2>&1)" "There was nothing to transfer"

# --- moveto (server-side copy, then delete) ---------------------------------
rc moveto "$remote/tree/new.txt" "$remote/moved/renamed.txt"
expect_eq "moveto: the new name reads back" "$(rc cat "$remote/moved/renamed.txt")" "new"
expect_absent "moveto: the old name is gone" "$(rc lsf "$remote/tree")" "new.txt"
rc moveto "$remote/tree/media/new.bin" "$remote/moved/new.bin"
expect_eq "moveto of a 7 MiB object keeps its MD5" \
	"$(rc md5sum --download "$remote/moved/new.bin" | cut -d' ' -f1)" "$(md5_of "$src/media/new.bin")"

# --- canned ACLs (--s3-acl) --------------------------------------------------
# A new bucket has ACLs disabled (BucketOwnerEnforced, S3's default since
# 2023): a public ACL is refused as S3 refuses it. A bucket created with
# ACLs enabled (x-amz-object-ownership: ObjectWriter, sent with curl's
# SigV4 signing: rclone cannot set it) takes --s3-acl public-read, and the
# object then reads anonymously with plain curl.
echo "public" >"$work/pub.txt"
if rc copyto --s3-acl public-read "$work/pub.txt" "$remote/refused.txt" 2>"$work/acl.log"; then
	fail "copyto --s3-acl public-read into a bucket with ACLs disabled succeeded"
fi
expect_contains "--s3-acl public-read with ACLs disabled is refused as S3 refuses it" "$(cat "$work/acl.log")" "AccessControlListNotSupported"
acl_bucket="$bucket-acl"
status=$(curl -s -o "$work/mb.out" -w '%{http_code}' --aws-sigv4 "aws:amz:$region:s3" --user "$HOARD_ROOT_USER:$HOARD_ROOT_PASSWORD" \
	-X PUT -H "x-amz-object-ownership: ObjectWriter" "$endpoint/$acl_bucket")
expect_eq "CreateBucket with ObjectWriter ownership (curl --aws-sigv4)" "$status" "200"
rc copyto --s3-acl public-read "$work/pub.txt" "hoard:$acl_bucket/pub.txt"
ok "copyto --s3-acl public-read"
expect_eq "anonymous curl GET of the public-read object" "$(curl -sf "$endpoint/$acl_bucket/pub.txt")" "public"
rc copyto --s3-acl private "$work/pub.txt" "hoard:$acl_bucket/private.txt"
expect_eq "anonymous curl GET of the private object is refused" \
	"$(curl -s -o /dev/null -w '%{http_code}' "$endpoint/$acl_bucket/private.txt")" "403"
# Server-side copies take the ACL of the copy request, never the source's.
rc copyto --s3-acl public-read "hoard:$acl_bucket/private.txt" "hoard:$acl_bucket/copied.txt"
expect_eq "anonymous curl GET of a server-side copy made with --s3-acl public-read" "$(curl -sf "$endpoint/$acl_bucket/copied.txt")" "public"
rc purge "hoard:$acl_bucket"
ok "purge of the ACL bucket"

# --- delete, purge, rmdir ---------------------------------------------------
rc delete --include '*.bin' "$remote/tree"
expect_eq "delete --include '*.bin' removed only the .bin files" \
	"$(rc lsf -R --files-only "$remote/tree" | sort | tr '\n' ' ')" "docs/b.md docs/empty with space/d e+f%.txt "
rc purge "$remote/tree"
expect_eq "purge removed the whole prefix" "$(rc lsf -R "$remote/tree" 2>/dev/null || true)" ""
rc delete "$remote"
expect_eq "delete emptied the bucket" "$(rc lsf -R "$remote")" ""
rc rmdir "$remote"
expect_absent "rmdir removed the bucket" "$(rc lsd hoard:)" "$bucket"

errors=$(compat_server_errors)
expect_eq "no 5xx answers in the server log" "$errors" ""
compat_stop_server
echo "PASS: rclone ($(rclone version | head -n1)) against $drives drive folder(s) in $(elapsed) s"
