# lib.sh: sourced by every tests/tNNNN-*.t, from inside tests/
#
# Puts cmd/ on PATH (SHARNESS_BUILD_DIRECTORY) and tests/ after it (for
# the tools there, such as draw-digits), exports TOP, the absolute top of
# the source tree, and loads sharness, which moves into the test's trash
# directory.  A test that needs MNIST calls need_mnist first.

SHARNESS_TEST_DIRECTORY=$(pwd)
SHARNESS_TEST_SRCDIR=$SHARNESS_TEST_DIRECTORY
TOP=$(cd .. && pwd)
SHARNESS_BUILD_DIRECTORY=$TOP/cmd
export SHARNESS_TEST_DIRECTORY SHARNESS_TEST_SRCDIR SHARNESS_BUILD_DIRECTORY
PATH=$PATH:$TOP/tests
export TOP PATH

. /usr/share/sharness/sharness.sh

# test_line_count OP N FILE: the number of lines of FILE compares so to N
# (git's t/test-lib-functions.sh has it; sharness 1.0 does not).
test_line_count() {
	test $# = 3 || error "test_line_count: want 3 arguments"
	if ! test "$(wc -l <"$3")" "$1" "$2"; then
		echo "test_line_count: line count for $3 !$1 $2"
		cat "$3"
		return 1
	fi
}

# test_path_is_file F, test_path_is_missing F (also from git's tests).
test_path_is_file() {
	test -f "$1" || { echo "file $1 does not exist"; return 1; }
}

test_path_is_missing() {
	test ! -e "$1" || { echo "path $1 exists"; ls -ld "$1"; return 1; }
}

# need_mnist: set MNIST to the folder of the four MNIST files, fetching
# them through scripts/fetch-mnist (cached) if need be.
need_mnist() {
	MNIST=$("$TOP/scripts/fetch-mnist" -q) && test -n "$MNIST"
}

# pause TENTHS CMD...: run CMD every tenth of a second until it succeeds,
# at most TENTHS times.
pause() {
	n=$1
	shift
	until "$@"; do
		n=$((n - 1))
		test $n -gt 0 || return 1
		sleep 0.1
	done
}

# start_xvfb: a virtual X server on a free display, DISPLAY set to it and
# its pid in xvfb, once it answers.  -noreset: Xvfb resets when its last
# client leaves, and refuses the next one while it does.  What runs in
# the background closes sharness's descriptors (3 to 6), which would
# otherwise keep prove waiting for it.
start_xvfb() {
	n=90
	while test -e /tmp/.X$n-lock || test -e /tmp/.X11-unix/X$n; do
		n=$((n + 1))
	done
	{ Xvfb :$n -noreset -screen 0 1280x1024x24 -nolisten tcp </dev/null \
		>xvfb.log 2>&1 3>&- 4>&- 5>&- 6>&- & }
	xvfb=$!
	DISPLAY=:$n
	export DISPLAY
	pause 100 eval "xdpyinfo >/dev/null 2>&1"
}
