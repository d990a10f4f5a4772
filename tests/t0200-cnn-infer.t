#!/bin/sh
test_description='cnn-infer classifies digit streams with the built-in model'
cd "${0%/*}" && . ./lib.sh

# A marker image: source 1 of a stream had no digits.
marker() {
	printf 'P5\n# img=%s\n# count=0\n1 1\n255\n\0' "$1"
}

test_expect_success 'usage errors exit 2; -h is not an error' '
	cnn-infer -h >out &&
	grep "^usage: cnn-infer" out &&
	test_expect_code 2 cnn-infer -Z </dev/null 2>err &&
	grep "^usage: cnn-infer" err &&
	test_expect_code 2 cnn-infer -f xml </dev/null 2>err &&
	grep "^cnn-infer: -f: want plain, tsv or json" err &&
	test_expect_code 2 cnn-infer -k 0 </dev/null 2>err &&
	grep "^cnn-infer: -k: bad value" err &&
	test_expect_code 2 cnn-infer -t 2 </dev/null &&
	test_expect_code 2 cnn-infer -e onlyone 2>err &&
	grep "^usage:" err &&
	test_expect_code 2 cnn-infer -w grid.pgm </dev/null
'

test_expect_success 'an empty stream is no image and no output' '
	cnn-infer </dev/null >actual &&
	test_must_be_empty actual
'

test_expect_success 'drawn digits of one source make one line' '
	draw-digits 5283 >digits.pgm &&
	echo 5283 >expect &&
	cnn-infer digits.pgm >actual &&
	test_cmp expect actual &&
	cnn-infer <digits.pgm >actual &&
	test_cmp expect actual
'

test_expect_success 'all ten digits, several sources and lines of writing' '
	draw-digits -s 3 0123456789 "12 345" 6 >many.pgm &&
	cat >expect <<-\EOF &&
	0123456789
	12 345
	6
	EOF
	cnn-infer many.pgm >actual &&
	test_cmp expect actual
'

test_expect_success 'a source without digits still gets its line' '
	draw-digits 12 >a.pgm &&
	draw-digits -s 2 7 >b.pgm &&
	{ cat a.pgm && marker 1 && sed "s/^# img=0/# img=2/" b.pgm; } >s.pgm &&
	printf "12\n\n7\n" >expect &&
	cnn-infer s.pgm >actual &&
	test_cmp expect actual
'

test_expect_success 'several files and - read in order' '
	printf "12\n7\n12\n" >expect &&
	cnn-infer a.pgm - a.pgm <b.pgm >actual &&
	test_cmp expect actual
'

test_expect_success 'TSV: one row per digit, with box, confidence, runner-up' '
	cnn-infer -v digits.pgm >tsv &&
	test_line_count = 4 tsv &&
	awk -F "\t" "NF != 11 || \$1 != 0 || \$2 != 0 || \$3 != NR - 1 ||
		\$9 < 0.5 || \$9 > 1 || \$11 > \$9 { exit 1 }" tsv &&
	cut -f 8 tsv | tr -d "\n" >actual &&
	echo 5283 >expect &&
	echo >>actual &&
	test_cmp expect actual &&
	cut -f 4-7 tsv >actual &&
	printf "0\t0\t90\t110\n100\t0\t90\t110\n" >expect &&
	printf "200\t0\t90\t110\n300\t0\t90\t110\n" >>expect &&
	test_cmp expect actual &&
	cnn-infer -f tsv -k 4 digits.pgm | awk -F "\t" "NF != 15 { exit 1 }"
'

test_expect_success 'JSON: one object per source' '
	cnn-infer -f json -k 3 many.pgm >json &&
	test_line_count = 3 json &&
	head -n 1 json | grep "^{\"image\":0,\"text\":\"0123456789\",\"digits\":\[" &&
	sed -n 2p json | grep "\"text\":\"12 345\"" &&
	grep -o "\"digit\":\"5\",\"confidence\"" json >actual &&
	test_line_count = 2 actual
'

test_expect_success 'a digit below the threshold prints as ?' '
	cnn-infer -t 1 -v digits.pgm >tsv &&
	awk -F "\t" "\$9 < 1 && \$8 != \"?\" { exit 1 }" tsv &&
	cnn-infer -t 0.99 -v digits.pgm >tsv &&
	awk -F "\t" "(\$9 < 0.99) != (\$8 == \"?\") { exit 1 }" tsv &&
	cnn-infer -t 0 digits.pgm >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

test_expect_success 'a large digit, dark on light, is normalised first' '
	draw-digits 3 | pamscale 6 | pnminvert >big.pgm &&
	echo 3 >expect &&
	cnn-infer big.pgm >actual &&
	test_cmp expect actual &&
	pgmtoppm red big.pgm >big.ppm &&
	cnn-infer big.ppm >actual &&
	test_cmp expect actual
'

test_expect_success 'a blank image prints as ?' '
	printf "P5\n28 28\n255\n" >blank.pgm &&
	head -c 784 /dev/zero >>blank.pgm &&
	printf "P2\n3 2\n255\n200 200 200\n200 200 200\n" >flat.pgm &&
	printf "?\n?\n" >expect &&
	cnn-infer -t 0 blank.pgm flat.pgm >actual &&
	test_cmp expect actual
'

test_expect_success 'bad input: a clear message and exit 1' '
	head -c 50 digits.pgm >trunc.pgm &&
	test_expect_code 1 cnn-infer trunc.pgm 2>err &&
	grep "^cnn-infer: trunc.pgm: truncated" err &&
	printf "hello world" >junk &&
	test_expect_code 1 cnn-infer junk 2>err &&
	grep "^cnn-infer: junk: " err &&
	test_expect_code 1 cnn-infer nosuch 2>err &&
	grep "^cnn-infer: nosuch: No such file" err &&
	test_expect_code 1 cnn-infer -p 100 digits.pgm 2>err &&
	grep "^cnn-infer: digits.pgm: .* exceeds the limit of 100 pixels (-p raises it)$" err &&
	test_expect_code 1 cnn-infer -m nosuch.cnn digits.pgm 2>err &&
	grep "^cnn-infer: nosuch.cnn: No such file" err &&
	test_expect_code 1 cnn-infer -m . digits.pgm 2>err &&
	grep "^cnn-infer: .: is a directory" err
'

test_expect_success 'a model file: -m, and corruption refused' '
	cp "$TOP/model/digits.cnn" m.cnn &&
	cnn-infer -m m.cnn digits.pgm >actual &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	size=$(wc -c <m.cnn) &&
	head -c $((size - 1)) m.cnn >short.cnn &&
	test_expect_code 1 cnn-infer -m short.cnn digits.pgm 2>err &&
	grep "^cnn-infer: short.cnn: truncated" err &&
	{ head -c $((size - 100)) m.cnn && printf x &&
		tail -c 99 m.cnn; } >flip.cnn &&
	test_expect_code 1 cnn-infer -m flip.cnn digits.pgm 2>err &&
	grep "^cnn-infer: flip.cnn: checksum mismatch" err &&
	sed "1s/digitcnn 1/digitcnn 9/" m.cnn >v9.cnn &&
	test_expect_code 1 cnn-infer -m v9.cnn digits.pgm 2>err &&
	grep "version 9; this program reads version 1" err
'

test_expect_success 'output to a full disk is an error' '
	test_expect_code 1 cnn-infer digits.pgm >/dev/full 2>err &&
	grep "^cnn-infer: stdout" err
'

test_done
