#!/bin/sh
test_description='the bad-input matrix: every program, every kind of bad
input, output and model: a message, the documented exit status, no crash,
no hang, no partial output file (tests/badinput.md is its table)'
cd "${0%/*}" && . ./lib.sh

# Each cell runs one program on one bad thing, under timeout 10 and, but
# for an AddressSanitizer build (whose shadow memory needs more), an
# address space of 2 GB, so that a header asking for 10^10 pixels must be
# refused before anything is allocated.  Its row, program, exit status
# (the HTTP status for digits-web's requests) and first line of stderr go
# to the file results; what a cell breaks goes to problems.  Every line
# of stderr must be a "prog: message", but for libv4l2's own complaints,
# which grab cannot silence without silencing them all.  The last
# tests compare results with the statuses expected, and show problems.
# BADINPUT_TABLE=FILE writes results as the Markdown table of
# tests/badinput.md to FILE.
CAP=2000000
ldd "$TOP/cmd/prep" | grep -q libasan && CAP=unlimited
: >results
: >problems

# cell ROW PROG CMD...: run CMD, its standard output to cell.out, closed
# (TO=closed) or /dev/full (TO=full).
cell() {
	row=$1 prog=$2
	shift 2
	rm -f cell.out cell.err
	case ${TO:-file} in
	closed) run "$@" >&- ;;
	full) run "$@" >/dev/full ;;
	*) run "$@" >cell.out ;;
	esac
	rc=$?
	record "$row" "$prog" $rc "$(head -n 1 cell.err)"
	if test $rc -ge 124; then
		echo "$row $prog: status $rc (a timeout or a signal)" >>problems
	fi
	if test -s cell.err && grep -v "^$prog: \|^libv4l2: " cell.err >cell.bad
	then
		echo "$row $prog: stderr not prog: message: $(head -n 1 cell.bad)" \
			>>problems
	fi
	if test $rc != 0 && ! test -s cell.err; then
		echo "$row $prog: status $rc and no message" >>problems
	fi
	return 0
}

run() {
	( ulimit -v $CAP && exec timeout 10 "$@" ) 2>cell.err
}

record() {
	printf "%s\t%s\t%s\t%s\n" "$1" "$2" "$3" "$4" >>results
}

# problem TEXT: TEXT added to problems
problem() {
	echo "$*" >>problems
}

# whole FILE: FILE holds whole images only (or nothing)
whole() {
	! test -s "$1" || pamfile -allimages "$1" >/dev/null 2>&1
}

SMALL="conv 4 5 p=2; relu; maxpool 4; dense 10"
# a tiny training, for eval: the options, then -q too
TRAINV="-a '$SMALL' -n 200 -V 100 -e 1 -b 50"
TRAIN="-q $TRAINV"

# The bad images: a file (or link) named after its row.
ROWS="empty trunc-header trunc-raster zero-dims huge-dims limit-trunc
maxval-0 maxval-65535 wrong-magic random trunc-png trunc-jpeg huge-png
directory through-file read-error missing"

test_expect_success 'setup: MNIST, the bad images, the bad models' '
	need_mnist &&
	draw-digits -p 300x200 -s 2 47 >good.ppm &&
	pnmtopng good.ppm >good.png &&
	pnmtojpeg good.ppm >good.jpg &&
	prep good.ppm >good.pgm &&
	draw-digits 7 >digit.pgm &&
	: >empty &&
	printf "P5\n28 " >trunc-header &&
	{ printf "P5\n28 28\n255\n" && head -c 100 /dev/zero; } >trunc-raster &&
	printf "P5\n0 0\n255\n" >zero-dims &&
	{ printf "P5\n100000 100000\n255\n" &&
		head -c 1000 /dev/zero; } >huge-dims &&
	{ printf "P5\n10000 10000\n255\n" &&
		head -c 1000 /dev/zero; } >limit-trunc &&
	{ printf "P5\n28 28\n0\n" && head -c 784 /dev/zero; } >maxval-0 &&
	pamdepth 65535 digit.pgm >maxval-65535 &&
	{ printf "P9\n28 28\n255\n" && head -c 784 /dev/zero; } >wrong-magic &&
	perl -e "srand(7); print map { chr(int(rand(256))) } 1 .. 3000" >random &&
	head -c 1500 good.png >trunc-png &&
	head -c 1500 good.jpg >trunc-jpeg &&
	perl -MCompress::Zlib -e "
		sub chunk { my (\$t, \$d) = @_;
			pack(q(N), length \$d) . \$t . \$d . pack(q(N), crc32(\$t . \$d)) }
		print qq(\x89PNG\r\n\x1a\n),
		    chunk(q(IHDR), pack(q(NNC5), 100000, 100000, 8, 0, 0, 0, 0)),
		    chunk(q(IDAT), compress(qq(\0) x 1000)), chunk(q(IEND), q())
	" >huge-png &&
	mkdir directory &&
	echo text >plain &&
	ln -s plain/x through-file &&
	ln -s /proc/self/mem read-error &&
	cp "$TOP/model/digits.cnn" good.cnn &&
	sed "1s/^digitcnn 1$/digitcnn 2/" good.cnn >model-v2 &&
	perl -e "local \$/; \$_ = <STDIN>; \$o = length(\$_) - 1000;
		substr(\$_, \$o, 1) ^= chr(1); print" <good.cnn >model-flip &&
	! cmp -s good.cnn model-flip &&
	head -c 100000 good.cnn >model-trunc &&
	: >model-empty &&
	mkdir model-dir
