#!/bin/sh
test_description='grab: capture through libv4l2 from the emulated camera'
cd "${0%/*}" && . ./lib.sh

# The camera: tests/fakecam.so, under libv4l2, at a path that need not
# exist; each test sets FAKECAM_FRAMES and whatever else it needs.  The
# command runs with SIGINT as it is by default: a background job of a
# script starts with it ignored, and grab leaves an ignored signal so.
DEV=/dev/video63
cam() {
	env LD_PRELOAD="$TOP/tests/fakecam.so" FAKECAM_DEVICE=$DEV \
		FAKECAM_LOG=log perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' "$@"
}
# raster F: the image(s) of F without header comments, as netpbm writes
raster() {
	pamtopnm <"$1"
}
# maxdiff A B: the largest difference of a sample between two images
maxdiff() {
	pamarith -difference "$1" "$2" | pamsumm -max -brief
}

test_expect_success 'usage errors exit 2; -h is not an error' '
	grab -h >out && grep "^usage: grab" out &&
	test_expect_code 2 grab -Z 2>err && grep "^usage: grab" err &&
	test_expect_code 2 grab -s 640 2>err &&
	grep "^grab: -s: bad size .640." err &&
	test_expect_code 2 grab -n -1 &&
	test_expect_code 2 grab extra
'

test_expect_success 'setup: frames of handwritten digits' '
	draw-digits -p 640x480 -s 5 1 >f1.ppm &&
	draw-digits -p 640x480 -s 5 27 >f2.ppm &&
	draw-digits -p 640x480 -s 5 358 >f3.ppm &&
	cat f1.ppm f2.ppm f3.ppm >three.ppm &&
	ppmtopgm f2.ppm >grey.pgm &&
	pgmtoppm white grey.pgm >grey.ppm
'

test_expect_success 'YUYV, grey picture: the exact pixels, RGB and grey' '
	FAKECAM_FRAMES=grey.pgm cam grab -k 0 -d $DEV >out.ppm &&
	raster out.ppm >actual && raster grey.ppm >expect &&
	test_cmp expect actual &&
	FAKECAM_FRAMES=grey.pgm cam grab -g -k 0 -d $DEV >out.pgm &&
	raster out.pgm >actual && raster grey.pgm >expect &&
	test_cmp expect actual &&
	head -3 out.pgm >actual &&
	printf "P5\n# src=$DEV\n# frame=0\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'YUYV, colour: libv4l2 converts it back closely' '
	FAKECAM_FRAMES=f3.ppm cam grab -k 0 -d $DEV >out.ppm &&
	ppmtopgm out.ppm >y.pgm && ppmtopgm f3.ppm >y0.pgm &&
	test $(maxdiff y.pgm y0.pgm) -le 2 &&
	pamarith -difference out.ppm f3.ppm | pamsumm -mean -brief >mean &&
	awk "{ exit !(\$1 < 4) }" mean
'

test_expect_success 'MJPEG: decoded by libv4l2, close to the picture' '
	FAKECAM_FORMAT=MJPEG FAKECAM_FRAMES=f3.ppm \
		cam grab -k 0 -d $DEV >out.ppm &&
	test $(maxdiff out.ppm f3.ppm) -le 40 &&
	FAKECAM_FORMAT=MJPEG FAKECAM_FRAMES=grey.pgm \
		cam grab -g -k 0 -d $DEV >out.pgm &&
	test $(maxdiff out.pgm grey.pgm) -le 16
'

test_expect_success 'frames in order, the first skipped, and the count' '
	rm -f log &&
	FAKECAM_FRAMES=three.ppm cam grab -n 5 -k 1 -d $DEV >out.ppm &&
	pamfile -allimages out.ppm >files &&
	test_line_count = 5 files &&
	prep out.ppm | segment | cnn-infer >actual &&
	printf "27\n358\n1\n27\n358\n" >expect &&
	test_cmp expect actual &&
	grep -c "^frame " log >n && echo 6 >expect && test_cmp expect n
'

test_expect_success 'the stream reads the same in MJPEG' '
	FAKECAM_FORMAT=MJPEG FAKECAM_FRAMES=three.ppm \
		cam grab -n 3 -k 0 -d $DEV | prep | segment | cnn-infer >actual &&
	printf "1\n27\n358\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a size the camera has; the nearest for one it has not' '
	FAKECAM_SIZES="320x240" FAKECAM_FRAMES=f2.ppm \
		cam grab -s 320x240 -k 0 -d $DEV >out.ppm &&
	pamfile out.ppm >actual && grep "320 by 240" actual &&
	FAKECAM_FRAMES=f2.ppm cam grab -s 800x600 -k 0 -d $DEV \
		>out.ppm 2>err &&
	pamfile out.ppm >actual && grep "640 by 480" actual &&
	grep "^grab: $DEV: 640x480 RGB3" err
'

test_expect_success '-v: the size, format and rate the camera agreed to' '
	FAKECAM_FPS=15 FAKECAM_FRAMES=f1.ppm \
		cam grab -v -r 30 -k 0 -d $DEV >out.ppm 2>err &&
	printf "grab: $DEV: 640x480 RGB3\ngrab: $DEV: 15 frames a second\n" \
		>expect &&
	test_cmp expect err &&
	FAKECAM_FPS=15 FAKECAM_FRAMES=f1.ppm \
		cam grab -v -g -r 15 -k 0 -d $DEV >out.pgm 2>err &&
	printf "grab: $DEV: 640x480 YU12\ngrab: $DEV: 15 frames a second\n" \
		>expect &&
	test_cmp expect err
