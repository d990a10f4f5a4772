#!/bin/sh
test_description='prep and segment: formats, bad input, edge cases'
cd "${0%/*}" && . ./lib.sh

test_expect_success 'usage errors exit 2; -h is not an error' '
	prep -h >out && grep "^usage: prep" out &&
	segment -h >out && grep "^usage: segment" out &&
	test_expect_code 2 prep -Z </dev/null 2>err &&
	grep "^usage: prep" err &&
	test_expect_code 2 prep -t fast </dev/null 2>err &&
	grep "^prep: -t: bad value .fast." err &&
	test_expect_code 2 prep -s -1 </dev/null &&
	test_expect_code 2 segment -Z </dev/null 2>err &&
	grep "^usage: segment" err &&
	test_expect_code 2 segment -s 2 </dev/null
'

test_expect_success 'the README'"'"'s sample photo reads 5283' '
	prep "$TOP/tests/data/sample.jpg" | segment | cnn-infer >actual &&
	echo 5283 >expect &&
	test_cmp expect actual &&
	draw-digits -p 1000x700 -s 4 5283 >drawn.ppm &&
	prep drawn.ppm | segment | cnn-infer >actual &&
	test_cmp expect actual
'

test_expect_success 'an empty stream: no image, no output, success' '
	prep </dev/null >out && test_must_be_empty out &&
	segment </dev/null >out && test_must_be_empty out &&
	prep </dev/null | segment | cnn-infer >out && test_must_be_empty out
'

test_expect_success 'setup: drawn digits on a page, in several formats' '
	draw-digits 4 | pamscale 4 >4.pgm &&
	draw-digits -s 2 7 | pamscale 4 >7.pgm &&
	pnmcat -lr 4.pgm 7.pgm | pnmpad -black -width 300 -height 200 |
		pnminvert >page.pgm &&
	pnmtopng page.pgm >page.png &&
	pnmtojpeg page.pgm >page.jpg &&
	pgmtoppm rgb:30/30/a0-rgb:f0/f0/e0 page.pgm >page.ppm &&
	pamtopam <page.ppm >page.pam
'

test_expect_success 'PGM, PNG, JPEG, PPM, PAM and stdin all read' '
	for f in page.pgm page.png page.jpg page.ppm page.pam; do
		prep "$f" | segment | cnn-infer >actual &&
		echo 47 >expect &&
		test_cmp expect actual || return 1
	done &&
	prep <page.jpg | segment | cnn-infer >actual &&
	test_cmp expect actual
'

test_expect_success '16-bit and plain netpbm images read too' '
	pamdepth 65535 page.pgm >deep.pgm &&
	pnmtoplainpnm page.pgm >plain.pgm &&
	printf "47\n47\n" >expect &&
	prep deep.pgm plain.pgm | segment | cnn-infer >actual &&
	test_cmp expect actual
'

test_expect_success 'a blank or one-colour image: an empty line' '
	pbmmake -white 300 200 >white.pbm &&
	pbmmake -black 300 200 >black.pbm &&
	pgmmake 0.5 300 200 >grey.pgm &&
	printf "\n\n\n" >expect &&
	prep white.pbm black.pbm grey.pgm | segment | cnn-infer >actual &&
	test_cmp expect actual
'

test_expect_success 'bad images: prep says why and exits 1' '
	printf "P5\n300 200\n255\n" >trunc.pgm && head -c 1000 /dev/zero >>trunc.pgm &&
	test_expect_code 1 prep trunc.pgm >/dev/null 2>err &&
	grep "^prep: trunc.pgm: .*truncated" err &&
	printf "P5\n0 0\n255\n" >zero.pgm &&
	test_expect_code 1 prep zero.pgm >/dev/null 2>err &&
	grep "^prep: zero.pgm: " err &&
	printf "P5\n100000 100000\n255\n" >huge.pgm &&
	test_expect_code 1 prep huge.pgm >/dev/null 2>err &&
	grep "^prep: huge.pgm: .*exceeds the limit" err &&
	head -c 3000 /dev/urandom | tr -d P >random &&
	test_expect_code 1 prep random >/dev/null 2>err &&
	grep "^prep: random: not a PNM, PNG or JPEG" err &&
	head -c 300 page.jpg >cut.jpg &&
	prep cut.jpg >/dev/null 2>err; test $? -le 1 &&
	test_expect_code 1 prep nosuch.png 2>err &&
	grep "^prep: nosuch.png: No such file" err &&
	test_expect_code 1 prep . 2>err
