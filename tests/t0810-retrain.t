#!/bin/sh
test_description='digits-sample makes samples, digits-retrain promotes a model only if not worse'
cd "${0%/*}" && . ./lib.sh
PATH=$TOP/scripts:$PATH

# A tiny, quick training: 1000 MNIST images, one epoch, no validation.
TINY="-n 1000 -e 1 -T -V0"

# the built-in model's MNIST test accuracy, as a regular expression
test_expect_success 'MNIST is at hand' '
	need_mnist &&
	cnn-infer -e "$MNIST/t10k-images-idx3-ubyte" \
		"$MNIST/t10k-labels-idx1-ubyte" >eval &&
	sed -n "s/^accuracy \([0-9]*\)\.\([0-9]*\)% .*/\1\\\\.\2/p" eval >acc &&
	test_line_count = 1 acc
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 digits-sample -Z 2>err &&
	grep "^usage: digits-sample" err &&
	test_expect_code 2 digits-sample photo.jpg 2>err &&
	test_expect_code 2 digits-retrain -k x 2>err &&
	grep "^digits-retrain: -k: bad value" err &&
	test_expect_code 2 digits-retrain -t 1x 2>err &&
	test_expect_code 2 digits-retrain -H 1 2>err &&
	test_expect_code 2 digits-retrain extra 2>err &&
	grep "^usage: digits-retrain" err &&
	digits-retrain -h >out &&
	grep "^usage: digits-retrain \[-Ffv\] " out &&
	digits-sample -h >out &&
	grep "^usage: digits-sample \[-nv\] " out
'

test_expect_success 'digits-sample puts each digit of the photo in its folder' '
	digits-sample -s smp "$TOP/tests/data/sample.jpg" 5283 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	(cd smp && find . -type f | sed "s,-[0-9]*\.pgm$,," | sort) >actual &&
	cat >expect <<-\EOF &&
	./2/sample-0-1
	./3/sample-0-3
	./5/sample-0-0
	./8/sample-0-2
	EOF
	test_cmp expect actual &&
	for d in 2 3 5 8; do
		test "$(head -c 13 smp/$d/*.pgm)" = "$(printf "P5\n28 28\n255")" &&
		test "$(cat smp/$d/*.pgm | wc -c)" -eq 797 &&
		test "$(cnn-infer smp/$d/*.pgm)" = $d || return 1
	done
'

test_expect_success 'the same photo again adds nothing; -v lists what it writes' '
	find smp -type f | sort >before &&
	digits-sample -s smp "$TOP/tests/data/sample.jpg" 5283 &&
	find smp -type f | sort >after &&
	test_cmp before after &&
	digits-sample -v -s smp2 "$TOP/tests/data/sample.jpg" 5283 >out &&
	find smp2 -type f | sort >expect &&
	sort out >actual &&
	test_cmp expect actual
'

test_expect_success 'a wrong count of digits, or of lines, is refused' '
	test_expect_code 1 digits-sample -s smp "$TOP/tests/data/sample.jpg" 528 2>err &&
	grep "^digits-sample: .*sample.jpg: 4 digits found, 3 given (528)$" err &&
	test_expect_code 1 digits-sample -s smp "$TOP/tests/data/sample.jpg" 52830 2>err &&
	grep "4 digits found, 5 given" err &&
	test_expect_code 1 digits-sample -s smp "$TOP/tests/data/sample.jpg" "52 83" 2>err &&
	grep "lines of writing: found 4, given 2+2 (52 83)$" err &&
	test_expect_code 1 digits-sample -s smp "$TOP/tests/data/sample.jpg" 52a3 2>err &&
	grep "digits, .?. and spaces only" err &&
	test_expect_code 1 digits-sample -s smp missing.jpg 1 2>err &&
	grep "^digits-sample: missing.jpg: cannot read$" err &&
	echo junk >junk.jpg &&
	test_expect_code 1 digits-sample -s smp junk.jpg 1 2>err &&
	grep "^prep: junk.jpg: " err &&
	grep "^digits-sample: junk.jpg: prep | segment failed$" err &&
	find smp -type f | sort >after &&
	test_cmp before after
'

