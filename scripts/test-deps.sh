#!/usr/bin/env bash
# Installs the tools the test suite drives, from Debian packages (Debian 12).
#
# Idempotent and non-interactive: a tool already on PATH is left alone,
# `apt-get update` runs at most once and only when something is missing,
# nothing reads stdin. Run as root (or with passwordless sudo).
# Prints what it found and what it did.
set -euo pipefail

# One line per tool: "COMMAND PACKAGE  # what needs it". Add the tools of
# later test suites here; they are installed only when their command is
# missing.
TOOLS=(
	"aws awscli"       # tests/e2e/awscli.sh (aws s3, aws s3api)
	"python3 python3"  # tests/e2e/awscli.sh picks a free port with it
	"curl curl"        # share links (tests/cli), preflights and anonymous requests (tests/e2e, tests/compat)
	"haproxy haproxy"   # tests/cluster: HAProxy in front of a 4-node cluster; tests/proxy: client addresses behind it
	"chromium chromium"    # tests/console: browser tests of the web console
	"s3cmd s3cmd"       # tests/compat/s3cmd.sh
	"rclone rclone"     # tests/compat/rclone.sh
	"restic restic"     # tests/compat/restic.sh
	"py:boto3 python3-boto3"  # tests/compat/boto3.sh (py:M = python module M of /usr/bin/python3)
)

# have NAME prints where NAME is and succeeds when it is installed: a
# command on PATH, or for py:MODULE a module the system python imports.
have() {
	case $1 in
	py:*) /usr/bin/python3 -c "import ${1#py:}" 2>/dev/null && echo "/usr/bin/python3 module ${1#py:}" ;;
	*) command -v "$1" ;;
	esac
}

missing=()
for entry in "${TOOLS[@]}"; do
	read -r cmd pkg <<<"$entry"
	if path=$(have "$cmd"); then
		echo "test-deps: $cmd present ($path), skipping $pkg"
	else
		echo "test-deps: $cmd missing, will install $pkg"
		missing+=("$pkg")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "test-deps: nothing to install"
	exit 0
fi

sudo=()
if ((EUID != 0)); then
	if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
		sudo=(sudo -n)
	else
		echo "test-deps: must run as root (or with passwordless sudo) to install: ${missing[*]}" >&2
		exit 1
	fi
fi
command -v apt-get >/dev/null || {
	echo "test-deps: apt-get not found; install by hand: ${missing[*]}" >&2
	exit 1
}

export DEBIAN_FRONTEND=noninteractive
echo "test-deps: apt-get update"
"${sudo[@]}" apt-get update -q </dev/null
echo "test-deps: apt-get install ${missing[*]}"
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
	-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
	"${missing[@]}" </dev/null

status=0
for entry in "${TOOLS[@]}"; do
	read -r cmd pkg <<<"$entry"
	if path=$(have "$cmd"); then
		echo "test-deps: $cmd ready ($path)"
	else
		echo "test-deps: $cmd still missing after installing $pkg" >&2
		status=1
	fi
done
exit $status