'

test_expect_success 'the pixel limit can be raised' '
	test_expect_code 1 prep -P 1000 page.pgm >/dev/null 2>err &&
	grep "^prep: page.pgm: image of 300x200 pixels exceeds the limit of 1000 pixels (-P raises it)$" err &&
	test_expect_code 1 segment -P 1000 page.pgm >/dev/null 2>err &&
	grep "^segment: page.pgm: .* exceeds the limit of 1000 pixels (-P raises it)$" err &&
	prep -P 100000000 page.pgm | segment | cnn-infer >actual &&
	echo 47 >expect &&
	test_cmp expect actual
'

test_expect_success 'a small picture is doubled, but not past the pixel limit' '
	prep page.pgm >out &&
	grep -a "^# scale=2$" out && grep -a "^600 400$" out &&
	prep -P 239999 page.pgm >out &&
	grep -a "^# scale=1$" out && grep -a "^300 200$" out &&
	prep -P 240000 page.pgm >out &&
	grep -a "^# scale=2$" out
'

test_expect_success 'bad input to segment: exits 1 and says why' '
	test_expect_code 1 segment trunc.pgm >/dev/null 2>err &&
	grep "^segment: trunc.pgm: .*truncated" err &&
	test_expect_code 1 segment random >/dev/null 2>err &&
	grep "^segment: random: " err &&
	test_expect_code 1 segment -m nosuch.cnn page.pgm 2>err &&
	grep "^segment: nosuch.cnn: No such file" err
'

