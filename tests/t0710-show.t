#!/bin/sh
test_description='show: the pipeline'"'"'s answers drawn over the picture, in a
file (-o) and in a window (under Xvfb, when it is installed)'
cd "${0%/*}" && . ./lib.sh

# perl boxes.pl OUT.ppm ORIG.ppm TSV: the boxes of TSV (cnn-infer -v
# rows) are drawn in OUT, a ring of green (accepted) or red (rejected)
# just outside each; OUT is ORIG inside every box and 100 pixels away
# from them all.
cat >boxes.pl <<'EOF'
use strict;
use warnings;

my ($out, $orig, $tsv) = @ARGV;
my ($w, $h, $bad) = (0, 0, 0);

sub ppm {
	my ($f) = @_;
	open(my $fh, '<:raw', $f) or die "$f: $!\n";
	local $/;
	my $d = <$fh>;
	$d =~ /\AP6\s+(?:#[^\n]*\n\s*)*(\d+)\s+(\d+)\s+255\s/
	    or die "$f: not a raw PPM\n";
	return ($1, $2, substr($d, $+[0], $1 * $2 * 3));
}

my ($ow, $oh, $a) = ppm($out);
(my $bw, $h, my $b) = ppm($orig);
$w = $ow;
die "$out is ${ow}x$oh, $orig ${bw}x$h\n" if $ow != $bw || $oh != $h;

my @box;
open(my $t, '<', $tsv) or die "$tsv: $!\n";
while (<$t>) {
	chomp;
	my @f = split /\t/;
	push @box, [@f[3 .. 7]];
}
die "no digits in $tsv\n" unless @box;

sub px {
	my ($r, $x, $y) = @_;
	return join ' ', unpack 'C3', substr($r, ($y * $w + $x) * 3, 3);
}

for my $k (@box) {
	my ($x, $y, $kw, $kh, $c) = @$k;
	my $want = $c eq '?' ? '235 45 45' : '40 210 40';
	my ($mx, $my) = ($x + int($kw / 2), $y + int($kh / 2));
	for my $p ([$x - 1, $my], [$x + $kw, $my], [$mx, $y - 1], [$mx, $y + $kh]) {
		my $got = px($a, @$p);
		next if $got eq $want;
		print "box @$k[0 .. 3]: @$p is $got, not $want\n";
		$bad++;
	}
}

for my $y (0 .. $h - 1) {
	X: for my $x (0 .. $w - 1) {
		for my $k (@box) {
			my ($bx, $by, $kw, $kh) = @$k;
			next if $x >= $bx && $x < $bx + $kw &&
			    $y >= $by && $y < $by + $kh;
			next X if $x >= $bx - 100 && $x < $bx + $kw + 100 &&
			    $y >= $by - 100 && $y < $by + $kh + 100;
		}
		next if px($a, $x, $y) eq px($b, $x, $y);
		print "$x $y changed: ", px($a, $x, $y), ", was ",
		    px($b, $x, $y), "\n" if $bad < 10;
		$bad++;
	}
}
exit($bad ? 1 : 0);
EOF

# frames FILE: the number of images in the netpbm stream FILE
frames() {
	pamfile -allimages "$1" | wc -l
}

test_expect_success 'usage errors exit 2; -h is not an error' '
	show -h >out && grep "^usage: show \[-m model\] \[-o file\]" out &&
	test_expect_code 2 show -Z </dev/null 2>err &&
	grep "^usage: show" err &&
	test_expect_code 2 show -t 2 -o out.ppm </dev/null 2>err &&
	grep "^show: -t: bad value" err &&
	test_expect_code 2 show -o </dev/null 2>err
'

test_expect_success 'a man page, clean under mandoc, with every option' '
	mandoc -Tlint -Wwarning "$TOP/man/show.1" >out 2>&1 &&
	test_must_be_empty out &&
	show -h | grep -o "\[-[A-Za-z]" | tr -d "[-" >opts &&
	test_line_count = 3 opts &&
	for o in h $(cat opts); do
		grep -q "^\.It Fl $o\b" "$TOP/man/show.1" ||
		{ echo "-$o undocumented"; return 1; }
	done
'

test_expect_success 'setup: the sample photo and a stream of four pictures' '
	jpegtopnm "$TOP/tests/data/sample.jpg" >sample.ppm 2>/dev/null &&
	draw-digits -p 800x600 -s 7 "12 345" >a.ppm &&
	draw-digits -p 640x480 -s 3 906 | ppmtopgm >b.pgm &&
	pbmmake -white 300 200 >white.pbm &&
	cat a.ppm white.pbm b.pgm sample.ppm >stream.pnm
'

test_expect_success 'the sample photo: the lines of prep | segment | cnn-infer' '
	show -o out.ppm "$TOP/tests/data/sample.jpg" >actual &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	prep "$TOP/tests/data/sample.jpg" | segment | cnn-infer >expect &&
	test_cmp expect actual &&
	test "$(frames out.ppm)" = 1
'

test_expect_success 'a stream of frames: a line and a picture for each' '
	prep <stream.pnm | segment | cnn-infer >expect &&
	test_line_count = 4 expect &&
	show -o stream.ppm <stream.pnm >actual &&
	test_cmp expect actual &&
	test "$(frames stream.ppm)" = 4 &&
	show -o files.ppm a.ppm - b.pgm <white.pbm >actual &&
	prep a.ppm white.pbm b.pgm | segment | cnn-infer >expect &&
	test_cmp expect actual
'

# A threshold that rejects some digits: the same probabilities to the bit
# decide the same ones.
test_expect_success 'the same answers bit for bit: -t 0.9999 and -t 0.999999' '
	for t in 0.9999 0.999999; do
		prep <stream.pnm | segment | cnn-infer -t $t >expect &&
		show -t $t -o out.ppm <stream.pnm >actual &&
		test_cmp expect actual || return 1
	done &&
	grep "?" actual
'

test_expect_success 'the boxes are drawn where the digits are, nothing else' '
	show -o out.ppm sample.ppm >/dev/null &&
	prep sample.ppm | segment | cnn-infer -v >boxes.tsv &&
	test_line_count = 4 boxes.tsv &&
	perl boxes.pl out.ppm sample.ppm boxes.tsv &&
	show -t 0.999999 -o out.ppm sample.ppm >/dev/null &&
	prep sample.ppm | segment | cnn-infer -t 0.999999 -v >boxes.tsv &&
	cut -f 8 boxes.tsv | grep "?" &&
	perl boxes.pl out.ppm sample.ppm boxes.tsv
'

test_expect_success 'a grey picture comes out in colour' '
	show -o out.ppm b.pgm >/dev/null &&
	pamfile out.ppm | grep "PPM raw, 640 by 480"
'

test_expect_success 'an empty stream: no line, no picture, success' '
	show -o out.ppm </dev/null >actual &&
	test_must_be_empty actual &&
	test_must_be_empty out.ppm
'

test_expect_success 'bad input: show says why and exits 1' '
	printf "P6\n300 200\n255\n" >trunc.ppm &&
	head -c 1000 /dev/zero >>trunc.ppm &&
	test_expect_code 1 show -o out.ppm trunc.ppm >actual 2>err &&
	grep "^show: trunc.ppm: .*truncated" err &&
	test_must_be_empty actual &&
	cat sample.ppm trunc.ppm | test_expect_code 1 show -o out.ppm >actual 2>err &&
	grep "^show: stdin: .*truncated" err &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	test_expect_code 1 show -o out.ppm nosuch.png 2>err &&
	grep "^show: nosuch.png: No such file" err &&
	test_expect_code 1 show -m nosuch.cnn -o out.ppm sample.ppm 2>err &&
	grep "^show: nosuch.cnn: No such file" err &&
	test_expect_code 1 show -o nosuch/out.ppm sample.ppm 2>err &&
	grep "^show: nosuch/out.ppm: No such file" err &&
	test_expect_code 1 show -o /dev/full sample.ppm >/dev/null 2>err &&
	grep "^show: /dev/full" err
'

test_expect_success 'no display and no -o: a clear message, exit 1' '
	test_expect_code 1 env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
		show sample.ppm >actual 2>err &&
	grep "^show: cannot open a window: .* (use -o)$" err &&
	test_must_be_empty actual
'

# The window, as a person sees it, on a virtual X server.  What runs in
# the background closes sharness's descriptors (3 to 6), which would
# otherwise keep prove waiting for it.
command -v Xvfb >/dev/null && command -v xwd >/dev/null &&
command -v xwininfo >/dev/null && command -v xdpyinfo >/dev/null &&
command -v xwdtopnm >/dev/null && test_set_prereq XVFB
command -v xdotool >/dev/null && test_set_prereq XDOTOOL

# shot TITLE FILE: the window called TITLE as the screen shows it, in
# plain PPM.  xwd -name would read the window with its own colour map,
# which xwdtopnm gets wrong for the DirectColor visual SDL's OpenGL
# renderer picks on Xvfb; the root window is TrueColor.
shot() {
	xwininfo -name "$1" >info &&
	x=$(sed -n "s/.*Absolute upper-left X: *//p" info) &&
	y=$(sed -n "s/.*Absolute upper-left Y: *//p" info) &&
	w=$(sed -n "s/.*Width: *//p" info) &&
	h=$(sed -n "s/.*Height: *//p" info) &&
	xwd -silent -root | xwdtopnm 2>/dev/null | pamcut $x $y $w $h |
		pamdepth 255 | pnmnoraw >"$2"
}

# press KEY TITLE: KEY typed into the window called TITLE.
press() {
	id=$(xdotool search --name "^$2\$" | head -n 1) &&
	xdotool mousemove --window "$id" 10 10 key "$1"
}

test_expect_success XVFB 'setup: a virtual X server' '
	start_xvfb
'

test_expect_success XVFB 'the window shows the -o picture, pixel for pixel' '
	show -o out.ppm sample.ppm >/dev/null &&
	pnmnoraw out.ppm >want &&
	{ show "$TOP/tests/data/sample.jpg" </dev/null >actual 2>err \
		3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	pause 100 xwininfo -name "show: 5283" >/dev/null 2>&1 &&
	pause 100 eval "shot \"show: 5283\" got && cmp -s want got" &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	kill -0 $pid
'

test_expect_success XVFB,XDOTOOL 'q closes it: exit 0' '
	press q "show: 5283" &&
	wait $pid &&
	test_must_be_empty err
'

test_expect_success XVFB,!XDOTOOL 'without xdotool: killed, it ends' '
	kill $pid &&
	{ wait $pid; test $? -ne 127; }
'

# Frames arrive through a FIFO that stays open: the window shows each,
# and q ends the program while it waits for the next.
test_expect_success XVFB,XDOTOOL 'Escape while frames still come ends it at once' '
	mkfifo fifo &&
	{ show <fifo >actual 2>err 3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	test_when_finished "exec 8>&-; kill $pid 2>/dev/null; :" &&
	exec 8>fifo &&
	cat stream.pnm >&8 &&
	pause 300 xwininfo -name "show: 5283" >/dev/null 2>&1 &&
	pause 300 eval "shot \"show: 5283\" got && cmp -s want got" &&
	press Escape "show: 5283" &&
	wait $pid &&
	prep <stream.pnm | segment | cnn-infer >expect &&
	test_cmp expect actual &&
	test_must_be_empty err
'

# Live: the emulated camera (tests/fakecam.so, under libv4l2) serves a
# drawn page again and again, grab | show shows it; q closes the window,
# and grab, its reader gone, stops streaming and ends with success.
test_expect_success XVFB,XDOTOOL 'grab -n 0 | show: the camera, live' '
	draw-digits -p 640x480 -s 7 "42 1905" >frame.ppm &&
	env LD_PRELOAD="$TOP/tests/fakecam.so" FAKECAM_DEVICE=/dev/video63 \
		FAKECAM_FRAMES=frame.ppm grab -k 0 -d /dev/video63 >camera.ppm &&
	show -o want.ppm camera.ppm >/dev/null &&
	pnmnoraw want.ppm >want &&
	{ { env LD_PRELOAD="$TOP/tests/fakecam.so" \
		FAKECAM_DEVICE=/dev/video63 FAKECAM_FRAMES=frame.ppm \
		FAKECAM_FPS=10 FAKECAM_LOG=cam.log \
		grab -n 0 -k 0 -d /dev/video63 2>grab.err; echo $? >grab.rc; } |
		show >lines 2>err 3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	pause 300 xwininfo -name "show: 42 1905" >/dev/null 2>&1 &&
	pause 300 eval "shot \"show: 42 1905\" got && cmp -s want got" &&
	press q "show: 42 1905" &&
	wait $pid &&
	pause 100 test -s grab.rc &&
	echo 0 >expect && test_cmp expect grab.rc &&
	test_must_be_empty grab.err &&
	tail -3 cam.log >actual &&
	printf "streamoff\nreqbufs 0\nclose\n" >expect &&
	test_cmp expect actual &&
	sort -u lines >actual &&
	echo "42 1905" >expect &&
	test_cmp expect actual
'

test_expect_success XVFB 'stop the X server' '
	kill $xvfb
'

test_done
