#!/bin/sh
test_description='make install and uninstall, with PREFIX and DESTDIR'
cd "${0%/*}" && . ./lib.sh

# What make install must put in place, relative to the prefix.
cat >expect.files <<'EOF_FILES'
bin/cnn-infer
bin/cnn-train
bin/digits-batch
bin/digits-plot
bin/digits-retrain
bin/digits-sample
bin/digits-web
bin/draw
bin/fetch-mnist
bin/grab
bin/prep
bin/segment
bin/show
share/digitpipe/digits.cnn
share/man/man1/cnn-infer.1
share/man/man1/cnn-train.1
share/man/man1/digits-batch.1
share/man/man1/digits-plot.1
share/man/man1/digits-retrain.1
share/man/man1/digits-sample.1
share/man/man1/digits-web.1
share/man/man1/draw.1
share/man/man1/fetch-mnist.1
share/man/man1/grab.1
share/man/man1/prep.1
share/man/man1/segment.1
share/man/man1/show.1
share/man/man5/digitcnn.5
EOF_FILES

test_expect_success 'install puts programs, scripts, pages and the model in place' '
	make -s -C "$TOP" install DESTDIR="$PWD/root" PREFIX=/opt/dp >out &&
	(cd root/opt/dp && find . -type f | sed "s|^\./||" | sort) >actual &&
	test_cmp expect.files actual &&
	for f in $(grep ^bin/ expect.files); do
		test -x "root/opt/dp/$f" || return 1
	done &&
	cmp "$TOP/model/digits.cnn" root/opt/dp/share/digitpipe/digits.cnn
'

test_expect_success 'every installed page reads with man -l' '
	for f in root/opt/dp/share/man/man[15]/*; do
		MANWIDTH=80 man -l "$f" >page 2>err &&
		test_must_be_empty err &&
		grep -q "^SYNOPSIS" page &&
		grep -q "^DESCRIPTION" page || { echo "$f"; return 1; }
	done
'

# The installed pipeline, run from elsewhere with only the installed
# folder on PATH (and the system's for sh, awk and the like).
test_expect_success 'the installed pipeline reads the sample photo' '
	(cd / && PATH="$SHARNESS_TRASH_DIRECTORY/root/opt/dp/bin:/usr/bin:/bin" &&
	 unset DIGITPIPE_MODEL &&
	 prep "$TOP/tests/data/sample.jpg" | segment | cnn-infer) >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

test_expect_success 'the installed programs use the installed model' '
	bin=root/opt/dp/bin model=root/opt/dp/share/digitpipe/digits.cnn &&
	cp "$model" good.cnn &&
	printf "not a model" >"$model" &&
	test_expect_code 1 env -u DIGITPIPE_MODEL "$bin/cnn-infer" \
		"$TOP/tests/data/sample.pgm" 2>err &&
	grep "^cnn-infer: .*/root/opt/dp/share/digitpipe/digits.cnn: not a digitcnn" err &&
	test_expect_code 1 env -u DIGITPIPE_MODEL "$bin/segment" \
		</dev/null 2>err &&
	grep "^segment: .*share/digitpipe/digits.cnn: " err &&
	DIGITPIPE_MODEL="$PWD/good.cnn" "$bin/cnn-infer" \
		"$TOP/tests/data/sample.pgm" >actual &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	cp good.cnn "$model" &&
	env -u DIGITPIPE_MODEL "$bin/cnn-infer" "$TOP/tests/data/sample.pgm" >actual &&
	test_cmp expect actual
'

test_expect_success 'programs of the source tree use the built-in model, or DIGITPIPE_MODEL' '
	env -u DIGITPIPE_MODEL cnn-infer "$TOP/tests/data/sample.pgm" >actual &&
	test_cmp expect actual &&
	test_expect_code 1 env DIGITPIPE_MODEL="$PWD/nosuch.cnn" cnn-infer \
		"$TOP/tests/data/sample.pgm" 2>err &&
	grep "^cnn-infer: .*nosuch.cnn: No such file or directory" err
'

test_expect_success 'uninstall takes it all away' '
	make -s -C "$TOP" uninstall DESTDIR="$PWD/root" PREFIX=/opt/dp &&
	find root -type f >actual &&
	test_must_be_empty actual &&
	test_path_is_missing root/opt/dp/share/digitpipe
'

test_done