# Two drawn digits pushed together until their strokes run into each
# other: one component, as wide as two digits.  Uncut (-S) it is no
# digit; cut where the classifier reads the pieces best it is both.
test_expect_success 'touching digits are cut apart' '
	for pair in 08 35 47 12 90 56 23 74; do
		draw-digits ${pair%?} | pamscale 3 |
			pnmpad -black -left 20 -right 80 -top 20 -bottom 20 >a.pgm &&
		draw-digits ${pair#?} | pamscale 3 |
			pnmpad -black -left 50 -right 50 -top 20 -bottom 20 >b.pgm &&
		pamarith -max a.pgm b.pgm >$pair.pgm || return 1
	done &&
	segment 08.pgm 35.pgm 47.pgm 12.pgm 90.pgm 56.pgm 23.pgm 74.pgm |
		cnn-infer >actual &&
	printf "08\n35\n47\n12\n90\n56\n23\n74\n" >expect &&
	test_cmp expect actual &&
	segment -S 08.pgm 35.pgm 47.pgm 90.pgm 56.pgm 23.pgm 74.pgm |
		cnn-infer >actual &&
	printf "\n\n\n\n\n\n\n" >expect &&
	test_cmp expect actual
'

# Two 1s written into each other make ink narrower than 0.7 of a digit's
# height, which the net does not read as one digit: it is cut too.
test_expect_success 'two 1s written into each other are cut apart' '
	draw-digits 1 | pamscale 4 >a.pgm &&
	draw-digits -s 3 1 | pamscale 4 >b.pgm &&
	for dx in 20 24; do
		pnmpad -black -right $dx a.pgm >l.pgm &&
		pnmpad -black -left $dx b.pgm >r.pgm &&
		pamarith -max l.pgm r.pgm | pnmcat -lr 4.pgm 7.pgm - |
			pnmpad -black -width 500 -height 200 >11-$dx.pgm || return 1
	done &&
	segment 11-20.pgm 11-24.pgm | cnn-infer >actual &&
	printf "4711\n4711\n" >expect &&
	test_cmp expect actual
'

# A 2 with a long foot, wider than 1.25 digit heights, touching the 1
# before it: the piece that is the 2 may be as wide as 1.6.
test_expect_success 'a 1 touching a wide 2 is cut from it' '
	draw-digits 1 | pamscale 4 | pnmpad -black -left 80 -right 260 >l.pgm &&
	for w in 280-66 300-58; do
		draw-digits 2 | pamscale -xsize ${w%-*} -ysize 112 |
			pnmpad -black -left ${w#*-} -right $((452 - ${w%-*} - ${w#*-})) |
			pamarith -max l.pgm - | pnmcat -lr - 4.pgm |
			pnmpad -black -right 100 -top 40 -bottom 40 >12-$w.pgm ||
			return 1
	done &&
	segment 12-280-66.pgm 12-300-58.pgm | cnn-infer >actual &&
	printf "124\n124\n" >expect &&
	test_cmp expect actual
'

# dark_light_read DARK LIGHT TEXT: prep finds dark ink in picture DARK and
# light ink in LIGHT, its negative, and both read TEXT.
dark_light_read() {
	prep "$1" "$2" >pair.pgm &&
	grep -a "^# ink=" pair.pgm >actual &&
	printf "# ink=dark\n# ink=light\n" >expect &&
	test_cmp expect actual &&
	segment pair.pgm | cnn-infer >actual &&
	printf "%s\n%s\n" "$3" "$3" >expect &&
	test_cmp expect actual
}

# A page turned 5 degrees in software, its corners filled with white,
# brighter than the photographed paper: the fill reaches the picture's
# edge in narrow slivers, which the polarity test took for light ink.
# Inverted, light ink on dark paper with black corners.
test_expect_success 'the corners of a page turned in software are no ink' '
	draw-digits -p 1200x900 -s 4 "5283 1947 60" |
		pnmrotate -background=white 5 >turned.ppm &&
	pnminvert turned.ppm >turned-inv.ppm &&
	dark_light_read turned.ppm turned-inv.ppm "5283 1947 60"
'

# ... and with grey corners, darker than the paper: where the fill meets
# the picture's edge it leaves slivers a third of a digit high, no 1s.
test_expect_success 'slivers of ink at the picture'"'"'s edge are no digits' '
	draw-digits -p 1200x900 -s 4 "5283 1947 60" |
		pnmrotate -background=gray50 5 | prep | segment |
		cnn-infer >actual &&
	echo "5283 1947 60" >expect &&
	test_cmp expect actual
'

# white (ink) box W H at X Y on a black 1000x700 picture, over $1
ink_box() {
	ppmmake rgb:ff/ff/ff "$2" "$3" | ppmtopgm |
		pamcomp -xoff "$4" -yoff "$5" - "$1"
}

# A 7 whose bar the pen left apart from its stem: a long flat stroke, as
# a dash is, but over the rest of a digit, so that digit's bar.  A dash
# beside the digits and a line under them all stay out.
test_expect_success 'a 7'"'"'s bar apart from its stem joins it; a dash does not' '
	draw-digits 7 | pamscale 4 >b7.pgm &&
	pamcut -top 0 -height 40 b7.pgm >top.pgm &&
	pgmmake 0 112 4 >gap.pgm &&
	pamcut -top 44 b7.pgm >bottom.pgm &&
	pnmcat -tb top.pgm gap.pgm bottom.pgm >7b.pgm &&
	pgmmake 0 112 112 >blank.pgm &&
	ink_box blank.pgm 50 10 30 55 >dash.pgm &&
	pnmcat -lr 4.pgm 7b.pgm dash.pgm 4.pgm |
		pnmpad -black -width 600 -height 200 >474.pgm &&
	ink_box 474.pgm 440 8 10 150 >474u.pgm &&
	segment 474.pgm 474u.pgm | cnn-infer >actual &&
	printf "474\n474\n" >expect &&
	test_cmp expect actual
'

# A margin drawn as a dashed line down the left: six straight pieces, each
# alone in its line of writing, which read as 1 each.  Three numbers
# that begin with a 1 as straight, one under the other, keep their 1s:
# their digits are beside them.
test_expect_success 'a broken margin line is no 1s; 1s that begin numbers stay' '
	for d in 9 6 0 7 4 3; do
		draw-digits -s 2 $d | pamscale 4 >d$d.pgm || return 1
	done &&
	pnmcat -lr d9.pgm d6.pgm d0.pgm >960.pgm &&
	pgmmake 0 900 640 | pamcomp -xoff 300 -yoff 20 960.pgm >dashes.pgm &&
	for k in 0 1 2; do
		y=$((170 + 150 * k)) &&
		ink_box dashes.pgm 9 80 316 $((y + 16)) |
			pamcomp -xoff 340 -yoff $y d$(echo 743 | cut -c$((k + 1))).pgm \
			>next.pgm &&
		mv next.pgm dashes.pgm || return 1
	done &&
	pnmsmooth -width 5 -height 5 dashes.pgm >ones.pgm 2>/dev/null &&
	for k in 0 1 2 3 4 5; do
		ink_box dashes.pgm 5 40 $((60 + k / 3)) $((10 + 110 * k)) >next.pgm &&
		mv next.pgm dashes.pgm || return 1
	done &&
	pnmsmooth -width 5 -height 5 dashes.pgm >margin.pgm 2>/dev/null &&
	segment ones.pgm margin.pgm | cnn-infer >actual &&
	printf "960 17 14 13\n960 17 14 13\n" >expect &&
	test_cmp expect actual
'

# Eight dashes of a margin, two of them in lines of writing, close beside
# the first digits: still the margin's, since the other six are alone.
test_expect_success 'a dashed margin beside the first digits is no 1s' '
	for d in 2 5; do
		draw-digits -s 2 $d | pamscale 4 >d$d.pgm || return 1
	done &&
	pnmcat -lr d2.pgm d5.pgm >25.pgm &&
	pgmmake 0 640 900 | pamcomp -xoff 80 -yoff 200 960.pgm |
		pamcomp -xoff 80 -yoff 530 25.pgm >near.pgm &&
	for k in 0 1 2 3 4 5 6 7; do
		ink_box near.pgm 5 40 $((60 + k / 3)) $((10 + 110 * k)) >next.pgm &&
		mv next.pgm near.pgm || return 1
	done &&
	pnmsmooth -width 5 -height 5 near.pgm >margin2.pgm 2>/dev/null &&
	segment margin2.pgm | cnn-infer >actual &&
	echo "960 25" >expect &&
	test_cmp expect actual
'

# Under a number, a line of three short upright strokes (the pieces of a
# squared sheet's crosses), each of which would read as a 1.
test_expect_success 'a line of short strokes under the digits is no 1s' '
	pgmmake 0 640 500 | pamcomp -xoff 80 -yoff 100 960.pgm >under.pgm &&
	for k in 0 1 2; do
		ink_box under.pgm 5 40 $((120 + 120 * k)) 300 >next.pgm &&
		mv next.pgm under.pgm || return 1
	done &&
	pnmsmooth -width 5 -height 5 under.pgm >strokes.pgm 2>/dev/null &&
	segment strokes.pgm | cnn-infer >actual &&
	echo 960 >expect &&
	test_cmp expect actual
'

test_expect_success 'a desk past the sheet, solid ink from the edge, is no digit' '
	prep "$TOP/tests/data/sample.jpg" >s.pgm &&
	ppmmake rgb:00/00/00 1000 700 | ppmtopgm >black.pgm &&
	ink_box black.pgm 300 160 650 540 >desk.pgm &&
	pamarith -max s.pgm desk.pgm >a.pgm &&
	segment a.pgm | cnn-infer >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

# Bold digits, thresholded, but for the stem of the 7, faint: the picture
# is all but two-tone, auto chooses Otsu's threshold, which falls below
# the stem; Sauvola's ink, kept as well, holds it.
test_expect_success 'a faint stroke beside bold ink stays in a two-tone picture' '
	for d in 4 7 5 8 0; do
		draw-digits -s 1 $d | pamscale 8 | pamthreshold -simple |
			pamdepth 255 2>/dev/null >b$d.pgm || return 1
	done &&
	pamcut -top 0 -height 100 b7.pgm >top.pgm &&
	pamcut -top 100 b7.pgm | pamfunc -multiplier=0.3 >stem.pgm &&
	pnmcat -tb top.pgm stem.pgm >faint7.pgm &&
	pnmcat -lr b4.pgm faint7.pgm b5.pgm b8.pgm b0.pgm |
		pnmpad -black -width 1600 -height 1000 | pnminvert >faint.pgm &&
	prep faint.pgm >faint.out &&
	grep -a "^# threshold=otsu" faint.out &&
	segment faint.out | cnn-infer >actual &&
	echo 47580 >expect &&
	test_cmp expect actual
'

# A sheet's corner on a dark desk, two small digits far from it: where
# the desk fills most of a window, the paper stands out light from the
# window's median as ink would.  Taken for light ink, the sheet came out
# as one white block and the digits as holes in it.  Inverted (chalk on
# a board, a light wall around it), the ink is light.
test_expect_success 'a sheet'"'"'s corner on a desk is no light ink' '
	draw-digits 7 | pamscale 2 >a.pgm &&
	draw-digits -s 2 6 | pamscale 2 >b.pgm &&
	pnmcat -lr a.pgm b.pgm >dg.pgm &&
	ppmmake rgb:20/20/20 112 56 >ink.ppm &&
	ppmmake rgb:e8/e0/d0 900 1300 |
		pamcomp -xoff 450 -yoff 900 -alpha=dg.pgm ink.ppm - >sheet.ppm &&
	ppmmake rgb:18/16/14 1150 1500 | pamcomp -yoff 200 sheet.ppm - \
		>corner.ppm &&
	pnminvert corner.ppm >board.ppm &&
	dark_light_read corner.ppm board.ppm 76
'

# The same digits on a sheet beside a dark desk of coarse grain: divided
# by the desk's own dimness, its grain stood out as ink, blots that hid
# the digits (all read as ?).  What is far darker than the paper is off
# the sheet, no ink.
test_expect_success 'a dark desk'"'"'s grain is no ink' '
	ppmmake rgb:e8/e0/d0 700 1000 |
		pamcomp -xoff 300 -yoff 500 -alpha=dg.pgm ink.ppm - |
		ppmtopgm >side.pgm &&
	for seed in 1 2 3; do
		pgmnoise -randomseed $seed 37 125 2>/dev/null |
			pamscale -width 300 -height 1000 | pamfunc -multiplier 0.2 |
			pamfunc -adder 20 >grain.pgm &&
		pnmcat -lr side.pgm grain.pgm >desk$seed.pgm || return 1
	done &&
	prep desk1.pgm desk2.pgm desk3.pgm | segment -k | cnn-infer >actual &&
	printf "76\n76\n76\n" >expect &&
	test_cmp expect actual
'

# A desk seen past a corner of the sheet: a half-empty triangle from the
# picture's edge, five digits tall, below the sample.  It held most of
# the ink, so the page's digits were taken to be its height, and the
# real ones dropped as specks.
test_expect_success 'ink from the picture'"'"'s edge does not set the digits'"'"' height' '
	{
		printf "P2\n600 600\n255\n" &&
		awk "BEGIN { for (y = 0; y < 600; y++) for (x = 0; x < 600; x++)
		    print (x < y) * 255 }"
	} >tri.pgm &&
	ppmmake rgb:00/00/00 1000 1300 | ppmtopgm |
		pamcomp -yoff 700 tri.pgm - >tri-page.pgm &&
	pnmpad -black -bottom 600 s.pgm | pamarith -max - tri-page.pgm >st.pgm &&
	segment st.pgm | cnn-infer >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

# A strip of desk past the sheet's edge, solid but for specks of grain
# joined to its foot, which leave most of its box empty: no page edge
# (it is not long and thin) and no solid ink.  Three digits tall, it
# read as 1, and joined the lines of writing beside it into one.
test_expect_success 'a ragged strip from the picture'"'"'s edge is no 1' '
	{
		printf "P2\n200 410\n255\n" &&
		awk "BEGIN { for (y = 0; y < 410; y++) for (x = 0; x < 200; x++)
		    print (x < 50 || (y >= 400 && x < 200 - (y - 400) * 8)) * 255 }"
	} >strip.pgm &&
	ppmmake rgb:00/00/00 1000 700 | ppmtopgm |
		pamcomp -yoff 140 strip.pgm - | pamarith -max s.pgm - >ss.pgm &&
	segment ss.pgm | cnn-infer >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

