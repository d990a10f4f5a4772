#!/bin/sh
test_description='valgrind: the whole pipeline on photos, no leak and no invalid access'
cd "${0%/*}" && . ./lib.sh

# valgrind cannot run what AddressSanitizer built (make check SANITIZE=1),
# which checks the same things its own way.
if ! command -v valgrind >/dev/null; then
	skip_all='valgrind is not installed (scripts/deps test installs it)'
	test_done
fi
if ldd "$TOP/cmd/prep" | grep -q libasan; then
	skip_all='the programs are built with AddressSanitizer'
	test_done
fi

# Any error, a leak definitely or indirectly lost included, makes the
# program exit 99.  Memory still reachable at exit (the OpenMP runtime's
# threads) is not a leak.
vg() {
	valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect "$@"
}

test_expect_success 'the sample photo, each program under valgrind' '
	vg prep "$TOP/tests/data/sample.jpg" >grey.pgm 2>err.prep &&
	vg segment grey.pgm >digits.pgm 2>err.segment &&
	vg cnn-infer digits.pgm >actual 2>err.infer &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	cat err.prep err.segment err.infer >errors &&
	test_must_be_empty errors
'

PHOTOS=$TOP/../shared/photos
test -d "$PHOTOS" && test_set_prereq PHOTOS

test_expect_success PHOTOS 'a multi-image stream and a real phone photo of one digit' '
	photo="$PHOTOS/7.jpg" &&
	vg prep "$TOP/tests/data/sample.jpg" "$photo" "$TOP/tests/data/sample.jpg" \
		2>errors | vg segment 2>>errors | vg cnn-infer >actual 2>>errors &&
	printf "5283\n7\n5283\n" >expect &&
	test_cmp expect actual &&
	test_must_be_empty errors
'

test_expect_success 'bad input: errors are reported, nothing leaks' '
	printf "P5\n4 4\n255\nab" >short.pgm &&
	test_expect_code 1 vg prep short.pgm >/dev/null 2>err &&
	grep "^prep: " err &&
	test_expect_code 1 vg segment short.pgm >/dev/null 2>err &&
	grep "^segment: " err &&
	test_expect_code 1 vg cnn-infer short.pgm >/dev/null 2>err &&
	grep "^cnn-infer: " err &&
	! grep "==[0-9]*==" err
'

test_done
