#!/bin/sh
test_description='digits-plot draws training curves and confusion matrices'
cd "${0%/*}" && . ./lib.sh
PATH=$TOP/scripts:$PATH

if ! command -v gnuplot >/dev/null 2>&1; then
	skip_all='gnuplot is not installed (scripts/deps test installs gnuplot-nox)'
	test_done
fi

# size F: "W H" of PNG file F, through netpbm (which checks it whole).
size() {
	pngtopnm "$1" | pamfile | sed -n 's/.*, \([0-9]*\) by \([0-9]*\) .*/\1 \2/p'
}

# pixels F R G B: how many pixels of PNG file F are exactly of that colour.
pixels() {
	pngtopnm "$1" | ppmhist -noheader |
		awk -v r="$2" -v g="$3" -v b="$4" '
		$1 == r && $2 == g && $3 == b { n = $5 } END { print n + 0 }'
}

# The colours of the curves, and the palette's lightest (a count of 1).
TRAIN='31 119 180'
VAL='214 39 40'
LIGHT='222 235 247'

test_expect_success 'setup: logs and evaluation reports' '
	cat >log.csv <<-\EOF &&
	epoch,lr,train_loss,train_acc,val_loss,val_acc,seconds
	1,0.05,0.9,71.5,0.6,80.2,1.5
	2,0.09,0.4,88.0,0.3,91.0,1.4
	3,0.04,0.2,94.1,0.15,96.3,1.4
	4,0.001,0.1,97.0,0.08,98.1,1.5
	EOF
	cat >other.csv <<-\EOF &&
	epoch,lr,train_loss,train_acc,val_loss,val_acc,seconds
	1,0.05,2.3,11.0,2.2,12.0,1.5
	2,0.09,2.0,25.0,1.9,30.5,1.4
	3,0.04,1.1,60.0,0.9,66.0,1.4
	4,0.001,0.7,78.0,0.5,84.0,1.5
	EOF
	cat >noval.csv <<-\EOF &&
	epoch,lr,train_loss,train_acc,val_loss,val_acc,seconds
	1,0.05,0.9,71.5,0,0,1.5
	2,0.09,0.4,88.0,0,0,1.4
	EOF
	h="confusion (rows: true class, columns: answer)\n \t0\t1\t2" &&
	printf "accuracy 100.00%% (150/150)\nloss 0.0100\n\n$h\n%b\n\n%s\n" \
		"0\t50\t0\t0\n1\t0\t50\t0\n2\t0\t0\t50" \
		"speed 1000 images/s (0.150 s, 1 threads)" >perfect.txt &&
	printf "accuracy 96.00%% (144/150)\nloss 0.1000\n\n$h\n%b\n" \
		"0\t48\t1\t1\n1\t1\t48\t1\n2\t1\t1\t48" >bad.txt &&
	test_line_count = 10 perfect.txt &&
	test_line_count = 8 bad.txt &&
	sed -n 7p bad.txt >actual &&
	printf "1\t1\t48\t1\n" >expect &&
	test_cmp expect actual
'


test_expect_success 'usage errors exit 2' '
	test_expect_code 2 digits-plot -Z 2>err &&
	grep "^usage: digits-plot" err &&
	test_expect_code 2 digits-plot -s 800 log.csv 2>err &&
	grep "^digits-plot: -s: want WIDTHxHEIGHT" err &&
	test_expect_code 2 digits-plot -s 20x20 log.csv 2>err &&
	grep "^digits-plot: -s: each side from 64 to 10000" err &&
	test_expect_code 2 digits-plot -o x.png log.csv other.csv 2>err &&
	test_path_is_missing x.png &&
	digits-plot -h >out &&
	grep "^usage: digits-plot" out
'

test_expect_success 'training curves: a PNG of the asked size' '
	digits-plot -o train.png log.csv 2>err &&
	test_must_be_empty err &&
	echo "900 400" >expect && size train.png >actual &&
	test_cmp expect actual &&
	digits-plot -s 640x480 -o small.png log.csv &&
	echo "640 480" >expect && size small.png >actual &&
	test_cmp expect actual
'

test_expect_success 'training curves: the plot depends on the log' '
	digits-plot -t same -o a.png log.csv &&
	digits-plot -t same -o b.png other.csv &&
	! cmp -s a.png b.png &&
	digits-plot -t same -o a2.png log.csv &&
	cmp a.png a2.png &&
	test "$(pixels train.png $TRAIN)" -gt 500 &&
	test "$(pixels train.png $VAL)" -gt 500
