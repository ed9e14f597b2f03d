# Shared helpers of the client compatibility scripts in tests/compat.
#
# Sourced (not run) by each script. It parses the common arguments
#   SCRIPT [HOARD_BINARY] [DRIVES]
# (HOARD_BINARY defaults to $HOARD_BINARY, else bin/hoard is built from
# this checkout; DRIVES is 1 for the single-folder mode or 4 for an
# erasure-coded set, default $HOARD_COMPAT_DRIVES or 1), creates a private
# work folder with its own HOME so no user configuration leaks in, and
# installs a trap that stops the server and removes everything on exit
# (copying the server's log to $HOARD_COMPAT_KEEP_LOG first, when set).
# compat_start_server then starts `hoard server` on a free loopback port and
# waits for /hoard/health/ready.
#
# The caller must have run `set -euo pipefail` before sourcing this file.

compat_here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
compat_repo=$(cd "$compat_here/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hoard-compat.XXXXXX")
server_pid=""
compat_started=$(date +%s%N)

compat_cleanup() {
	local rc=$?
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 && -f "$work/server.log" ]]; then
		echo "--- last lines of the server log ---" >&2
		tail -n 60 "$work/server.log" >&2 || true
	fi
	if [[ -n "${HOARD_COMPAT_KEEP_LOG:-}" && -f "$work/server.log" ]]; then
		cp "$work/server.log" "$HOARD_COMPAT_KEEP_LOG" || true
	fi
	rm -rf "$work"
	exit $rc
}
trap compat_cleanup EXIT INT TERM

# fail MESSAGE... prints a failure and exits non-zero.
fail() {
	echo "FAIL: $*" >&2
	exit 1
}

# ok MESSAGE... reports one passed check.
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

# expect_absent DESCRIPTION HAYSTACK NEEDLE
expect_absent() {
	[[ "$2" != *"$3"* ]] || fail "$1: [$2] still contains [$3]"
	ok "$1"
}

# expect_same_tree DESCRIPTION DIR1 DIR2 fails unless both trees hold the
# same files with the same bytes (symbolic links compared as links).
expect_same_tree() {
	local out
	out=$(diff -r --no-dereference "$2" "$3" 2>&1) || fail "$1: trees differ: $out"
	ok "$1"
}

# md5_of FILE prints the hex MD5 of FILE.
md5_of() { md5sum "$1" | cut -d' ' -f1; }

# need_tool COMMAND... fails unless every command is on PATH.
need_tool() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/test-deps.sh installs it)"
	done
}

# elapsed prints the seconds since the script started, with a decimal.
elapsed() {
	local ns=$(($(date +%s%N) - compat_started))
	printf '%d.%01d' $((ns / 1000000000)) $((ns / 100000000 % 10))
}

need_tool python3 md5sum diff
bin=${1:-${HOARD_BINARY:-}}
drives=${2:-${HOARD_COMPAT_DRIVES:-1}}
[[ "$drives" == 1 || "$drives" == 4 ]] || fail "DRIVES must be 1 or 4, got [$drives]"
if [[ -z "$bin" ]]; then
	bin="$work/hoard"
	(cd "$compat_repo" && go build -o "$bin" ./cmd/hoard) || fail "go build ./cmd/hoard"
fi
[[ -x "$bin" ]] || fail "$bin is not an executable"

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

# compat_ready returns 0 when the readiness endpoint answers 200. It runs
# in a subshell so its redirections do not outlive it.
compat_ready() (
	exec 2>/dev/null
	exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
	printf 'GET /hoard/health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	IFS= read -r -t 2 line <&3 || exit 1
	[[ "$line" == *" 200 "* ]]
)

# compat_try_start starts the server once on a fresh free port and waits up
# to 30 s for readiness; it returns 2 when the port was taken meanwhile.
compat_try_start() {
	local i folders=()
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	for ((i = 1; i <= drives; i++)); do
		folders+=("$work/data/d$i")
		mkdir -p "$work/data/d$i"
	done
	"$bin" server --address "127.0.0.1:$port" --console-address= --region "$region" \
		--log-level debug "${folders[@]}" >"$work/server.log" 2>&1 &
	server_pid=$!
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid" 2>/dev/null || true
			server_pid=""
			grep -q "address already in use" "$work/server.log" && return 2
			return 1
		fi
		compat_ready && return 0
		sleep 0.1
	done
	return 1
}

# compat_start_server starts `hoard server` with $drives folders on a free
# loopback port (retrying another port if it was taken meanwhile) and sets
# port and endpoint.
compat_start_server() {
	local attempt rc=1
	for ((attempt = 0; attempt < 3; attempt++)); do
		compat_try_start && rc=0 || rc=$?
		[[ $rc -eq 2 ]] || break
	done
	[[ $rc -eq 0 ]] || fail "hoard server did not become ready (see its log)"
	endpoint="http://127.0.0.1:$port"
	ok "server ready on $endpoint with $drives drive folder(s)"
}

# compat_stop_server sends SIGTERM and checks the server exits 0 in time.
compat_stop_server() {
	local i rc=0
	kill -TERM "$server_pid"
	for ((i = 0; i < 300; i++)); do
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	wait "$server_pid" || rc=$?
	server_pid=""
	expect_eq "server exit status after SIGTERM" "$rc" "0"
}

# compat_op_count OP prints how many requests of operation OP (as the
# server logs it, e.g. CompleteMultipartUpload) the server has answered
# with a 2xx status so far.
compat_op_count() {
	grep -cE "msg=request .* op=$1 .*status=2[0-9][0-9] " "$work/server.log" || true
}

# compat_server_errors prints the server log lines of 5xx answers.
compat_server_errors() {
	grep -E 'status=5[0-9][0-9]' "$work/server.log" || true
}
