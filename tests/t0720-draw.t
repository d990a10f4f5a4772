#!/bin/sh
test_description='draw: digits drawn with the mouse on a canvas, written as
PGM for prep | segment | cnn-infer, and read in the window itself (-r);
the window under Xvfb, when it is installed, the mouse moved by xdotool'
cd "${0%/*}" && . ./lib.sh

# count FILE: the number of whole images in the netpbm stream FILE (a
# stream still being written, cut in an image, fails)
count() {
	pamfile -allimages "$1" >list 2>/dev/null && wc -l <list
}

# read_digits FILE: the lines prep | segment | cnn-infer prints for FILE
read_digits() {
	prep "$1" | segment | cnn-infer
}

test_expect_success 'usage errors exit 2; -h is not an error' '
	draw -h >out && grep "^usage: draw \[-ehr\] \[-m model\]" out &&
	test_expect_code 2 draw -Z </dev/null 2>err &&
	grep "^usage: draw" err &&
	test_expect_code 2 draw -t 0 2>err &&
	grep "^draw: -t: bad value" err &&
	test_expect_code 2 draw -s 640 2>err &&
	grep "^draw: -s: bad value" err &&
	test_expect_code 2 draw -s 640x9 2>err &&
	grep "^draw: -s: bad value" err &&
	test_expect_code 2 draw extra 2>err &&
	grep "^usage: draw" err
'

test_expect_success 'a man page, clean under mandoc, with every option' '
	mandoc -Tlint -Wwarning "$TOP/man/draw.1" >out 2>&1 &&
	test_must_be_empty out &&
	draw -h | grep -o "\[-[A-Za-z]*" | tr -d "[-" | fold -w 1 |
		sort -u >opts &&
	test_line_count = 6 opts &&
	for o in $(cat opts); do
		grep -q "^\.It Fl $o\b" "$TOP/man/draw.1" ||
		{ echo "-$o undocumented"; return 1; }
	done
'

test_expect_success 'no display: a clear message, exit 1, nothing written' '
	test_expect_code 1 env -u DISPLAY -u WAYLAND_DISPLAY -u SDL_VIDEODRIVER \
		draw >actual 2>err &&
	grep "^draw: cannot open a window: " err &&
	test_must_be_empty actual
'

test_expect_success 'a model that cannot be loaded: exit 1' '
	test_expect_code 1 draw -r -m nosuch.cnn 2>err &&
	grep "^draw: nosuch.cnn: No such file" err
'

command -v Xvfb >/dev/null && command -v xwd >/dev/null &&
command -v xwininfo >/dev/null && command -v xdpyinfo >/dev/null &&
command -v xwdtopnm >/dev/null && command -v xdotool >/dev/null &&
test_set_prereq XVFB

# start TITLE OUT OPTION...: draw started in the background, writing to
# OUT, its pid in $pid, its window's id in $win once it shows.  What runs
# in the background closes sharness's descriptors (3 to 6), which would
# otherwise keep prove waiting for it.
start() {
	title=$1 out=$2
	shift 2
	{ draw "$@" >"$out" 2>err 3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	pause 300 find_window &&
	pause 300 titled "$title"
}

# find_window: $win set to the window of draw $pid, once it shows
find_window() {
	win=$(xdotool search --all --onlyvisible --pid $pid --name "^draw" \
		2>/dev/null | head -n 1) &&
	test -n "$win"
}

# titled TITLE: the window's title is TITLE
titled() {
	test "$(xdotool getwindowname "$win" 2>/dev/null)" = "$1"
}

# ends: the exit status of draw $pid, once it has ended (at most 30 s)
ends() {
	pause 300 gone && wait $pid
}

gone() {
	s=$(ps -o stat= -p $pid) || return 0
	case $s in Z*) return 0 ;; esac
	return 1
}

# stroke X Y X Y ...: the left button pressed at the first point, the
# mouse moved through the others, released at the last; the coordinates
# are the window's.  --sync waits until the pointer is there.
stroke() {
	set -- $(printf "%s %s\n" "$@" | awk "!(\$0 in seen) { seen[\$0]; print }")
	args="mousemove --sync --window $win $1 $2 mousedown 1"
	shift 2
	while test $# -gt 0; do
		args="$args mousemove --sync --window $win $1 $2"
		shift 2
	done &&
	xdotool $args mouseup 1
}

# The digits 1, 7 and 0, large and side by side on the 640x360 canvas.
one() {
	stroke $(seq 80 10 280 | awk "{ print 130, \$1 }")
}

seven() {
	stroke $(awk "BEGIN {
		for (x = 220; x <= 330; x += 10) print x, 90
		for (i = 1; i <= 19; i++) print 330 - i * 4, 90 + i * 10 }")
}

zero() {
	stroke $(awk "BEGIN {
		for (i = 0; i <= 48; i++) {
			a = i * 2 * 3.14159265 / 48
			printf \"%d %d\\n\", 470 + 55 * sin(a), 180 - 95 * cos(a)
		} }")
}

# key KEY...: keys typed into the window (the pointer in it gives it the
# focus).
key() {
	xdotool mousemove --window "$win" 5 5 key "$@"
}

# shot FILE: the window as the screen shows it, as a PPM.  The root
# window is read: see t0710-show.t.
shot() {
	xwininfo -id "$win" >info &&
	x=$(sed -n "s/.*Absolute upper-left X: *//p" info) &&
	y=$(sed -n "s/.*Absolute upper-left Y: *//p" info) &&
	w=$(sed -n "s/.*Width: *//p" info) &&
	h=$(sed -n "s/.*Height: *//p" info) &&
	xwd -silent -root | xwdtopnm 2>/dev/null | pamcut $x $y $w $h |
		pamdepth 255 >"$1"
}

