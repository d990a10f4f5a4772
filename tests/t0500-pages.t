#!/bin/sh
test_description='synthetic photos and scans of numbers: made, then read'
cd "${0%/*}" && . ./lib.sh

command -v prep >/dev/null && command -v segment >/dev/null &&
	test_set_prereq PIPELINE

# pamfile $2 (-size: "width height") of image file $1, JPEG, PNG or PNM.
size() {
	case $1 in
	*.jpg) jpegtopnm "$1" ;;
	*.png) pngtopnm "$1" ;;
	*) cat "$1" ;;
	esac 2>/dev/null | pamfile "${2:--size}"
}

# reads_page SEED PAGE TEXT: validation page PAGE of mkpage -v -s SEED
# holds TEXT, and the pipeline reads it so.
reads_page() {
	mkpage -v -s "$1" -i "$2" -n 1 -f mix -d "$MNIST" -o "p$1-$2" &&
	cut -f 2 "p$1-$2/truth.tsv" >expect &&
	echo "$3" >expect-text &&
	test_cmp expect-text expect &&
	prep "p$1-$2"/page-* | segment | cnn-infer >actual &&
	test_cmp expect actual
}

test_expect_success 'MNIST is at hand' '
	need_mnist
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mkpage 2>err &&
	grep "^usage: mkpage" err &&
	test_expect_code 2 mkpage -f gif -o x 2>err &&
	grep "^mkpage: -f: want jpg, png, pnm or mix" err &&
	test_expect_code 2 mkpage -n many -o x 2>err &&
	grep "^mkpage: -n: bad value" err &&
	test_expect_code 2 mkpage -i -1 -o x 2>err &&
	grep "^mkpage: -i: bad value" err &&
	test_expect_code 2 mkpage -o x extra 2>err &&
	test_expect_code 2 eval-pages 2>err &&
	grep "^usage: eval-pages" err &&
	test_expect_code 2 eval-pages -Z x 2>err &&
	test_expect_code 1 eval-pages nosuch 2>err &&
	grep "^eval-pages: nosuch/truth.tsv" err
'

test_expect_success 'no MNIST: a clear message and exit 1' '
	test_expect_code 1 mkpage -d nosuch -o none 2>err &&
	grep "^mkpage: nosuch/t10k-images-idx3-ubyte" err
'

test_expect_success '200 pages, a row of truth each' '
	start=$(date +%s) &&
	mkpage -s 1 -n 200 -f mix -d "$MNIST" -o pages &&
	echo $(($(date +%s) - start)) >seconds &&
	test_line_count = 200 pages/truth.tsv &&
	ls pages | grep -Ec "^page-0[01][0-9]{2}\.(jpg|png|pnm)$" >actual &&
	echo 200 >expect &&
	test_cmp expect actual &&
	awk -F "\t" "NF != 2 || \$1 != sprintf(\"page-%04d.\", NR - 1) \
		substr(\$1, 11) || \$2 !~ /^[0-9]+( [0-9]+)?( [0-9]+)?$/ ||
		length(\$2) > 32 { exit 1 }" pages/truth.tsv
'
test -f seconds && echo "# mkpage: 200 pages in $(cat seconds) s" >&2

test_expect_success 'the mix holds every format, grey and colour' '
	for e in jpg png pnm; do
		grep -q "\.$e	" pages/truth.tsv || return 1
	done &&
	for f in pages/page-*; do
		size "$f" -machine || return 1
	done >kinds &&
	grep -q "^stdin: PGM RAW" kinds &&
	grep -q "^stdin: PPM RAW" kinds
'

test_expect_success 'the same seed gives the same files, byte for byte, from any first page' '
	mkpage -s 1 -n 20 -f mix -d "$MNIST" -o again &&
	head -n 20 pages/truth.tsv >expect &&
	test_cmp expect again/truth.tsv &&
	for f in again/page-*; do
		cmp "$f" "pages/${f#again/}" || return 1
	done &&
	OMP_NUM_THREADS=1 mkpage -s 1 -n 6 -f mix -d "$MNIST" -o one &&
	for f in one/page-*; do
		cmp "$f" "pages/${f#one/}" || return 1
	done &&
	mkpage -s 2 -n 6 -f mix -d "$MNIST" -o other &&
	! cmp -s other/truth.tsv one/truth.tsv &&
	mkpage -s 1 -i 17 -n 3 -f mix -d "$MNIST" -o from &&
	sed -n "18,20p" pages/truth.tsv >expect &&
	test_cmp expect from/truth.tsv &&
	for f in from/page-*; do
		cmp "$f" "pages/${f#from/}" || return 1
	done
'

test_expect_success 'sizes from 300x150 to 4000x3000' '
	for f in pages/page-*; do
		size "$f" || return 1
	done >sizes &&
	test_line_count = 200 sizes &&
	awk "\$1 < 300 || \$1 > 4000 || \$2 < 150 || \$2 > 3000 { exit 1 }
		\$1 * \$2 > 6000000 { big++ } \$1 * \$2 < 200000 { small++ }
		\$1 < \$2 { tall++ }
		END { exit !(big && small && tall) }" sizes
'

test_expect_success 'one format at a time: -f png writes PNG' '
	mkpage -s 3 -n 2 -f png -d "$MNIST" -o png &&
	cut -f 1 png/truth.tsv >actual &&
	printf "page-0000.png\npage-0001.png\n" >expect &&
	test_cmp expect actual &&
	pngtopnm png/page-0001.png >/dev/null
'

