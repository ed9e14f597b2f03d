#!/usr/bin/env bash
# Compatibility test of Hoard with restic's S3 backend.
#
# Usage: tests/compat/restic.sh [HOARD_BINARY] [DRIVES]
#
# Starts `hoard server` (DRIVES = 1 or 4 folders) on a free loopback port
# and uses it as a restic repository: init (which creates the bucket),
# two backups of a changing tree, snapshots, check --read-data, restore of
# both snapshots compared with the sources, forget --prune, and a final
# check. Exits non-zero on the first failure.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_tool restic
compat_start_server

export AWS_ACCESS_KEY_ID="$HOARD_ROOT_USER"
export AWS_SECRET_ACCESS_KEY="$HOARD_ROOT_PASSWORD"
export AWS_DEFAULT_REGION="$region"
export RESTIC_PASSWORD="compat-repository-password"
export RESTIC_CACHE_DIR="$work/restic-cache"
bucket="restic-$(date +%s)"
export RESTIC_REPOSITORY="s3:$endpoint/$bucket/repo"
r() { restic --quiet "$@"; }

# --- init -------------------------------------------------------------------
restic init >"$work/init.log"
expect_contains "init creates the repository" "$(cat "$work/init.log")" "created restic repository"
expect_eq "init created the bucket" "$(compat_op_count CreateBucket)" "1"

# --- first backup -----------------------------------------------------------
src="$work/src"
mkdir -p "$src/docs/nested" "$src/media" "$src/with space"
echo "alpha" >"$src/a.txt"
printf '' >"$src/docs/empty"
for i in $(seq 1 40); do echo "line $i of a small text" >"$src/docs/nested/n$i.txt"; done
head -c 3145728 /dev/urandom >"$src/media/random.bin"
python3 -c "import sys; sys.stdout.write('compressible text ' * 116508)" >"$src/media/text.txt"
echo "gamma" >"$src/with space/d e+f%.txt"
ln -s ../a.txt "$src/docs/link"
(cd "$work" && r backup --host compat src)
cp -a "$src" "$work/src1"
ok "first backup of $(find "$src" -type f | wc -l) files"

# --- second backup with changes ---------------------------------------------
rm "$src/docs/nested/n7.txt" "$src/a.txt"
echo "beta" >"$src/new.txt"
head -c 1048576 /dev/urandom >>"$src/media/random.bin"
(cd "$work" && r backup --host compat src)
ok "second backup after edits, additions and deletions"

# --- snapshots --------------------------------------------------------------
snaps=$(restic snapshots --json)
ids=$(python3 -c 'import json, sys; print(" ".join(s["short_id"] for s in sorted(json.loads(sys.argv[1]), key=lambda s: s["time"])))' "$snaps")
read -r first second <<<"$ids"
[[ -n "${first:-}" && -n "${second:-}" ]] || fail "snapshots: got [$ids], want two IDs"
expect_eq "snapshots lists two snapshots" "$(wc -w <<<"$ids")" "2"

# --- check --read-data ------------------------------------------------------
restic check --read-data >"$work/check.log" 2>&1 || fail "check --read-data: $(cat "$work/check.log")"
expect_contains "check --read-data" "$(cat "$work/check.log")" "no errors were found"

# --- restore and compare ----------------------------------------------------
r restore "$first" --target "$work/restore1"
expect_same_tree "restore of the first snapshot equals the first tree" "$work/src1" "$work/restore1/src"
r restore latest --target "$work/restore2"
expect_same_tree "restore of the latest snapshot equals the current tree" "$src" "$work/restore2/src"
expect_eq "restored symlink target" "$(readlink "$work/restore2/src/docs/link")" "../a.txt"
expect_eq "dump of one file" "$(restic dump latest /src/new.txt)" "beta"

# --- forget --prune ---------------------------------------------------------
restic forget --keep-last 1 --prune >"$work/forget.log" 2>&1 || fail "forget --prune: $(cat "$work/forget.log")"
expect_contains "forget removed the first snapshot" "$(cat "$work/forget.log")" "remove 1 snapshots"
(($(compat_op_count DeleteObject) > 0)) || fail "prune deleted no object"
ok "prune deleted $(compat_op_count DeleteObject) objects"
expect_eq "one snapshot left" "$(restic snapshots --json | python3 -c 'import json, sys; print(" ".join(s["short_id"] for s in json.load(sys.stdin)))')" "$second"
restic check --read-data >"$work/check.log" 2>&1 || fail "check after prune: $(cat "$work/check.log")"
expect_contains "check --read-data after prune" "$(cat "$work/check.log")" "no errors were found"
rm -rf "$work/restore2"
r restore latest --target "$work/restore2"
expect_same_tree "restore after prune equals the current tree" "$src" "$work/restore2/src"

errors=$(compat_server_errors)
expect_eq "no 5xx answers in the server log" "$errors" ""
compat_stop_server
echo "PASS: $(restic version | cut -d' ' -f1-2) against $drives drive folder(s) in $(elapsed) s"