# green FILE X Y W H: how many pixels of the rectangle are the green of
# an accepted digit's box (RGB 40 210 40).
green() {
	pamcut $2 $3 $4 $5 "$1" | ppmhist -noheader |
		awk "\$1 == 40 && \$2 == 210 && \$3 == 40 { n += \$5 }
		END { print n + 0 }"
}

test_expect_success XVFB 'setup: a virtual X server' '
	start_xvfb
'

test_expect_success XVFB 'Enter writes the canvas: the digits drawn are read' '
	start draw canvas.pgm -t 16 &&
	one && seven && zero &&
	key Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 1" &&
	pamfile canvas.pgm >info &&
	grep "PGM raw, 640 by 360  maxval 255" info &&
	echo 170 >expect &&
	read_digits canvas.pgm >actual &&
	test_cmp expect actual
'

test_expect_success XVFB 'undo and Ctrl-Z take a stroke away, c clears' '
	key u Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 2" &&
	key ctrl+z Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 3" &&
	key c Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 4" &&
	seven && key Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 5" &&
	key Delete Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 6" &&
	printf "170\n17\n1\n\n7\n\n" >expect &&
	read_digits canvas.pgm >actual &&
	test_cmp expect actual
'

test_expect_success XVFB 'q quits: exit 0, nothing on stderr' '
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	key q &&
	ends &&
	test_must_be_empty err &&
	test "$(count canvas.pgm)" = 6
'

test_expect_success XVFB '-e writes after each stroke; Escape quits' '
	start draw strokes.pgm -e -t 16 &&
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	one &&
	pause 50 eval "test \"\$(count strokes.pgm)\" = 1" &&
	seven &&
	pause 50 eval "test \"\$(count strokes.pgm)\" = 2" &&
	zero &&
	pause 50 eval "test \"\$(count strokes.pgm)\" = 3" &&
	key Escape &&
	ends &&
	test_must_be_empty err &&
	printf "1\n17\n170\n" >expect &&
	read_digits strokes.pgm >actual &&
	test_cmp expect actual
'

test_expect_success XVFB '-r: the answer in the title and over the strokes' '
	start draw /dev/null -r -t 16 &&
	one && seven && zero &&
	pause 50 titled "draw: 170" &&
	pause 50 eval "shot shot.ppm && test \$(green shot.ppm 60 20 480 320) -gt 500" &&
	mkdir -p "$SHARNESS_TEST_DIRECTORY/test-results" &&
	pnmtopng shot.ppm >"$SHARNESS_TEST_DIRECTORY/test-results/draw.png" &&
	test $(green shot.ppm 0 0 60 360) = 0 &&
	test $(green shot.ppm 560 0 80 360) = 0
'

test_expect_success XVFB '-r: undo reads again; the written canvas has no boxes' '
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	key u &&
	pause 50 titled "draw: 17" &&
	key c &&
	pause 50 titled draw &&
	pause 50 eval "shot shot.ppm && test \$(green shot.ppm 0 0 640 360) = 0" &&
	key q &&
	ends &&
	test_must_be_empty err &&
	start draw canvas.pgm -r -t 16 &&
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	one && seven &&
	pause 50 titled "draw: 17" &&
	key Return &&
	pause 50 eval "test \"\$(count canvas.pgm)\" = 1" &&
	key q &&
	ends &&
	echo 17 >expect &&
	read_digits canvas.pgm >actual &&
	test_cmp expect actual &&
	pamfile canvas.pgm | grep "PGM raw"
'

# wmclose ID: what a window manager sends when the user closes the
# window ID (xdotool 3.2016 has no way to send it).
cat >wmclose.c <<'EOF'
#include <stdlib.h>
#include <X11/Xlib.h>

int
main(int argc, char **argv)
{
	Display *d = XOpenDisplay(NULL);
	XEvent ev = { 0 };

	if (d == NULL || argc != 2)
		return 1;
	ev.xclient.type = ClientMessage;
	ev.xclient.window = strtoul(argv[1], NULL, 0);
	ev.xclient.message_type = XInternAtom(d, "WM_PROTOCOLS", False);
	ev.xclient.format = 32;
	ev.xclient.data.l[0] = XInternAtom(d, "WM_DELETE_WINDOW", False);
	ev.xclient.data.l[1] = CurrentTime;
	XSendEvent(d, ev.xclient.window, False, NoEventMask, &ev);
	XCloseDisplay(d);
	return 0;
}
EOF
cc -o wmclose wmclose.c -lX11 2>/dev/null && test_set_prereq WMCLOSE

test_expect_success XVFB,WMCLOSE 'closing the window quits: exit 0' '
	start draw /dev/null &&
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	./wmclose "$win" &&
	ends &&
	test_must_be_empty err
'

# The reader of a pipe goes away: the next canvas written ends draw,
# quietly and with success, as yes | head does.
test_expect_success XVFB 'the reader gone: exit 0, quietly' '
	mkfifo fifo &&
	{ draw -e -t 16 >fifo 2>err 3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	exec 8<fifo &&
	exec 8<&- &&
	pause 100 find_window &&
	one &&
	ends &&
	test_must_be_empty err
'

test_expect_success XVFB 'a full disk: the error, exit 1' '
	start draw /dev/full -e -t 16 &&
	test_when_finished "kill \$pid 2>/dev/null; :" &&
	one &&
	{ ends; echo $? >rc; } &&
	echo 1 >expect &&
	test_cmp expect rc &&
	grep "^draw: stdout: No space left on device" err
'

test_expect_success XVFB 'stop the X server' '
	kill $xvfb
'

test_done
