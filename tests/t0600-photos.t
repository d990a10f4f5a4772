#!/bin/sh
test_description='real phone photos of handwritten digits read right'
cd "${0%/*}" && . ./lib.sh

PHOTOS=$TOP/../shared/photos
test -d "$PHOTOS" && test_set_prereq PHOTOS

test_expect_success PHOTOS 'each of the 14 photos gives its digit' '
	for f in "$PHOTOS"/*.jpg; do
		name=${f##*/} &&
		want=$(printf %s "$name" | cut -c 1) &&
		got=$(prep "$f" | segment | cnn-infer) &&
		echo "$name $want $got" >>results &&
		test "$got" = "$want" || { cat results; return 1; }
	done &&
	test_line_count = 14 results
'

test_expect_success PHOTOS 'several photos in one pipe: one line each' '
	prep "$PHOTOS"/0.jpg "$PHOTOS"/7.jpg "$PHOTOS"/4.jpg | segment |
		cnn-infer >actual &&
	printf "0\n7\n4\n" >expect &&
	test_cmp expect actual
'

test_expect_success PHOTOS 'the boxes are in the photo'"'"'s own pixels' '
	prep "$PHOTOS"/8.jpg | segment | cnn-infer -v >tsv &&
	test_line_count = 1 tsv &&
	awk -F "\t" "{ exit !(\$4 > 800 && \$4 + \$6 < 3233 && \$5 > 800 &&
		\$5 + \$7 < 3241 && \$7 > 300) }" tsv
'

test_expect_success PHOTOS 'the debug picture shows what segment did' '
	prep "$PHOTOS"/3.jpg | segment -d debug.ppm >/dev/null &&
	head -c 2 debug.ppm >actual &&
	printf P6 >expect &&
	test_cmp expect actual
'

test_done
