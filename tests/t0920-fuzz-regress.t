#!/bin/sh
test_description='fuzz harnesses, replayed: every seed of tests/fuzz/corpus/
and every input the fuzzers found (tests/fuzz/crashes/) through the
harnesses of tests/fuzz/, built without clang (tests/fuzz/replay.c)'
cd "${0%/*}" && . ./lib.sh

F=$TOP/tests/fuzz
NAMES="imgio decode idx model arch web webbody"

# replay-NAME: the harness with tests/fuzz/replay.c's main(), as make
# builds it into tests/fuzz/build/; built here when make has not (or it
# is older than what it is made of).
build_replay() {
	name=$1
	src=$F/$name.c
	def=
	if test "$name" = webbody; then
		src=$F/web.c
		def=-DWEB_BODY
	fi
	made=$F/build/replay-$name
	if test -x "$made" && ! test "$TOP/common/libcommon.a" -nt "$made" &&
	    ! test "$src" -nt "$made" && ! test "$F/replay.c" -nt "$made" &&
	    ! test "$TOP/cmd/digits-web.c" -nt "$made"; then
		ln -s "$made" "replay-$name"
		return
	fi
	san=
	if nm "$TOP/common/libcommon.a" 2>/dev/null | grep -q __asan_; then
		san="-fsanitize=address,undefined"
	fi
	here=$(pwd)
	(cd "$TOP" && ${CC:-cc} -std=c11 -O2 -fopenmp $san -D_DEFAULT_SOURCE \
	    $def -Icommon -Itests/fuzz -o "$here/replay-$name" "$src" \
	    tests/fuzz/replay.c common/libcommon.a -lmicrohttpd -lpng -ljpeg \
	    -lz -lm)
}

test_expect_success 'the harnesses build without clang' '
	for n in $NAMES; do
		build_replay $n || return 1
	done &&
	ls replay-* >actual &&
	for n in $NAMES; do echo replay-$n; done | sort >expect &&
	test_cmp expect actual
'

# every file of both folders is run, and none makes a harness fail
for n in $NAMES; do
	test_expect_success "$n: every seed and every input found" "
		set -- \"\$F/corpus/$n\" &&
		if test -d \"\$F/crashes/$n\"; then
			set -- \"\$@\" \"\$F/crashes/$n\"
		fi &&
		echo \"\$(ls \"\$@\" | grep -cv -e : -e '^\$') inputs\" >expect &&
		./replay-$n \"\$@\" >actual &&
		test_cmp expect actual
	"
done

# what the harnesses got, on a few inputs: they reach the parsers
test_expect_success 'imgio: every kind of netpbm image, comments kept' '
	cd "$F/corpus/imgio" &&
	FUZZ_VERBOSE=1 "$OLDPWD/replay-imgio" p1.pbm p5-16.pgm p5.pgm \
	    p7-ga.pam p7-rgba16.pam stream.pnm >"$OLDPWD/actual" &&
	cd "$OLDPWD" &&
	cat >expect <<-\EOF &&
	image 4x2x1, 0 pairs
	image 2x2x1, 0 pairs
	image 4x2x1, 2 pairs
	image 2x1x1, 1 pairs
	image 1x1x3, 0 pairs
	image 4x2x1, 2 pairs
	image 3x2x1, 1 pairs
	image 2x1x1, 1 pairs
	6 inputs
	EOF
	test_cmp expect actual
'

# The harness picks the JPEG scale and grey (prep's luma) by the input's
# size: colour.jpg comes grey, exif6.jpg in colour.
test_expect_success 'decode: PNG, JPEG turned by EXIF, PNM streams' '
	cd "$F/corpus/decode" &&
	FUZZ_VERBOSE=1 "$OLDPWD/replay-decode" grey16.png palette.png \
	    exif6.jpg colour.jpg stream.pnm >"$OLDPWD/actual" &&
	cd "$OLDPWD" &&
	cat >expect <<-\EOF &&
	image 8x6x1, kind 2
	image 12x8x3, kind 2
	image 8x12x3, kind 3
	image 12x8x1, kind 3
	image 4x2x1, kind 1
	image 3x2x1, kind 1
	image 2x1x1, kind 1
	5 inputs
	EOF
	test_cmp expect actual
'

