#!/bin/sh
test_description='the built-in model on the whole MNIST test set'
cd "${0%/*}" && . ./lib.sh


test_expect_success 'MNIST is at hand' '
	need_mnist
'

test_expect_success 'it reaches 99.5% on the 10000 test digits' '
	IMG=$MNIST/t10k-images-idx3-ubyte &&
	LAB=$MNIST/t10k-labels-idx1-ubyte &&
	cnn-infer -e "$IMG" "$LAB" -w wrong.pgm >eval &&
	sed -n "s/^accuracy \([0-9.]*\)% (\([0-9]*\)\/10000)$/\1 \2/p" eval >acc &&
	test_line_count = 1 acc &&
	awk "{ exit !(\$1 >= 99.5) }" acc
'

test_expect_success 'the report: classes, a confusion matrix that adds up' '
	sed -n "/^class/,/^$/p" eval | grep -c "^[0-9]	" >actual &&
	echo 10 >expect &&
	test_cmp expect actual &&
	sed -n "/^confusion/,/^$/p" eval | awk -F "\t" "
		/^[0-9]\t/ { for (i = 2; i <= NF; i++) s += \$i; d += \$(\$1 + 2) }
		END { exit !(s == 10000) }" &&
	grep "^speed [0-9]* images/s" eval
'

test_expect_success 'the picture of the mistakes holds each of them' '
	right=$(cut -d" " -f2 acc) &&
	sed -n 2p wrong.pgm >actual &&
	echo "# wrong=$((10000 - right))" >expect &&
	test_cmp expect actual
'

test_expect_success 'files that do not belong together are refused' '
	test_expect_code 1 cnn-infer -e "$MNIST/train-images-idx3-ubyte" "$LAB" \
		2>err &&
	grep "images has 60000 items, labels 10000" err &&
	test_expect_code 1 cnn-infer -e "$LAB" "$LAB" 2>err &&
	grep "not an IDX image file" err
'

test_expect_success 'the sample digits are what draw-digits makes' '
	draw-digits 5283 >sample.pgm &&
	test_cmp "$TOP/tests/data/sample.pgm" sample.pgm &&
	echo 5283 >expect &&
	cnn-infer sample.pgm >actual &&
	test_cmp expect actual
'

test_done