'

test_expect_success '-l lists formats, sizes and rates' '
	FAKECAM_FORMAT=YUYV,MJPEG FAKECAM_SIZES=320x240 FAKECAM_FPS=15 \
		FAKECAM_FRAMES=f1.ppm cam grab -l -d $DEV >actual &&
	grep "^YUYV	640x480	15	" actual &&
	grep "^YUYV	320x240	15	" actual &&
	grep "^MJPG	640x480	15	" actual &&
	grep "^RGB3	640x480	15	.*(emulated)$" actual &&
	grep "^YU12	320x240	15	.*(emulated)$" actual
'

test_expect_success 'a line per frame as the frames come' '
	(FAKECAM_FPS=10 FAKECAM_FRAMES=three.ppm \
		cam grab -n 0 -k 0 -d $DEV | prep | segment | cnn-infer \
		>lines) &
	pause 100 eval "test \$(wc -l <lines 2>/dev/null || echo 0) -ge 3" &&
	pkill -INT -f "^grab -n 0 -k 0 -d $DEV" &&
	wait &&
	head -3 lines >actual &&
	printf "1\n27\n358\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'a reader that goes away: exit 0, the camera released' '
	rm -f log &&
	{ FAKECAM_FRAMES=three.ppm cam grab -n 0 -k 0 -d $DEV; \
		echo $? >status; } | head -c 2000000 >/dev/null &&
	echo 0 >expect && test_cmp expect status &&
	tail -3 log >actual &&
	printf "streamoff\nreqbufs 0\nclose\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'SIGINT: whole frames, the camera released, death by it' '
	rm -f log &&
	env LD_PRELOAD="$TOP/tests/fakecam.so" FAKECAM_DEVICE=$DEV \
		FAKECAM_LOG=log FAKECAM_FPS=20 FAKECAM_FRAMES=three.ppm \
		perl -e "\$SIG{INT} = q(DEFAULT); exec @ARGV" \
		grab -n 0 -k 0 -d $DEV >out.ppm &
	pid=$! &&
	pause 100 eval "test \$(grep -c \"^frame \" log 2>/dev/null) -ge 4" &&
	kill -INT $pid &&
	{ wait $pid; echo $? >status; } &&
	echo 130 >expect && test_cmp expect status &&
	pamfile -allimages out.ppm >files &&
	test $(wc -l <files) -ge 3 &&
	tail -3 log >actual &&
	printf "streamoff\nreqbufs 0\nclose\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'no such device' '
	test_expect_code 1 grab -d /nonexistent/video0 >out 2>err &&
	echo "grab: /nonexistent/video0: No such file or directory" >expect &&
	test_cmp expect err && test_must_be_empty out
'

test_expect_success 'a file that is no camera' '
	test_expect_code 1 grab -d /dev/null >out 2>err &&
	echo "grab: /dev/null: not a V4L2 device" >expect &&
	test_cmp expect err && test_must_be_empty out
'

test_expect_success 'permission denied' '
	FAKECAM_FAIL=open FAKECAM_FRAMES=f1.ppm \
		test_expect_code 1 cam grab -d $DEV >out 2>err &&
	echo "grab: $DEV: Permission denied" >expect &&
	test_cmp expect err && test_must_be_empty out
'

test_expect_success 'not a capture device' '
	FAKECAM_FAIL=notcap FAKECAM_FRAMES=f1.ppm \
		test_expect_code 1 cam grab -d $DEV >out 2>err &&
	grep "^grab: $DEV: not a video capture device" err &&
	test_line_count = 1 err && test_must_be_empty out
'

test_expect_success 'device busy' '
	FAKECAM_FAIL=busy FAKECAM_FRAMES=f1.ppm \
		test_expect_code 1 cam grab -d $DEV >out 2>err &&
	grep "^grab: $DEV: device busy" err && test_must_be_empty out
'

test_expect_success 'no format libv4l2 can convert' '
	FAKECAM_FORMAT=H264 FAKECAM_FRAMES=f1.ppm \
		test_expect_code 1 cam grab -d $DEV >out 2>err &&
	grep "^grab: $DEV: no format libv4l2 can convert to RGB3 (the camera gives H264" err &&
	test_line_count = 1 err && test_must_be_empty out
'

test_expect_success 'a camera that stops delivering: a timeout, no hang' '
	FAKECAM_FAIL=stall:4 FAKECAM_FRAMES=three.ppm \
		test_expect_code 1 cam grab -n 0 -k 1 -t 0.5 -d $DEV \
		>out.ppm 2>err &&
	echo "grab: $DEV: no frame came for 0.5 s (the camera stopped delivering)" >expect &&
	test_cmp expect err &&
	pamfile -allimages out.ppm >files && test_line_count = 3 files
'

test_expect_success 'a camera unplugged while capturing' '
	FAKECAM_FAIL=vanish:4 FAKECAM_FRAMES=three.ppm \
		test_expect_code 1 cam grab -n 0 -k 0 -d $DEV >out.ppm 2>err &&
	echo "grab: $DEV: the device went away" >expect &&
	test_cmp expect err &&
	pamfile -allimages out.ppm >files && test_line_count = 4 files
'

test_expect_success 'a full output disk' '
	FAKECAM_FRAMES=f1.ppm test_expect_code 1 cam grab -k 0 -d $DEV \
		>/dev/full 2>err &&
	grep "^grab: stdout: No space left on device" err
'

test_done