# A tall strip of grain (random dots, one component with hundreds of
# holes: a desk seen past the sheet) beside a lone digit.  Taken for
# writing, it made the page's digits look tall, dropped the 6 as a speck
# beside them, and read as 1.
test_expect_success 'grain is no digit, and does not hide one' '
	draw-digits 6 | pamscale 3 | pamcomp -xoff 500 -yoff 400 - black.pgm \
		>six.pgm &&
	for seed in 7 8 9; do
		pgmnoise -randomseed $seed 60 500 2>/dev/null |
			pamthreshold -simple -threshold 0.5 2>/dev/null |
			pamdepth 255 2>/dev/null |
			pamcomp -xoff 40 -yoff 100 - black.pgm >grain.pgm &&
		pamarith -max six.pgm grain.pgm >g$seed.pgm || return 1
	done &&
	segment six.pgm g7.pgm g8.pgm g9.pgm | cnn-infer >actual &&
	printf "6\n6\n6\n6\n" >expect &&
	test_cmp expect actual
'

# Printed letters and signs beside the sample, as tall as its digits, in
# pbmtext's font: the net finds them not digits, segment does not cut a
# stem off to read it as 1, and drops them unless told to keep them (-k),
# when cnn-infer shows each as "?"; but the f (c26), which pbmtext sets
# below the digits: alone on a line of its own, thin as a stroke and
# under 0.7 of their height, it goes by its shape, as a scrap of a ruled
# line does, which -k does not keep.  Not every letter: the built-in net
# reads B as 13, Q as 0, j and l as 1, q as 7 (shapes some hands give
# digits are no letters among cnn-train -N's non-digits).
test_expect_success 'letters and signs are no digits; -k keeps them' '
	n=0 &&
	for ch in A C D E F G H K L M N P R S T U V W X Y Z \
	    a b c e f g k m n r s v w x z "#" "$" "%" "&" "*" "+" "@"; do
		n=$((n + 1)) &&
		pbmtext -nomargins "$ch" | pnminvert | pamscale 9 2>/dev/null |
			pnmpad -black -left 860 -top 290 |
			pnmpad -black -width 1000 -height 700 >l.pgm &&
		pamarith -max s.pgm l.pgm >c$n.pgm || return 1
	done &&
	test $n = 43 &&
	segment c*.pgm | cnn-infer >actual &&
	yes 5283 | head -n $n >expect &&
	test_cmp expect actual &&
	segment -k $(ls c*.pgm | grep -v "^c26\.pgm$") | cnn-infer >actual &&
	test $(wc -l <actual) = $((n - 1)) &&
	! grep -v "^5283 ?$" actual &&
	segment -k c26.pgm | cnn-infer >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