'

test_expect_success 'training curves: no validation curve in a log of -V 0' '
	digits-plot -o noval.png noval.csv &&
	test "$(pixels noval.png $TRAIN)" -gt 300 &&
	test "$(pixels noval.png $VAL)" -eq 0
'

test_expect_success 'training curves: from standard input to standard output, a quoted title' '
	digits-plot -t "it'\''s \"quoted\"" <log.csv >stdout.png &&
	echo "900 400" >expect && size stdout.png >actual &&
	test_cmp expect actual &&
	! cmp -s stdout.png train.png
'

test_expect_success 'training curves: one epoch, and nan from a diverged run' '
	head -n 2 log.csv >one.csv &&
	digits-plot -o one.png one.csv &&
	test "$(pixels one.png $VAL)" -gt 0 &&
	sed "3s/,0.4,88.0,0.3,/,nan,9.8,-nan,/" log.csv >nan.csv &&
	grep ",nan,9.8,-nan," nan.csv &&
	digits-plot -o nan.png nan.csv 2>err &&
	test_must_be_empty err &&
	! cmp -s nan.png train.png
'

test_expect_success 'MNIST is at hand' '
	need_mnist
'

test_expect_success 'training curves: the log of a real cnn-train run' '
	cnn-train -q -d "$MNIST" -a "conv 4 5 p=2; relu; maxpool 2; dense 10" \
		-n 1000 -V 500 -e 2 -r 1 -L run.csv -o run.cnn &&
	test_line_count = 3 run.csv &&
	digits-plot -o run.png run.csv &&
	echo "900 400" >expect && size run.png >actual &&
	test_cmp expect actual &&
	test "$(pixels run.png $VAL)" -gt 300
'

test_expect_success 'confusion matrix: of cnn-infer -e on MNIST, from a pipe' '
	cnn-infer -e "$MNIST/t10k-images-idx3-ubyte" \
		"$MNIST/t10k-labels-idx1-ubyte" >eval.txt &&
	grep "^confusion" eval.txt &&
	digits-plot -c -o conf.png <eval.txt 2>err &&
	test_must_be_empty err &&
	echo "600 540" >expect && size conf.png >actual &&
	test_cmp expect actual &&
	digits-plot -c -s 400x360 eval.txt >conf-small.png &&
	echo "400 360" >expect && size conf-small.png >actual &&
	test_cmp expect actual
'

test_expect_success 'confusion matrix: a perfect one differs from a bad one' '
	digits-plot -c -t same -o perfect.png perfect.txt &&
	digits-plot -c -t same -o bad.png bad.txt &&
	! cmp -s perfect.png bad.png &&
	light_p=$(pixels perfect.png $LIGHT) &&
	light_b=$(pixels bad.png $LIGHT) &&
	echo "lightest-colour pixels: perfect $light_p, bad $light_b" &&
	test "$light_b" -gt $((light_p + 6 * 2000))
'

test_expect_success 'bad input: a clear message, exit 1, no file left' '
	echo old >out.png &&
	: >empty.csv &&
	test_expect_code 1 digits-plot -o out.png empty.csv 2>err &&
	echo "digits-plot: empty.csv: empty" >expect &&
	test_cmp expect err &&
	echo "hello, world" >hello.csv &&
	test_expect_code 1 digits-plot -o out.png hello.csv 2>err &&
	grep "^digits-plot: hello.csv: not a cnn-train log" err &&
	test_expect_code 1 digits-plot -o out.png train.png 2>err &&
	grep "^digits-plot: train.png: not a cnn-train log" err &&
	cut -d , -f 1-5 log.csv >nocol.csv &&
	test_expect_code 1 digits-plot -o out.png nocol.csv 2>err &&
	echo "digits-plot: nocol.csv: not a cnn-train log: no column val_acc" >expect &&
	test_cmp expect err &&
	head -n 1 log.csv >header.csv &&
	test_expect_code 1 digits-plot -o out.png header.csv 2>err &&
	grep "^digits-plot: header.csv: no epochs in the log" err &&
	sed "3s/88.0/high/" log.csv >word.csv &&
	test_expect_code 1 digits-plot -o out.png word.csv 2>err &&
	echo "digits-plot: word.csv: line 3: train_acc is not a number: high" >expect &&
	test_cmp expect err &&
	sed "4s/,1.4$//" log.csv >ragged.csv &&
	test_expect_code 1 digits-plot -o out.png ragged.csv 2>err &&
	echo "digits-plot: ragged.csv: line 4: 6 fields, want 7" >expect &&
	test_cmp expect err &&
	test_expect_code 1 digits-plot -o out.png nosuch.csv 2>err &&
	echo "digits-plot: nosuch.csv: No such file or directory" >expect &&
	test_cmp expect err &&
	test_expect_code 1 digits-plot -o out.png . 2>err &&
	grep "^digits-plot: \\.: Is a directory" err &&
	test_expect_code 1 digits-plot -o out.png <empty.csv 2>err &&
	echo "digits-plot: standard input: empty" >expect &&
	test_cmp expect err &&
	echo old >expect && test_cmp expect out.png &&
	test_path_is_missing .out.png.*
