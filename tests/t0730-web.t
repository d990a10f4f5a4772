#!/bin/sh
test_description='digits-web: the JSON API (bad requests too, limits, signals)
and the page in a real browser (chromium driven by playwright-core)'
cd "${0%/*}" && . ./lib.sh

HTTP="perl $TOP/tests/web/http.pl"

# perl digits.pl <JSON: the answer of /api/recognize as text: its text,
# its size, then a row per digit as cnn-infer -v prints them (line,
# index, box, digit, confidence), then each digit's guesses.
cat >digits.pl <<'EOF'
use strict;
use warnings;
use JSON::PP;

local $/;
my $j = decode_json(<STDIN>);
print "text $j->{text}\nsize $j->{width}x$j->{height}\n";
for my $d (@{$j->{digits}}) {
	print join("\t", $d->{line}, $d->{index}, @{$d->{box}}, $d->{digit},
	    sprintf("%.4f", $d->{confidence})), "\n";
}
for my $d (@{$j->{digits}}) {
	print join(" ", "top", map { "$_->{digit}=$_->{p}" } @{$d->{top}}), "\n";
}
EOF

# perl slow.pl PORT: a request whose body comes 10 bytes every 0.4 s;
# succeeds if the server closes the connection without an answer.
cat >slow.pl <<'EOF'
use strict;
use warnings;
use IO::Socket::INET;

$SIG{PIPE} = 'IGNORE';
my $s = IO::Socket::INET->new("127.0.0.1:$ARGV[0]") or die "connect: $!\n";
print $s "POST /api/recognize HTTP/1.1\r\nHost: x\r\n",
    "Content-Length: 1000\r\n\r\n";
for (1 .. 8) {
	syswrite($s, "x" x 10) or last;
	select(undef, undef, undef, 0.4);
}
my $got = join('', <$s>);
print "got: $got\n" if $got ne '';
exit($got eq '' ? 0 : 1);
EOF

# serve LOG ARGS...: digits-web ARGS in the background on a free port,
# its stderr to LOG; sets pid and url once it listens.  What runs in the
# background closes sharness's descriptors (3 to 6), which would
# otherwise keep prove waiting for it.
serve() {
	log=$1
	shift
	{ digits-web -p 0 "$@" </dev/null >/dev/null 2>"$log" \
		3>&- 4>&- 5>&- 6>&- & } &&
	pid=$! &&
	pause 100 grep -q "listening on" "$log" &&
	url=$(sed -n "s/^digits-web: listening on \(http:.*\)$/\1/p" "$log") &&
	test -n "$url"
}

# status CODE FILE: FILE (http.pl's output) has status CODE and a JSON
# error as its body.
status() {
	echo "$1" >expect.status &&
	sed -n 1p "$2" >actual.status &&
	test_cmp expect.status actual.status &&
	sed 1d "$2" | grep "^{\"error\":\".*\"}$"
}

test_expect_success 'usage errors exit 2; -h is not an error' '
	digits-web -h >out && grep "^usage: digits-web \[-P pixels\]" out &&
	test_expect_code 2 digits-web -Z 2>err &&
	grep "^usage: digits-web" err &&
	test_expect_code 2 digits-web -p 70000 2>err &&
	grep "^digits-web: -p: bad value" err &&
	test_expect_code 2 digits-web -a localhost 2>err &&
	grep "^digits-web: -a: localhost: not an IPv4 or IPv6 address" err &&
	test_expect_code 2 digits-web extra 2>err &&
	test_expect_code 1 digits-web -m nosuch.cnn 2>err &&
	grep "^digits-web: nosuch.cnn: No such file" err
'

test_expect_success 'a man page, clean under mandoc, with every option' '
	mandoc -Tlint -Wwarning "$TOP/man/digits-web.1" >out 2>&1 &&
	test_must_be_empty out &&
	digits-web -h | grep -o "\[-[A-Za-z]" | tr -d "[-" >opts &&
	test_line_count = 9 opts &&
	for o in h $(cat opts); do
		grep -q "^\.It Fl $o\b" "$TOP/man/digits-web.1" ||
		{ echo "-$o undocumented"; return 1; }
	done
'

test_expect_success 'setup: pictures, and a server' '
	cp "$TOP/tests/data/sample.jpg" sample.jpg &&
	jpegtopnm sample.jpg >sample.ppm 2>/dev/null &&
	pnmtopng sample.ppm >sample.png &&
	draw-digits -p 200x200 -s 1 7 | prep | segment >seven.pgm &&
	head -c 2000 sample.png >trunc.png &&
	head -c 20000 sample.ppm >trunc.ppm &&
	echo "no image here" >notes.txt &&
	pbmmake -white 1100 1000 >huge.pbm &&
	head -c 3100000 /dev/zero >big.bin &&
	serve web.log -b 3000000 -P 1000000 -j 2 &&
	web=$pid base=$url
'

test_expect_success 'the server says where it listens, on loopback' '
	grep "^digits-web: listening on http://127\.0\.0\.1:[0-9][0-9]*/$" web.log
'

test_expect_success 'GET /api/health: a small JSON' '
	$HTTP GET "${url}api/health" >out &&
	sed -n 1p out >actual && echo 200 >expect && test_cmp expect actual &&
	sed 1d out | grep "^{\"status\":\"ok\",\"jobs\":2,\"busy\":0,"
'

test_expect_success 'GET /: the page, with nothing from elsewhere' '
	$HTTP GET "$url" >out &&
	sed -n 1p out >actual && echo 200 >expect && test_cmp expect actual &&
	grep "<canvas id=\"pad\"" out &&
	grep "<input type=\"file\" id=\"file\"" out &&
	grep "getUserMedia" out &&
	! grep -i "src=\"http\|href=\"http\|url(http\|@import" out