test_expect_success 'pages to train on: -t takes training digits, not test ones' '
	mkpage -s 3 -n 2 -f png -d "$MNIST" -t 55000 -o train &&
	test_line_count = 2 train/truth.tsv &&
	! cmp -s png/truth.tsv train/truth.tsv &&
	! cmp -s png/page-0000.png train/page-0000.png &&
	test_expect_code 1 mkpage -n 1 -d "$MNIST" -t 60001 -o x 2>err &&
	grep "^mkpage: .*train-images-idx3-ubyte: -t 60001, but it holds 60000" err &&
	test_expect_code 2 mkpage -n 1 -d "$MNIST" -t 0 -o x 2>err &&
	grep "^mkpage: -t: bad value" err
'

test_expect_success 'pages to choose settings by: -v takes the validation digits' '
	mkpage -s 3 -n 2 -f png -d "$MNIST" -v -o valid &&
	test_line_count = 2 valid/truth.tsv &&
	! cmp -s png/truth.tsv valid/truth.tsv &&
	! cmp -s train/truth.tsv valid/truth.tsv &&
	mkpage -s 3 -n 2 -f png -d "$MNIST" -v -o valid2 &&
	cmp valid/page-0001.png valid2/page-0001.png &&
	test_expect_code 2 mkpage -n 1 -d "$MNIST" -v -t 5 -o x 2>err &&
	grep "^mkpage: -t and -v: choose one" err
'

test_expect_success PIPELINE 'the pipeline reads the pages: no worse than now' '
	eval-pages -v pages >summary &&
	cat summary &&
	test_line_count = 200 pages/results.tsv &&
	sed -n "s/^pages 200 exact \([0-9]*\) .*/\1/p" summary >exact &&
	sed -n "s/^digits \([0-9]*\) right \([0-9]*\) .*/\1 \2/p" summary >digits &&
	test_line_count = 1 exact &&
	test_line_count = 1 digits &&
	awk "{ exit !(\$1 >= 170) }" exact &&
	awk "{ exit !(\$2 >= 0.97 * \$1) }" digits
'

# Small pictures of thin writing (a 300x200 photo of a sheet on a desk,
# squared paper): Sauvola's R of 128 left the strokes' soft edges out,
# and the net read 79972 as 7497?.
test_expect_success PIPELINE 'thin strokes in small pictures are found whole' '
	for p in 0050 0073 0092; do
		grep "^page-$p\." pages/truth.tsv | cut -f 2 || return 1
	done >expect &&
	for p in 0050 0073 0092; do
		prep pages/page-$p.* | segment | cnn-infer || return 1
	done >actual &&
	test_cmp expect actual
'

# Bold digits on a clean ruled sheet, a small picture (318x266): they
# fill most of the polarity's windows, the paper between their strokes
# stood out light from the windows' median, and the sheet was taken for
# light ink on dark: nothing read.  Two tones, the digits a small
# minority of strokes: the minority is the ink.
test_expect_success PIPELINE 'bold digits in a small clean scan are dark ink' '
	mkpage -v -s 11 -i 76 -n 1 -f mix -d "$MNIST" -o bold &&
	grep "^page-0076\." bold/truth.tsv | cut -f 2 >expect &&
	prep bold/page-0076.* >bold.pgm &&
	grep -a -m 1 "^# ink=" bold.pgm >ink &&
	echo "# ink=dark" >expect-ink &&
	test_cmp expect-ink ink &&
	segment bold.pgm | cnn-infer >actual &&
	test_cmp expect actual
'

# A scrap of a squared sheet's line under the 4 of "4040", thickened
# where the pen crossed it: under half the digits' height, on a line of
# its own, it read as "4040 1".
test_expect_success PIPELINE 'a scrap of a ruled line alone on a line is no 1' '
	reads_page 11 153 4040
'

# A thin 1 touching the 9 beside it ("192" on a ruled sheet): the two
# read as not a digit whole, and the 1, a stroke wide, was narrower than
# any piece an ordinary cut may make: the pair was dropped, "2" read.
test_expect_success PIPELINE 'a thin 1 leaning on its neighbour is cut off' '
	reads_page 12 74 192
'

# A thin 1 against the 2 before it ("7210 1553"): a cut into pieces of
# ordinary width gave the 1 a piece of the 2, and it read as a 4.
test_expect_success PIPELINE 'a thin 1 is cut off without its neighbour'"'"'s ink' '
	reads_page 13 188 "7210 1553"
'

# The foot of the 4 of "924" touches the 2 before it and overlaps its
# columns: the 2 with it read as no digit; cut anew, the two read 2 and 4.
test_expect_success PIPELINE 'overlapping neighbours share their ink anew' '
	reads_page 11 36 924
'

# Two lines of ten small digits (19 to 26 pixels high) in a dim, grainy
# 300x284 photo of a ruled sheet: thresholded at that size, the thin
# strokes of the second line broke into pieces read as no digit, and
# "1826" was all of it.  prep doubles a picture of at most half its
# working size first.
test_expect_success PIPELINE 'small writing in a small picture is read whole' '
	reads_page 11 122 "4034046535 3218216486"
'

# A 1 leaning against the 5 before it ("51"), the two touching along
# their slant: no upright seam passes between them, the two read as no
# digit whole and were dropped; a slanted seam parts them.
test_expect_success PIPELINE 'digits touching along their slant are cut along it' '
	reads_page 13 15 51
'

# The goal of the project; not reached yet (see README, "How well"): a
# known breakage, which prove reports as TODO, and as a surprise when it
# starts to pass.
test_expect_failure PIPELINE 'the pipeline reads 95% of the pages, 99% of digits' '
	awk "{ exit !(\$1 >= 190) }" exact &&
	awk "{ exit !(\$2 >= 0.99 * \$1) }" digits
'

test_done
