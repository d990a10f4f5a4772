#!/bin/sh
test_description='every program has a man page, and they lint clean'
cd "${0%/*}" && . ./lib.sh

test_expect_success 'a page beside every program and script' '
	for f in "$TOP"/cmd/*.c "$TOP"/scripts/*; do
		p=${f##*/} && p=${p%.c} &&
		test_path_is_file "$TOP/man/$p.1" || return 1
	done &&
	test_path_is_file "$TOP/man/digitcnn.5"
'

test_expect_success 'mandoc -Tlint finds no warning' '
	mandoc -Tlint -Wwarning "$TOP"/man/*.[15] >out 2>&1 &&
	test_must_be_empty out
'

test_expect_success 'every option of the usage lines is in the man pages' '
	for p in cnn-infer cnn-train digits-batch digits-plot digits-retrain \
	    digits-sample digits-web draw grab prep segment show; do
		x=$TOP/cmd/$p &&
		{ test -x "$x" || x=$TOP/scripts/$p; } &&
		"$x" -h >usage &&
		grep -o "\[-[A-Za-z]*" usage | tr -d "[-" | fold -w 1 |
			sort -u >opts &&
		for o in $(cat opts); do
			grep -q "^\.It Fl $o\b" "$TOP/man/$p.1" ||
			{ echo "$p: -$o undocumented"; return 1; }
		done || return 1
	done
'

test_done