'

test_expect_success 'images: prep, segment, cnn-infer, cnn-train -u, show -o' '
	for r in $ROWS; do
		cell $r prep prep $r &&
		cell $r segment segment $r &&
		cell $r cnn-infer cnn-infer $r &&
		rm -rf u && mkdir u && ln -s ../$r u/$r &&
		echo "$r 3" >u/labels.txt &&
		eval "cell \$r cnn-train cnn-train $TRAIN -d \"\$MNIST\" -u u \
			-o new.cnn" &&
		if test $rc != 0 && test -e new.cnn; then
			problem "$r cnn-train: status $rc, new.cnn written"
		fi &&
		ls | grep "\.tmp\." | sed "s/^/$r cnn-train: left /" >>problems &&
		rm -f new.cnn &&
		cell $r show show -o out.ppm $r &&
		if test $rc != 0 && test -s out.ppm; then
			problem "$r show: status $rc, out.ppm not empty"
		fi &&
		if ! whole out.ppm; then
			problem "$r show: out.ppm holds a partial image"
		fi || return 1
	done
'

# serve LOG ARGS...: digits-web ARGS in the background on a free port;
# sets pid and url once it listens.  What runs in the background closes
# sharness's descriptors (3 to 6), which would otherwise keep prove
# waiting for it.
HTTP="perl $TOP/tests/web/http.pl"
serve() {
	log=$1
	shift
	{ digits-web -p 0 "$@" </dev/null 2>"$log" 3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	pause 100 grep -q "listening on" "$log" &&
	url=$(sed -n "s/^digits-web: listening on \(http:.*\)$/\1/p" "$log") &&
	test -n "$url"
}

# post ROW FILE: FILE POSTed; the status and the error recorded.
post() {
	$HTTP POST "${url}api/recognize" "$2" >reply &&
	code=$(sed -n 1p reply) &&
	msg=$(sed 1d reply | sed -n "s/^{\"error\":\"\(.*\)\"}$/\1/p") &&
	record "$1" digits-web "$code" "$msg" &&
	case $code in
	200) sed 1d reply | grep -q "^{\"width\":" ||
		problem "$1 digits-web: 200 without an answer" ;;
	4??) test -n "$msg" || problem "$1 digits-web: $code without an error" ;;
	*) problem "$1 digits-web: status $code" ;;
	esac
}

test_expect_success 'digits-web: each image POSTed, a 4xx and a JSON error' '
	serve web.log -j 1 -P 100000000 &&
	for r in $ROWS; do
		case $r in
		directory | through-file | read-error | missing) continue ;;
		esac
		post $r $r || return 1
	done &&
	$HTTP GET "${url}api/health" >out &&
	grep "^200$" out &&
	post good good.jpg &&
	kill $pid && wait $pid &&
	grep -v "listening on" web.log >rest;
	test_must_be_empty rest
'

