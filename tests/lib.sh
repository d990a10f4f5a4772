# lib.sh: sourced by every tests/tNNNN-*.t, from inside tests/
#
# Puts cmd/ on PATH (SHARNESS_BUILD_DIRECTORY), exports TOP, the absolute
# top of the source tree, and loads sharness, which moves into the test's
# trash directory.

SHARNESS_TEST_DIRECTORY=$(pwd)
SHARNESS_TEST_SRCDIR=$SHARNESS_TEST_DIRECTORY
TOP=$(cd .. && pwd)
SHARNESS_BUILD_DIRECTORY=$TOP/cmd
export SHARNESS_TEST_DIRECTORY SHARNESS_TEST_SRCDIR SHARNESS_BUILD_DIRECTORY
export TOP

. /usr/share/sharness/sharness.sh
