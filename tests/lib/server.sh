# Shared helpers of the shell tests under tests/ (e2e, cli, compat).
#
# Sourced, not run, by a script that has already run `set -euo pipefail`.
# Sourcing it creates a private work folder ($work) and installs a trap that
# stops the server and removes the folder on exit; on failure it prints the
# last lines of the server's log first, and it copies the log to
# $HOARD_TEST_KEEP_LOG when that is set. It defines:
#
#   fail, ok, expect_eq, expect_contains, expect_absent   checks
#   need_tool COMMAND...        fail unless every command is on PATH
#   use_binary [BINARY]         set $bin: BINARY, else $HOARD_BINARY, else
#                               a fresh build of ./cmd/hoard
#   start_server DRIVES [ARG...]  start `hoard server` with DRIVES temporary
#                               folders on a free loopback port (another
#                               port if that one was taken meanwhile), wait
#                               for /hoard/health/ready; set $port,
#                               $endpoint and $server_pid
#   stop_server                 SIGTERM, and check the server exits 0
#
# The server sees only PATH, HOME, TMPDIR, HOARD_ROOT_USER and
# HOARD_ROOT_PASSWORD from the environment, so nothing of the machine's
# own HOARD_* settings leaks into a test.

testlib_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/hoard-test.XXXXXX")
server_pid=""

testlib_cleanup() {
	local rc=$?
	if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
		kill -KILL "$server_pid" 2>/dev/null || true
		wait "$server_pid" 2>/dev/null || true
	fi
	if [[ $rc -ne 0 && -f "$work/server.log" ]]; then
		echo "--- last lines of the server log ---" >&2
		tail -n 60 "$work/server.log" >&2 || true
	fi
	if [[ -n "${HOARD_TEST_KEEP_LOG:-}" && -f "$work/server.log" ]]; then
		cp "$work/server.log" "$HOARD_TEST_KEEP_LOG" || true
	fi
	rm -rf "$work"
	exit $rc
}
trap testlib_cleanup EXIT INT TERM

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

# need_tool COMMAND... fails unless every command is on PATH.
need_tool() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/test-deps.sh installs it)"
	done
}

# use_binary [BINARY] sets bin to the hoard binary under test.
use_binary() {
	bin=${1:-${HOARD_BINARY:-}}
	if [[ -z "$bin" ]]; then
		bin="$work/hoard"
		(cd "$testlib_repo" && go build -o "$bin" ./cmd/hoard) || fail "go build ./cmd/hoard"
	fi
	[[ -x "$bin" ]] || fail "$bin is not an executable"
}

# testlib_ready returns 0 when the readiness endpoint answers 200. It runs
# in a subshell so its redirections do not outlive it.
testlib_ready() (
	exec 2>/dev/null
	exec 3<>"/dev/tcp/127.0.0.1/$port" || exit 1
	printf 'GET /hoard/health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
	IFS= read -r -t 2 line <&3 || exit 1
	[[ "$line" == *" 200 "* ]]
)

# testlib_try_start DRIVES [ARG...] starts the server once on a fresh free
# port and waits up to 30 s for readiness; it returns 2 when the port was
# taken meanwhile.
testlib_try_start() {
	local i drives=$1 folders=()
	shift
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
	for ((i = 1; i <= drives; i++)); do
		folders+=("$work/data/d$i")
		mkdir -p "$work/data/d$i"
	done
	env -i PATH="$PATH" HOME="${HOME:-/tmp}" TMPDIR="${TMPDIR:-/tmp}" \
		HOARD_ROOT_USER="${HOARD_ROOT_USER:-}" HOARD_ROOT_PASSWORD="${HOARD_ROOT_PASSWORD:-}" \
		"$bin" server --address "127.0.0.1:$port" --console-address= "$@" "${folders[@]}" \
		>"$work/server.log" 2>&1 &
	server_pid=$!
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$server_pid" 2>/dev/null; then
			wait "$server_pid" 2>/dev/null || true
			server_pid=""
			grep -q "address already in use" "$work/server.log" && return 2
			return 1
		fi
		testlib_ready && return 0
		sleep 0.1
	done
	return 1
}

# start_server DRIVES [ARG...] starts `hoard server` with DRIVES folders
# and the extra server arguments ARG, and sets port and endpoint.
start_server() {
	local attempt rc=1
	need_tool python3
	[[ -n "${bin:-}" ]] || use_binary
	for ((attempt = 0; attempt < 3; attempt++)); do
		testlib_try_start "$@" && rc=0 || rc=$?
		[[ $rc -eq 2 ]] || break
	done
	[[ $rc -eq 0 ]] || fail "hoard server did not become ready (see its log)"
	endpoint="http://127.0.0.1:$port"
	ok "server ready on $endpoint with $1 drive folder(s)"
}

# stop_server sends SIGTERM and checks the server exits 0 within 30 s.
stop_server() {
	local i rc=0
	kill -TERM "$server_pid"
	for ((i = 0; i < 300; i++)); do
		kill -0 "$server_pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "$server_pid" 2>/dev/null && fail "hoard server still running 30 s after SIGTERM"
	wait "$server_pid" || rc=$?
	server_pid=""
	expect_eq "server exit status after SIGTERM" "$rc" "0"
}