# $CAM FAKECAM_FAIL=F grab ...: grab on the emulated camera
# (tests/fakecam.so), which fails as F says (nothing: it works)
DEV=/dev/video63
CAM="env LD_PRELOAD=$TOP/tests/fakecam.so FAKECAM_DEVICE=$DEV FAKECAM_FRAMES=frame.ppm"

test_expect_success 'grab: devices that are none, and a camera that fails' '
	for r in empty random directory through-file read-error missing; do
		cell $r grab grab -d $r || return 1
	done &&
	draw-digits -p 640x480 -s 5 1 >frame.ppm &&
	cell cam-denied grab $CAM FAKECAM_FAIL=open grab -k 0 -d $DEV &&
	cell cam-notcapture grab $CAM FAKECAM_FAIL=notcap grab -k 0 -d $DEV &&
	cell cam-busy grab $CAM FAKECAM_FAIL=busy grab -k 0 -d $DEV &&
	cell cam-h264 grab $CAM FAKECAM_FORMAT=H264 grab -k 0 -d $DEV &&
	cell cam-stall grab $CAM FAKECAM_FAIL=stall:2 \
		grab -n 0 -k 0 -t 0.5 -d $DEV &&
	whole cell.out &&
	cell cam-vanish grab $CAM FAKECAM_FAIL=vanish:2 grab -n 0 -k 0 -d $DEV &&
	whole cell.out
'

MODELS="model-v2 model-flip model-trunc model-empty model-dir model-missing"

test_expect_success 'models: segment, cnn-infer, cnn-train -i, show, draw, digits-web' '
	rm -f out.ppm new.cnn &&
	for m in $MODELS; do
		cell $m segment segment -m $m digit.pgm &&
		cell $m cnn-infer cnn-infer -m $m digit.pgm &&
		eval "cell \$m cnn-train cnn-train $TRAIN -d \"\$MNIST\" -i \$m \
			-o new.cnn" &&
		test_path_is_missing new.cnn &&
		cell $m show show -m $m -o out.ppm good.ppm &&
		test_path_is_missing out.ppm &&
		cell $m draw env -u DISPLAY draw -r -m $m &&
		cell $m digits-web digits-web -p 0 -m $m || return 1
	done
'

test_expect_success 'outputs: stdout closed or full, output files that cannot be' '
	for to in closed full; do
		TO=$to &&
		cell stdout-$to prep prep good.ppm &&
		cell stdout-$to segment segment -d debug.ppm good.pgm &&
		whole debug.ppm &&
		cell stdout-$to cnn-infer cnn-infer digit.pgm &&
		rm -f log.csv &&
		eval "cell stdout-\$to cnn-train cnn-train $TRAINV \
			-d \"\$MNIST\" -L log.csv -o new.cnn" &&
		test_path_is_missing new.cnn &&
		! grep -v "^epoch,\|^1," log.csv &&
		cell stdout-$to show show -o out.ppm good.ppm &&
		whole out.ppm &&
		cell stdout-$to grab $CAM grab -k 0 -d $DEV &&
		TO= || return 1
	done &&
	grep "^stdout-closed	grab	1	grab: stdout: Bad file descriptor$" \
		results &&
	for o in directory through-file; do
		f=$o && test $o = directory || f=plain/x &&
		cell out-$o segment segment -d $f good.pgm &&
		cell out-$o cnn-infer cnn-infer -e -w $f \
			"$MNIST/t10k-images-idx3-ubyte" "$MNIST/t10k-labels-idx1-ubyte" &&
		eval "cell out-\$o cnn-train cnn-train $TRAIN -d \"\$MNIST\" -o \$f" &&
		cell out-$o show show -o $f good.ppm || return 1
	done &&
	test -d directory && test_path_is_missing plain/x &&
	! ls | grep "\.tmp\." &&
	cell out-full show show -o /dev/full good.ppm &&
	cell out-full segment segment -d /dev/full good.pgm &&
	cell out-full cnn-infer cnn-infer -e -w /dev/full \
		"$MNIST/t10k-images-idx3-ubyte" "$MNIST/t10k-labels-idx1-ubyte"
'

test_expect_success 'digits-web writes nothing to stdout: closed or full, it serves' '
	for to in closed full; do
		case $to in
		closed) serve web-$to.log -j 1 >&- ;;
		full) serve web-$to.log -j 1 >/dev/full ;;
		esac &&
		$HTTP POST "${url}api/recognize" good.jpg >reply &&
		code=$(sed -n 1p reply) &&
		kill $pid && { wait $pid; rc=$?; } &&
		record stdout-$to digits-web "$rc (POST: $code)" "" &&
		! grep -v "listening on" web-$to.log &&
		test "$code" = 200 && test $rc = 0 || return 1
	done
