#!/bin/sh
test_description='label-crops: the pipeline'"'"'s crops labelled by the truth of their page'
cd "${0%/*}" && . ./lib.sh

# crop IDX BOX [blank]: a 28x28 digit of page-0000.jpg at BOX, as segment
# writes it; the raster is a drawn 5, or black with "blank"
crop() {
	printf "P5\n# src=pages/page-0000.jpg\n# line=0\n# idx=%d\n# box=%s\n28 28\n255\n" \
		"$1" "$2" &&
	if test "$3" = blank
	then
		head -c 784 /dev/zero
	else
		tail -c 784 five.pgm
	fi
}

test_expect_success 'setup: two digits on a page, and crops of it' '
	draw-digits 5 >five.pgm &&
	printf "page-0000.jpg\t0\t0\t5\t100\t100\t50\t80\n" >boxes.tsv &&
	printf "page-0000.jpg\t0\t1\t2\t160\t100\t50\t80\n" >>boxes.tsv &&
	{
		crop 0 "98 98 54 84" &&         # the 5, a little loose
		crop 1 "100 100 110 80" &&      # the 5 and the 2 run together
		crop 2 "400 400 30 30" &&       # dirt far from both
		crop 3 "100 100 50 40" &&       # the top half of the 5
		crop 4 "160 100 50 80" blank && # no ink
		crop 5 "158 102 50 78" &&       # the 2
		crop 6 "400 300 8 60" &&        # a bar far from both
		crop 7 "145 100 65 80"          # the 2, and a little of the 5
	} >crops.pgm
'

test_expect_success 'a digit, not a digit, or left out' '
	label-crops -b boxes.tsv -o out -p s1- crops.pgm 2>err &&
	cat >expect <<-\EOT &&
	s1-page-0000-000.pgm 5
	s1-page-0000-001.pgm 10
	s1-page-0000-002.pgm 10
	s1-page-0000-005.pgm 2
	s1-page-0000-007.pgm 2
	EOT
	test_cmp expect out/labels.txt &&
	echo "label-crops: 0:0 1:0 2:2 3:0 4:0 5:1 6:0 7:0 8:0 9:0 10:2, left out 3" >expect &&
	test_cmp expect err &&
	tail -c 784 out/s1-page-0000-005.pgm >actual &&
	tail -c 784 five.pgm >expect &&
	test_cmp expect actual &&
	cnn-infer out/s1-page-0000-000.pgm >actual &&
	echo 5 >expect &&
	test_cmp expect actual
'

test_expect_success 'labels.txt grows: cnn-train reads the folder' '
	label-crops -b boxes.tsv -o out -p s2- <crops.pgm 2>/dev/null &&
	test_line_count = 10 out/labels.txt &&
	grep -c "^s2-" out/labels.txt >actual &&
	echo 5 >expect &&
	test_cmp expect actual
'

test_expect_success 'bad input: a clear message, non-zero exit' '
	test_expect_code 2 label-crops -o out crops.pgm 2>err &&
	grep "^usage: label-crops" err &&
	test_expect_code 2 label-crops -b boxes.tsv -o out -p a/b crops.pgm 2>err &&
	grep "prefix without" err &&
	printf "page-0000.jpg\t0\t0\t11\t1\t1\t1\t1\n" >bad.tsv &&
	test_expect_code 1 label-crops -b bad.tsv -o out crops.pgm 2>err &&
	grep "^label-crops: bad.tsv:1: want" err &&
	test_expect_code 1 label-crops -b boxes.tsv -o out five.pgm 2>err &&
	grep "not a digit of segment" err &&
	head -c 100 crops.pgm >cut.pgm &&
	test_expect_code 1 label-crops -b boxes.tsv -o out cut.pgm 2>err &&
	grep "^label-crops: cut.pgm: " err
'

test_done