test_expect_success 'a ruled line broken where a digit sits on it goes whole' '
	ink_box black.pgm 1000 3 0 100 >l.pgm &&
	ink_box l.pgm 1000 3 0 600 >ll.pgm &&
	ink_box ll.pgm 230 3 0 400 >l.pgm &&
	ink_box l.pgm 200 3 800 400 >ll.pgm &&
	pamarith -max s.pgm ll.pgm >a.pgm &&
	segment a.pgm | cnn-infer >actual &&
	echo 5283 >expect &&
	test_cmp expect actual
'

# Squared paper photographed at a slant: 4-pixel lines that fan out, up
# to 1.4 degrees off the page's skew either way, crossing every digit.
# With specks among them the digits' height (the median of the free
# components') is the specks' 7 pixels, and a line thickness derived
# from it (3) would be thinner than the lines: their own is measured.
test_expect_success 'squared paper fanned out by the camera goes, however thick' '
	cat >grid.pl <<-\EOF &&
	my @px = (0) x (1000 * 700);
	for my $i (0 .. 8) {
		my ($y0, $t) = (40 + 75 * $i, ($i - 4) * 0.006);
		for my $x (0 .. 999) {
			my $y = int($y0 + $t * ($x - 500));
			$px[($y + $_) * 1000 + $x] = 200 for 0 .. 3;
		}
	}
	for my $j (0 .. 12) {
		my ($x0, $t) = (20 + 80 * $j, ($j - 6) * 0.005);
		for my $y (0 .. 699) {
			my $x = int($x0 + $t * ($y - 350));
			$px[$y * 1000 + $x + $_] = 200 for 0 .. 3;
		}
	}
	for my $k (0 .. ($ARGV[0] ? 59 : -1)) {
		my ($x, $y) = (47 + $k * 389 % 900, 55 + $k * 241 % 600);
		for my $dy (0 .. 6) {
			$px[($y + $dy) * 1000 + $x + $_] = 200 for 0 .. 2;
		}
	}
	print "P5\n1000 700\n255\n", pack("C*", @px);
	EOF
	perl grid.pl 0 | pamarith -max s.pgm - >fan.pgm &&
	perl grid.pl 1 | pamarith -max s.pgm - >specks.pgm &&
	segment fan.pgm specks.pgm | cnn-infer >actual &&
	printf "5283\n5283\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'segment writes the contract: metadata and markers' '
	{ prep page.pgm && prep white.pbm && prep page.pgm; } | segment >digits &&
	pamfile -allimages digits >files 2>/dev/null || pamfile digits >files;
	grep -c "^# img=" digits >actual &&
	echo 5 >expect &&
	test_cmp expect actual &&
	grep -c "^# count=0" digits >actual &&
	echo 1 >expect &&
	test_cmp expect actual &&
	cnn-infer digits >actual &&
	printf "47\n\n47\n" >expect &&
	test_cmp expect actual