test_expect_success 'idx: images and labels, from a file and a pipe' '
	FUZZ_VERBOSE=1 ./replay-idx "$F/corpus/idx/images.idx" \
	    "$F/corpus/idx/labels.idx" |
	sed "s|/proc/self/fd/[0-9]*|FD|" >actual &&
	cat >expect <<-\EOF &&
	3 images of 2x2
	error: FD: not an IDX label file (magic 0x00000803, an image file)
	3 images of 2x2
	error: FD: not an IDX label file (magic 0x00000803, an image file)
	error: FD: not an IDX image file (magic 0x00000801, a label file)
	3 labels of 0x0
	error: FD: not an IDX image file (magic 0x00000801, a label file)
	3 labels of 0x0
	2 inputs
	EOF
	test_cmp expect actual
'

test_expect_success 'model: a checkpoint, with its state and extra tensors' '
	FUZZ_VERBOSE=1 ./replay-model "$F/corpus/model/checkpoint.cnn" >actual &&
	cat >expect <<-\EOF &&
	conv 2 3 s=2; bn; relu; maxpool 3; dense 10: 354 parameters, labels 0123456789, 15 state lines, 1 extra tensors
	1 inputs
	EOF
	test_cmp expect actual
'

# A model file's net may not have many more parameters than the file's
# bytes hold: its reader refuses a big net before allocating it.  A
# checkpoint followed by a second net is refused whole, the first net's
# state and extra tensors freed (the harness aborted when they were
# left).
test_expect_success 'arch, model: nets of too many tensors or parameters; a checkpoint and a net' '
	FUZZ_VERBOSE=1 ./replay-arch "$F/crashes/arch" >actual &&
	FUZZ_VERBOSE=1 ./replay-model "$F/crashes/model" >>actual &&
	cat >expect <<-\EOF &&
	error: layer 2: more than 268435456 parameters
	error: layer 17: more than 64 tensors
	2 inputs
	error: fuzz: holds several nets, and a checkpoint is one
	error: fuzz: bad architecture: layer 2: more than 65562 parameters (in a file of 55 bytes)
	error: fuzz: bad architecture: layer 17: more than 64 tensors (in a file of 90 bytes)
	3 inputs
	EOF
	test_cmp expect actual
'

# the answers' status lines, and their JSON without its timing
web_answers() {
	FUZZ_VERBOSE=1 "./replay-$1" "$2" |
	    sed -n -e "s/\"ms\":[0-9.]*/\"ms\":T/" -e "/^HTTP/p" -e "/^{/p" |
	    tr -d "\r"
}

test_expect_success 'web: routes, methods, limits, bodies in chunks' '
	for f in get method notfound post-page empty toolarge chunked two; do
		web_answers web "$F/corpus/web/$f" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	HTTP/1.1 200 OK
	HTTP/1.1 405 Method Not Allowed
	{"error":"DELETE: POST the image"}
	HTTP/1.1 404 Not Found
	{"error":"/nothing: no such page"}
	HTTP/1.1 405 Method Not Allowed
	{"error":"POST: use GET"}
	HTTP/1.1 400 Bad Request
	{"error":"empty body: POST an image"}
	HTTP/1.1 413 Content Too Large
	{"error":"body larger than 16384 bytes"}
	HTTP/1.1 100 Continue
	HTTP/1.1 200 OK
	{"width":28,"height":28,"text":"?","digits":[{"line":0,"index":0,"box":[8,3,12,21],"digit":"?","confidence":0.2021,"top":[{"digit":"?","p":0.1717},{"digit":"4","p":0.1674},{"digit":"3","p":0.1134}]}],"ms":T}
	HTTP/1.1 400 Bad Request
	{"error":"truncated header"}
	HTTP/1.1 200 OK
	{"status":"ok","jobs":1,"busy":0,"max_bytes":16384,"max_pixels":1048576,"timeout":30}
	EOF
	test_cmp expect actual
'

test_expect_success 'webbody: images read, and a body that is none' '
	for f in grey.jpg rgba.png text; do
		web_answers webbody "$F/corpus/webbody/$f" || return 1
	done >actual &&
	cat >expect <<-\EOF &&
	HTTP/1.1 200 OK
	{"width":8,"height":6,"text":"","digits":[],"ms":T}
	HTTP/1.1 200 OK
	{"width":12,"height":8,"text":"","digits":[],"ms":T}
	HTTP/1.1 400 Bad Request
	{"error":"not a PNM, PNG or JPEG image"}
	EOF
	test_cmp expect actual
'

test_done