'

test_expect_success 'bad input for -c: a clear message, exit 1' '
	test_expect_code 1 digits-plot -c -o c.png log.csv 2>err &&
	echo "digits-plot: log.csv: not a report of cnn-infer -e: no confusion matrix" >expect &&
	test_cmp expect err &&
	test_expect_code 1 digits-plot -o c.png eval.txt 2>err &&
	grep "not a cnn-train log.*; for its confusion matrix, use -c$" err &&
	sed "6s/50/many/" perfect.txt >word.txt &&
	test_expect_code 1 digits-plot -c -o c.png word.txt 2>err &&
	echo "digits-plot: word.txt: line 6: not a count: many" >expect &&
	test_cmp expect err &&
	sed "7s/\t[0-9]*$//" bad.txt >ragged.txt &&
	test_expect_code 1 digits-plot -c -o c.png ragged.txt 2>err &&
	echo "digits-plot: ragged.txt: line 7: 2 counts, want 3" >expect &&
	test_cmp expect err &&
	sed "/^[0-2]\t/s/\t[0-9]*/\t0/g" bad.txt >zero.txt &&
	test_expect_code 1 digits-plot -c -o c.png zero.txt 2>err &&
	echo "digits-plot: zero.txt: no digits in the confusion matrix" >expect &&
	test_cmp expect err &&
	test_path_is_missing c.png
'

test_expect_success 'unwritable output: a clear message, exit 1, no file left' '
	test_expect_code 1 digits-plot -o /dev/full log.csv 2>err &&
	echo "digits-plot: /dev/full: write error: No space left on device" >expect &&
	test_cmp expect err &&
	test_expect_code 1 digits-plot log.csv >/dev/full 2>err &&
	echo "digits-plot: standard output: write error: No space left on device" >expect &&
	test_cmp expect err &&
	test_expect_code 1 digits-plot -o nowhere/x.png log.csv 2>err &&
	grep "^digits-plot: nowhere/x.png: no such folder" err &&
	mkdir folder &&
	test_expect_code 1 digits-plot -o folder log.csv 2>err &&
	grep "^digits-plot: folder: is a folder" err &&
	test -z "$(ls -A folder)" &&
	digits-plot -o /dev/null log.csv
'

test_expect_success 'gnuplot missing, failing, or writing no PNG' '
	test_expect_code 1 env PATH=/nonexistent "$TOP/scripts/digits-plot" \
		-o x.png log.csv 2>err &&
	echo "digits-plot: gnuplot not found; install it: apt-get install gnuplot-nox" >expect &&
	test_cmp expect err &&
	mkdir fake &&
	printf "#!/bin/sh\necho \"plot.gp line 9: out of ink\" >&2\nexit 1\n" \
		>fake/gnuplot &&
	chmod +x fake/gnuplot &&
	test_expect_code 1 env PATH="$PWD/fake:$PATH" digits-plot -o x.png \
		log.csv 2>err &&
	cat >expect <<-\EOF &&
	digits-plot: gnuplot: plot.gp line 9: out of ink
	digits-plot: gnuplot failed
	EOF
	test_cmp expect err &&
	printf "#!/bin/sh\necho hello >plot.png\n" >fake/gnuplot &&
	test_expect_code 1 env PATH="$PWD/fake:$PATH" digits-plot -o x.png \
		log.csv 2>err &&
	echo "digits-plot: gnuplot wrote no PNG" >expect &&
	test_cmp expect err &&
	test_path_is_missing x.png &&
	test_path_is_missing .x.png.*
'

test_expect_success 'an output is replaced whole, with the usual mode' '
	echo old >out.png &&
	chmod 600 out.png &&
	(umask 022 && digits-plot -o out.png log.csv) &&
	cmp out.png train.png &&
	ls -l out.png | grep "^-rw-r--r--"
'

test_done