'

test_expect_success 'output to a full disk is an error' '
	test_expect_code 1 prep page.pgm >/dev/full 2>err &&
	grep "^prep: stdout" err &&
	prep page.pgm | test_expect_code 1 segment >/dev/full 2>err &&
	grep "^segment: stdout" err
'

# A sheet of 3x3 dots, 6 pixels apart: 40000 pieces of ink, each of which
# would be weighed as a digit.  segment refuses it at once (-n).
test_expect_success 'an image of too many pieces of ink is refused' '
	perl -e "print qq(P5\n1200 1200\n255\n);
		for \$y (0..1199) { print join q(), map {
			(\$y % 6 < 3 && \$_ % 6 < 3) ? chr(255) : chr(0) } 0..1199 }" \
		>dots.pgm &&
	test_expect_code 1 segment dots.pgm >out 2>err &&
	test_must_be_empty out &&
	echo "segment: dots.pgm: more than 20000 pieces of ink: not a page of digits (-n raises the limit)" >expect &&
	test_cmp expect err &&
	test_expect_code 1 show -o pic.ppm dots.pgm >out 2>err &&
	grep "^show: dots.pgm: more than 20000 pieces of ink" err &&
	segment -n 40000 dots.pgm >digits &&
	cnn-infer digits >out &&
	test_line_count = 1 out
'

test_done
