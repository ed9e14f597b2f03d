#!/usr/bin/env bash
# Compatibility test of Hoard's object lock with restic's S3 backend.
#
# Usage: tests/compat/restic_lock.sh [HOARD_BINARY] [DRIVES]
#
# Makes a bucket with object lock and a default GOVERNANCE retention
# (hoard mb --with-lock, hoard retention set --default), then uses it as a
# restic repository (format version 2): init, two backups, forget --prune.
# Every call succeeds: restic's deletes add delete markers, which object
# lock allows. Afterwards every version prune "deleted" is still there,
# under retention, and none of them can be removed for good.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_tool restic
compat_start_server

export HOARD_ALIAS_LOCAL="http://$HOARD_ROOT_USER:$HOARD_ROOT_PASSWORD@127.0.0.1:$port"
export AWS_ACCESS_KEY_ID="$HOARD_ROOT_USER"
export AWS_SECRET_ACCESS_KEY="$HOARD_ROOT_PASSWORD"
export AWS_DEFAULT_REGION="$region"
export RESTIC_PASSWORD="compat-repository-password"
export RESTIC_CACHE_DIR="$work/restic-cache"
bucket="restic-lock-$(date +%s)"
export RESTIC_REPOSITORY="s3:$endpoint/$bucket/repo"
h() { "$bin" "$@"; }
r() { restic --quiet "$@"; }

# --- a bucket with object lock and a default retention ------------------------
h mb --with-lock "local/$bucket"
h retention set --default --mode governance --days 1 "local/$bucket"
expect_contains "default retention" "$(h retention info "local/$bucket")" "GOVERNANCE for 1 days"

# --- init, two backups --------------------------------------------------------
restic init --repository-version 2 >"$work/init.log" 2>&1 || fail "init: $(cat "$work/init.log")"
expect_contains "init --repository-version 2" "$(cat "$work/init.log")" "created restic repository"
src="$work/src"
mkdir -p "$src/docs"
for i in $(seq 1 20); do echo "line $i" >"$src/docs/n$i.txt"; done
head -c 2097152 /dev/urandom >"$src/random.bin"
(cd "$work" && r backup --host compat src)
rm "$src/random.bin" "$src/docs/n3.txt"
head -c 1048576 /dev/urandom >"$src/other.bin"
(cd "$work" && r backup --host compat src)
ok "two backups into the locked bucket"

# --- forget --prune -----------------------------------------------------------
restic forget --keep-last 1 --prune >"$work/forget.log" 2>&1 || fail "forget --prune: $(cat "$work/forget.log")"
expect_contains "forget removed the first snapshot" "$(cat "$work/forget.log")" "remove 1 snapshots"
deletes=$(compat_op_count DeleteObject)
((deletes > 0)) || fail "prune deleted no object"
ok "prune's $deletes deletes succeeded (delete markers)"
restic check >"$work/check.log" 2>&1 || fail "check after prune: $(cat "$work/check.log")"
expect_contains "check after prune" "$(cat "$work/check.log")" "no errors were found"

# --- the locked data versions are all still there ------------------------------
h ls --versions --recursive --json "local/$bucket/repo/" >"$work/versions.json"
read -r hidden kept <<<"$(python3 - "$work/versions.json" <<'PY'
import json, sys
latest_marker, data = set(), {}
for line in open(sys.argv[1]):
    v = json.loads(line)
    key = v["key"]
    if v.get("deleteMarker"):
        if v.get("isLatest"):
            latest_marker.add(key)
    else:
        data.setdefault(key, []).append(v["versionId"])
hidden = [k for k in latest_marker if data.get(k)]
print(len(hidden), sum(len(data[k]) for k in hidden))
PY
)"
((hidden > 0)) || fail "no key deleted by prune kept its data version"
ok "$hidden keys deleted by prune still hold $kept data versions"
victim=$(python3 -c '
import json, sys
for line in open(sys.argv[1]):
    v = json.loads(line)
    key = v["key"] if v["key"].startswith("repo/") else "repo/" + v["key"]
    if not v.get("deleteMarker") and key.startswith("repo/data/"):
        print(key, v["versionId"]); break' "$work/versions.json")
read -r vkey vid <<<"$victim"
expect_contains "a data version is under retention" "$(h retention get --version-id "$vid" "local/$bucket/$vkey")" "GOVERNANCE until"
if h rm --version-id "$vid" "local/$bucket/$vkey" 2>"$work/rm.log"; then
	fail "a data version under retention was removed for good"
fi
ok "a data version under retention cannot be removed"

errors=$(compat_server_errors)
expect_eq "no 5xx answers in the server log" "$errors" ""
compat_stop_server
echo "PASS: $(restic version | cut -d' ' -f1-2) with object lock against $drives drive folder(s) in $(elapsed) s"