'

test_expect_success 'the sample photo: 5283, the boxes of the three programs' '
	$HTTP POST "${url}api/recognize" sample.jpg >out &&
	sed -n 1p out >actual && echo 200 >expect && test_cmp expect actual &&
	sed 1d out | perl digits.pl >answer &&
	{
		echo "text 5283" &&
		echo "size 1000x700" &&
		prep sample.jpg | segment | cnn-infer -v | cut -f 2-9
	} >expect &&
	grep -v "^top " answer >actual &&
	test_cmp expect actual &&
	grep "^top " answer >tops &&
	test_line_count = 4 tops &&
	grep -c "^top [0-9]=[0-9.]* [0-9?]=[0-9.]* [0-9?]=[0-9.]*$" tops >n &&
	echo 4 >expect && test_cmp expect n
'

test_expect_success 'PNG, PPM and a 28x28 PGM digit read as the programs do' '
	for f in sample.png sample.ppm seven.pgm; do
		$HTTP POST "${url}api/recognize" $f >out &&
		sed 1d out | perl digits.pl | sed -n "1p" >actual &&
		echo "text $(prep $f | segment | cnn-infer)" >expect &&
		test_cmp expect actual || return 1
	done &&
	echo "text 7" >expect && test_cmp expect actual
'

test_expect_success 'bad requests: 4xx and a JSON error, each' '
	$HTTP POST "${url}api/recognize" /dev/null >out &&
	status 400 out && grep "empty body" out &&
	$HTTP POST "${url}api/recognize" notes.txt >out &&
	status 400 out && grep "not a PNM, PNG or JPEG image" out &&
	$HTTP POST "${url}api/recognize" trunc.png >out &&
	status 400 out &&
	$HTTP POST "${url}api/recognize" trunc.ppm >out &&
	status 400 out && grep "truncated" out &&
	$HTTP POST "${url}api/recognize" big.bin >out &&
	status 413 out && grep "larger than 3000000 bytes" out &&
	$HTTP POST "${url}api/recognize" huge.pbm >out &&
	status 413 out && grep "exceeds the limit of 1000000 pixels" out &&
	$HTTP GET "${url}api/recognize" >out &&
	status 405 out &&
	$HTTP DELETE "${url}api/recognize" >out &&
	status 405 out &&
	$HTTP POST "$url" sample.jpg >out &&
	status 405 out &&
	$HTTP GET "${url}nosuch" >out &&
	status 404 out && grep "/nosuch: no such page" out
'

test_expect_success 'a body trickled in for longer than -T is cut off' '
	serve slow.log -T 1 &&
	slow=$pid surl=$url pid=$web url=$base &&
	port=${surl##*:} && port=${port%/} &&
	perl slow.pl $port &&
	$HTTP GET "${surl}api/health" >out &&
	grep "^200$" out &&
	kill $slow && wait $slow
'

test_expect_success 'more at once than -j: 503 and a JSON error' '
	pnmscale 4 sample.ppm | pnmtopng >large.png &&
	serve busy.log -j 1 &&
	busy=$pid burl=$url pid=$web url=$base &&
	$HTTP -n 6 POST "${burl}api/recognize" large.png >codes &&
	grep "^503 {\"error\":\"busy: all 1 jobs are reading images\"}$" codes &&
	grep "^200 {\"width\":4000,\"height\":2800,\"text\":\"5283\"" codes &&
	! grep -v "^200 \|^503 " codes &&
	$HTTP POST "${burl}api/recognize" large.png >out &&
	grep "^200$" out &&
	kill -INT $busy && wait $busy
'

test_expect_success 'still alive after all of them' '
	kill -0 $pid &&
	$HTTP POST "${url}api/recognize" sample.jpg >out &&
	grep "^200$" out
'

# The browser: Debian's chromium, driven by playwright-core from npm,
# installed into tests/web/.npm (git-ignored) the first time.
WEB_NPM=$TOP/tests/web/.npm
export WEB_NPM
if test -x "${CHROMIUM:=/usr/bin/chromium}" && command -v node >/dev/null; then
	if ! test -d "$WEB_NPM/node_modules/playwright-core" &&
	    command -v npm >/dev/null; then
		npm install --prefix "$WEB_NPM" --no-audit --no-fund \
			playwright-core@1 >npm.log 2>&1 ||
		say "# npm install playwright-core failed: see npm.log"
	fi
	test -d "$WEB_NPM/node_modules/playwright-core" && test_set_prereq BROWSER
fi
test_have_prereq BROWSER ||
	say "# skipping the browser: needs node, $CHROMIUM and playwright-core"

test_expect_success BROWSER 'the page in chromium: drawn, uploaded, camera' '
	mkdir -p "$TOP/tests/test-results" &&
	node "$TOP/tests/web/browser.js" "$url" "$TOP/tests/data/sample.jpg" \
		"$TOP/tests/test-results/web.png" >browser.tap 2>&1;
	rc=$? &&
	cat browser.tap &&
	test $rc = 0 &&
	! grep "^not ok" browser.tap &&
	grep "^1\.\.10$" browser.tap &&
	test_path_is_file "$TOP/tests/test-results/web.png"
'

test_expect_success 'SIGTERM: a clean stop, exit 0, nothing said' '
	kill $pid &&
	wait $pid &&
	grep -v "listening on" web.log >rest;
	test_must_be_empty rest
'

test_done
