#!/bin/sh
test_description='make install and uninstall, with PREFIX and DESTDIR'
cd "${0%/*}" && . ./lib.sh

test_expect_success 'install puts programs, pages and the model in place' '
	make -s -C "$TOP" install DESTDIR="$PWD/root" PREFIX=/opt/dp >out &&
	test_path_is_file root/opt/dp/bin/cnn-infer &&
	test_path_is_file root/opt/dp/bin/cnn-train &&
	test_path_is_file root/opt/dp/bin/grab &&
	test_path_is_file root/opt/dp/bin/show &&
	test_path_is_file root/opt/dp/bin/draw &&
	test_path_is_file root/opt/dp/bin/digits-web &&
	test_path_is_file root/opt/dp/share/man/man1/grab.1 &&
	test_path_is_file root/opt/dp/share/man/man1/cnn-infer.1 &&
	test_path_is_file root/opt/dp/share/man/man1/cnn-train.1 &&
	test_path_is_file root/opt/dp/share/man/man5/digitcnn.5 &&
	test_path_is_file root/opt/dp/share/digitpipe/digits.cnn
'

test_expect_success 'the installed cnn-infer works on its own' '
	(cd / && "$SHARNESS_TRASH_DIRECTORY/root/opt/dp/bin/cnn-infer" \
		"$TOP/tests/data/sample.pgm") >actual &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	root/opt/dp/bin/cnn-infer -m root/opt/dp/share/digitpipe/digits.cnn \
		"$TOP/tests/data/sample.pgm" >actual &&
	test_cmp expect actual &&
	mandoc -Tmarkdown root/opt/dp/share/man/man1/cnn-infer.1 | grep -q SYNOPSIS
'

test_expect_success 'uninstall takes it all away' '
	make -s -C "$TOP" uninstall DESTDIR="$PWD/root" PREFIX=/opt/dp &&
	find root -type f >actual &&
	test_must_be_empty actual
'

test_done