'

# A model is written to a temporary file renamed over -o: over a FIFO
# or a device (cnn-train -o /dev/null, run as root) too, which it
# replaces.  It should refuse what is not a regular file.
test_expect_success 'cnn-train -o a FIFO: refused, the FIFO left' '
	mkfifo fifo &&
	test_expect_code 1 eval "cnn-train $TRAIN -d \"\$MNIST\" -o fifo" \
		2>err &&
	grep "^cnn-train: fifo: " err &&
	test -p fifo
'

command -v Xvfb >/dev/null && command -v xdotool >/dev/null &&
command -v xdpyinfo >/dev/null && test_set_prereq XVFB

# A file the program opens must not take the number of a closed stdout
# (or a socket of X's): what goes to stdout would go into it.

# drawn TO: draw started with stdout TO (closed or full), Enter typed
# in its window (an empty canvas written), its status and message kept.
drawn() {
	{ case $1 in
	closed) draw >&- 2>cell.err 3>&- 4>&- 5>&- 6>&- & ;;
	full) draw >/dev/full 2>cell.err 3>&- 4>&- 5>&- 6>&- & ;;
	esac } &&
	pid=$! &&
	pause 100 eval "win=\$(xdotool search --pid $pid --name ^draw) 2>/dev/null" &&
	xdotool mousemove --window "$win" 5 5 key Return &&
	pause 100 gone &&
	{ wait $pid; rc=$?; } &&
	record stdout-$1 draw $rc "$(head -n 1 cell.err)"
}

# gone: draw $pid has ended (a zombie, not yet waited for, counts)
gone() {
	s=$(ps -o stat= -p $pid) || return 0
	case $s in Z*) return 0 ;; esac
	return 1
}

test_expect_success XVFB 'draw: stdout closed or full, under Xvfb' '
	start_xvfb &&
	test_when_finished "kill \$xvfb" &&
	drawn closed && drawn full &&
	grep "^stdout-closed	draw	1	draw: stdout: Bad file descriptor$" \
		results
'

# The statuses the man pages give: 1 for a bad image, model, device or
# output; 0 for an empty stream (no image), for 16-bit samples and for a
# JPEG cut short (a warning: its missing rows are grey); 4xx for a bad
# request to digits-web.
cat >expect.in <<\EOF
empty	prep	0
empty	segment	0
empty	cnn-infer	0
empty	cnn-train	1
empty	show	0
trunc-header	prep	1
trunc-header	segment	1
trunc-header	cnn-infer	1
trunc-header	cnn-train	1
trunc-header	show	1
trunc-raster	prep	1
trunc-raster	segment	1
trunc-raster	cnn-infer	1
trunc-raster	cnn-train	1
trunc-raster	show	1
zero-dims	prep	1
zero-dims	segment	1
zero-dims	cnn-infer	1
zero-dims	cnn-train	1
zero-dims	show	1
huge-dims	prep	1
huge-dims	segment	1
huge-dims	cnn-infer	1
huge-dims	cnn-train	1
huge-dims	show	1
limit-trunc	prep	1
limit-trunc	segment	1
limit-trunc	cnn-infer	1
limit-trunc	cnn-train	1
limit-trunc	show	1
maxval-0	prep	1
maxval-0	segment	1
maxval-0	cnn-infer	1
maxval-0	cnn-train	1
maxval-0	show	1
maxval-65535	prep	0
maxval-65535	segment	0
maxval-65535	cnn-infer	0
maxval-65535	cnn-train	0
maxval-65535	show	0
wrong-magic	prep	1
wrong-magic	segment	1
wrong-magic	cnn-infer	1
wrong-magic	cnn-train	1
wrong-magic	show	1
random	prep	1
random	segment	1
random	cnn-infer	1
random	cnn-train	1
random	show	1
trunc-png	prep	1
trunc-png	segment	1
trunc-png	cnn-infer	1
trunc-png	cnn-train	1
trunc-png	show	1
trunc-jpeg	prep	0
trunc-jpeg	segment	1
trunc-jpeg	cnn-infer	1
trunc-jpeg	cnn-train	0
trunc-jpeg	show	0
huge-png	prep	1
huge-png	segment	1
huge-png	cnn-infer	1
huge-png	cnn-train	1
huge-png	show	1
directory	prep	1
directory	segment	1
directory	cnn-infer	1
directory	cnn-train	1
directory	show	1
through-file	prep	1
through-file	segment	1
through-file	cnn-infer	1
through-file	cnn-train	1
through-file	show	1
read-error	prep	1
read-error	segment	1
read-error	cnn-infer	1
read-error	cnn-train	1
read-error	show	1
missing	prep	1
missing	segment	1
missing	cnn-infer	1
missing	cnn-train	1
missing	show	1
empty	digits-web	400
trunc-header	digits-web	400
trunc-raster	digits-web	400
zero-dims	digits-web	400
huge-dims	digits-web	413
limit-trunc	digits-web	400
maxval-0	digits-web	400
maxval-65535	digits-web	200
wrong-magic	digits-web	400
random	digits-web	400
trunc-png	digits-web	400
trunc-jpeg	digits-web	200
huge-png	digits-web	413
good	digits-web	200
empty	grab	1
random	grab	1
directory	grab	1
through-file	grab	1
read-error	grab	1
missing	grab	1
cam-denied	grab	1
cam-notcapture	grab	1
cam-busy	grab	1
cam-h264	grab	1
cam-stall	grab	1
cam-vanish	grab	1
EOF
for m in $MODELS; do
	for p in segment cnn-infer cnn-train show draw digits-web; do
		printf "%s\t%s\t1\n" $m $p
	done