test_expect_success 'TSV rows on stdin: the good ones written, the bad ones named' '
	printf "%s\t%s\n" "# corrected" "" \
		"$TOP/tests/data/sample.jpg" "5?83" \
		"$TOP/tests/data/sample.jpg" "123" >rows &&
	echo "no tab here" >>rows &&
	test_expect_code 1 digits-sample -s smp3 <rows 2>err &&
	grep "sample.jpg: 4 digits found, 3 given (123)$" err &&
	grep "^digits-sample: line 4: want path<TAB>digits$" err &&
	test_line_count = 2 err &&
	(cd smp3 && ls) >actual &&
	printf "3\n5\n8\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'digits-batch rows: escaped paths, more fields, empty digits' '
	cp "$TOP/tests/data/sample.jpg" "we\\ird.jpg" &&
	printf "%s\t%s\t%s\t%s\t%s\n" \
		"we\\\\ird.jpg" "5283" "1.0000" "ok" "1763754000.000000000" \
		"empty.jpg" "" "" "ok" "1763754000.000000000" >rows &&
	cat rows &&
	digits-sample -s smp5 <rows 2>err &&
	test_must_be_empty err &&
	(cd smp5 && ls */*) | sed "s/-[0-9]*\.pgm$//" >actual &&
	printf "%s\n" 2/we_ird-0-1 3/we_ird-0-3 5/we_ird-0-0 8/we_ird-0-2 >expect &&
	test_cmp expect actual
'

test_expect_success 'a new label for a crop moves it' '
	cp -R smp smp4 &&
	digits-sample -s smp4 "$TOP/tests/data/sample.jpg" 5783 &&
	test -z "$(ls smp4/2)" &&
	test "$(ls smp4/7)" = "$(ls smp/2)"
'

test_expect_success 'pages of two lines: each line checked, then every digit' '
	for s in 1 2 3; do
		draw-digits -p 1000x700 -s $s "01234 56789" | pnmtojpeg >p$s.jpg ||
			return 1
	done &&
	test_expect_code 1 digits-sample -s M/samples p1.jpg "0123 456789" 2>err &&
	grep "p1.jpg: lines of writing: found 5+5, given 4+6 (0123 456789)$" err &&
	test_path_is_missing M/samples &&
	for s in 1 2 3; do
		printf "p%s.jpg\t01234 56789\n" $s || return 1
	done | digits-sample -s M/samples &&
	cp -R smp/* M/samples/ &&
	for d in 0 1 2 3 4 5 6 7 8 9; do
		echo $d $(ls M/samples/$d | sed "s/-[0-9]*\.pgm$//") || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	0 p1-0-0 p2-0-0 p3-0-0
	1 p1-0-1 p2-0-1 p3-0-1
	2 p1-0-2 p2-0-2 p3-0-2 sample-0-1
	3 p1-0-3 p2-0-3 p3-0-3 sample-0-3
	4 p1-0-4 p2-0-4 p3-0-4
	5 p1-1-0 p2-1-0 p3-1-0 sample-0-0
	6 p1-1-1 p2-1-1 p3-1-1
	7 p1-1-2 p2-1-2 p3-1-2
	8 p1-1-3 p2-1-3 p3-1-3 sample-0-2
	9 p1-1-4 p2-1-4 p3-1-4
	EOF
	test_cmp expect actual
'

test_expect_success 'the first run promotes over the built-in model, quietly' '
	DIGITPIPE_MODEL=/nonexistent/x.cnn digits-retrain -M M -d "$MNIST" \
		$TINY -H 2 -t 100 -u 100 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	test_path_is_file M/digits.cnn &&
	test "$(cnn-infer -m M/digits.cnn "$TOP/tests/data/sample.pgm")" = 5283 &&
	ls M >actual &&
	printf "digits.cnn\nretrain.log\nsamples\n" >expect &&
	test_cmp expect actual &&
	test_line_count = 1 M/retrain.log &&
	grep -E "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8} promoted: mnist $(cat acc)% -> [0-9.]+%, samples [0-9.]+% -> [0-9.]+% \([0-9]+ -> [0-9]+ of [1-9][0-9]*\), trained on [0-9]+ samples, 1 epoch, [0-9]+ s$" M/retrain.log
'

test_expect_success 'without samples: MNIST alone, nothing held back' '
	digits-retrain -M M3 -d "$MNIST" $TINY -t 100 &&
	test_path_is_file M3/digits.cnn &&
	grep " promoted: mnist $(cat acc)% -> [0-9.]*%, no samples held back, trained on 0 samples, 1 epoch, " M3/retrain.log
'

test_expect_success 'a candidate worse on MNIST is kept out: exit 3, the reason' '
	cp M/digits.cnn live.cnn &&
	test_expect_code 3 digits-retrain -M M -d "$MNIST" $TINY -H 2 \
		-t -101 -u 100 >out 2>err &&
	test_must_be_empty out &&
	grep "^digits-retrain: kept out, digits.cnn stays: MNIST test [0-9.]*% < [0-9.]*% - -101$" err &&
	test_line_count = 1 err &&
	cmp live.cnn M/digits.cnn &&
	ls M >actual &&
	test_cmp expect actual &&
	tail -n 1 M/retrain.log | grep " kept out: mnist .*; MNIST test "
'

test_expect_success 'nothing new since the last run: no training, exit 0' '
	mkdir M/.retrain.Ab3dE9 &&
	digits-retrain -M M -d "$MNIST" $TINY -H 2 -t -101 -u 100 >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	tail -n 1 M/retrain.log | grep " nothing new: " &&
	test_path_is_missing M/.retrain.Ab3dE9 &&
	test_path_is_file M/.retrain.state &&
	cmp live.cnn M/digits.cnn
'

test_expect_success 'a candidate worse on the held-back samples is kept out' '
	test_expect_code 3 digits-retrain -F -M M -d "$MNIST" $TINY -H 2 \
		-t 100 -u -101 2>err &&
	grep "^digits-retrain: kept out, digits.cnn stays: samples [0-9.]*% < [0-9.]*% - -101$" err &&
	cmp live.cnn M/digits.cnn
'

test_expect_success 'promotions keep the replaced models, the last -k of them' '
	for i in 1 2; do
		digits-retrain -F -k 1 -M M -d "$MNIST" $TINY -H 2 -t 100 -u 100 ||
			return 1
		cp M/digits.cnn live$i.cnn
	done &&
	ls M | grep "^digits-[0-9]\{8\}T[0-9]\{6\}\(_[0-9]*\)\{0,1\}\.cnn$" >actual &&
	test_line_count = 1 actual &&
	cmp live1.cnn M/$(cat actual) &&
	cmp live2.cnn M/digits.cnn &&
	! cmp live.cnn live1.cnn &&
	! cmp live1.cnn live2.cnn
'

test_expect_success 'a run holding the lock stops a second one, or makes it wait' '
	( exec 8>>M/.lock && flock 8 && exec sleep 30 ) </dev/null >/dev/null \
		2>&1 3>&- 4>&- 5>&- 6>&- &
	holder=$! &&
	pause 50 eval "! flock -n M/.lock true" &&
	{ digits-retrain -M M -d "$MNIST" $TINY -H 2 2>err; code=$?; } &&
	kill $holder && wait $holder;
	test $code = 1 &&
	echo "digits-retrain: M/.lock: another run holds it" >expect &&
	test_cmp expect err &&
	tail -n 1 M/retrain.log | grep " failed: M/.lock: another run holds it$" &&
	( exec 8>>M/.lock && flock 8 && exec sleep 1 ) </dev/null >/dev/null \
		2>&1 3>&- 4>&- 5>&- 6>&- &
	holder=$! &&
	pause 50 eval "! flock -n M/.lock true" &&
	digits-retrain -w 20 -v -M M -d "$MNIST" -k 2 $TINY -H 2 -t 100 -u 100 \
		2>err &&
	wait $holder &&
	grep "nothing new since the last run" err
'

test_expect_success 'errors say why, are logged, and leave the live model' '
	test_expect_code 1 digits-retrain -F -M M -d nowhere 2>err &&
	echo "digits-retrain: nowhere: no train-images-idx3-ubyte (scripts/fetch-mnist, or -d)" >expect &&
	test_cmp expect err &&
	test_expect_code 1 digits-retrain -F -M M -d "$MNIST" -T "-b 0" 2>err &&
	grep "^digits-retrain: cnn-train failed: cnn-train: -b: bad value" err &&
	cmp live2.cnn M/digits.cnn &&
	tail -n 2 M/retrain.log | cut -d " " -f 2- >actual &&
	{ echo "failed: nowhere: no train-images-idx3-ubyte (scripts/fetch-mnist, or -d)" &&
	  sed -n "s/^digits-retrain: /failed: /p" err; } >expect &&
	test_cmp expect actual &&
	mkdir M2 &&
	echo junk >M2/digits.cnn &&
	test_expect_code 1 digits-retrain -M M2 -d "$MNIST" $TINY 2>err &&
	grep "^digits-retrain: cnn-infer -e: cnn-infer: M2/digits.cnn: " err &&
	test_line_count = 1 err &&
	grep " failed: cnn-infer -e: " M2/retrain.log &&
	ls -a M M2 | grep "^\.retrain\.[^s]" >leftovers;
	test_must_be_empty leftovers
'

test_expect_success 'the log has a line per run' '
	cut -d " " -f 2-3 M/retrain.log | sed "s/:.*//" >actual &&
	cat >expect <<-\EOF &&
	promoted
	kept out
	nothing new
	kept out
	promoted (was
	promoted (was
	failed
	nothing new
	failed
	failed
	EOF
	test_cmp expect actual
'

test_done
