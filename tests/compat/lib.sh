# Shared helpers of the client compatibility scripts in tests/compat, on
# top of tests/lib/server.sh (work folder, cleanup, checks, the server).
#
# Sourced (not run) by each script. It parses the common arguments
#   SCRIPT [HOARD_BINARY] [DRIVES]
# (HOARD_BINARY defaults to $HOARD_BINARY, else bin/hoard is built from
# this checkout; DRIVES is 1 for the single-folder mode or 4 for an
# erasure-coded set, default $HOARD_COMPAT_DRIVES or 1) and gives the
# clients a private HOME so no user configuration leaks in.
# compat_start_server then starts `hoard server` on a free loopback port and
# waits for /hoard/health/ready.
#
# The caller must have run `set -euo pipefail` before sourcing this file.

compat_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$compat_here/../lib/server.sh"
compat_started=$(date +%s%N)

# expect_same_tree DESCRIPTION DIR1 DIR2 fails unless both trees hold the
# same files with the same bytes (symbolic links compared as links).
expect_same_tree() {
	local out
	out=$(diff -r --no-dereference "$2" "$3" 2>&1) || fail "$1: trees differ: $out"
	ok "$1"
}

# md5_of FILE prints the hex MD5 of FILE.
md5_of() { md5sum "$1" | cut -d' ' -f1; }

# elapsed prints the seconds since the script started, with a decimal.
elapsed() {
	local ns=$(($(date +%s%N) - compat_started))
	printf '%d.%01d' $((ns / 1000000000)) $((ns / 100000000 % 10))
}

need_tool python3 md5sum diff
use_binary "${1:-}"
drives=${2:-${HOARD_COMPAT_DRIVES:-1}}
[[ "$drives" == 1 || "$drives" == 4 ]] || fail "DRIVES must be 1 or 4, got [$drives]"

# Every client gets a private HOME, so ~/.s3cfg, ~/.config/rclone,
# ~/.aws and friends from the machine are never read; AWS_CA_BUNDLE (some
# machines set it) makes rclone refuse its transport and is moot over http.
export HOME="$work/home"
export XDG_CONFIG_HOME="$HOME/.config" XDG_CACHE_HOME="$HOME/.cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
unset AWS_PROFILE AWS_SESSION_TOKEN AWS_ENDPOINT_URL AWS_ENDPOINT_URL_S3 \
	AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE AWS_CA_BUNDLE RCLONE_CONFIG S3CMD_CONFIG || true

export HOARD_ROOT_USER="compat-admin"
export HOARD_ROOT_PASSWORD="compat-secret-$(date +%s%N)"
region=us-east-1

# compat_start_server starts `hoard server` with $drives folders, debug
# logging (compat_op_count reads the request lines) and the test's region.
compat_start_server() { start_server "$drives" --region "$region" --log-level debug; }

# compat_stop_server sends SIGTERM and checks the server exits 0 in time.
compat_stop_server() { stop_server; }

# compat_op_count OP prints how many requests of operation OP (as the
# server logs it, e.g. CompleteMultipartUpload) the server has answered
# with a 2xx status so far.
compat_op_count() {
	grep -cE "msg=request .* op=$1 .*status=2[0-9][0-9] " "$work/server.log" || true
}

# compat_server_errors prints the server log lines of 5xx answers other
# than 501 NotImplemented (Hoard's deliberate refusal of what it does not
# provide, which the checks provoke).
compat_server_errors() {
	grep -E 'status=5[0-9][0-9]' "$work/server.log" | grep -v 'status=501' || true
}