done >>expect.in
cat >>expect.in <<\EOF
stdout-closed	prep	1
stdout-closed	segment	1
stdout-closed	cnn-infer	1
stdout-closed	cnn-train	1
stdout-closed	show	1
stdout-closed	grab	1
stdout-full	prep	1
stdout-full	segment	1
stdout-full	cnn-infer	1
stdout-full	cnn-train	1
stdout-full	show	1
stdout-full	grab	1
out-directory	segment	1
out-directory	cnn-infer	1
out-directory	cnn-train	1
out-directory	show	1
out-through-file	segment	1
out-through-file	cnn-infer	1
out-through-file	cnn-train	1
out-through-file	show	1
out-full	show	1
out-full	segment	1
out-full	cnn-infer	1
stdout-closed	digits-web	0 (POST: 200)
stdout-full	digits-web	0 (POST: 200)
stdout-closed	draw	1
stdout-full	draw	1
EOF

test_expect_success 'every cell: the status expected, a prog: message, no problem' '
	if test_have_prereq XVFB; then
		sort expect.in >expect
	else
		grep -v "	draw	1$" expect.in | sort >expect
		grep "^model-.*	draw	" expect.in >>expect
		sort -o expect expect
	fi &&
	cut -f 1-3 results | sort >actual &&
	test_cmp expect actual &&
	test_must_be_empty problems
'

# The table: a row per bad thing, a column per program, each cell the
# status and the message (without the program's name).
test_expect_success 'the table (BADINPUT_TABLE=FILE writes it)' '
	perl - results >table.md <<-\EOF &&
	use strict;
	use warnings;
	my @cols = qw(prep segment cnn-infer cnn-train show grab draw digits-web);
	my (%cell, @rows, %seen);
	while (<>) {
		chomp;
		my ($row, $prog, $rc, $msg) = split /\t/, $_, 4;
		push @rows, $row unless $seen{$row}++;
		$msg //= "";
		$msg =~ s/^\Q$prog\E: //;
		$msg =~ s/\|/\\|/g;
		$cell{$row}{$prog} = $msg eq "" ? $rc : "$rc `$msg`";
	}
	print "| | ", join(" | ", @cols), " |\n";
	print "|---" x (@cols + 1), "|\n";
	for my $r (@rows) {
		print "| $r | ", join(" | ", map { $cell{$r}{$_} // "" } @cols),
		    " |\n";
	}
	EOF
	test_line_count -ge 30 table.md &&
	if test -n "$BADINPUT_TABLE"; then
		cp table.md "$BADINPUT_TABLE"
	fi
'

test_done
