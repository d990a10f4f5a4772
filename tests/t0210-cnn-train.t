#!/bin/sh
test_description='cnn-train trains, logs, checkpoints and resumes'
cd "${0%/*}" && . ./lib.sh

SMALL="conv 8 5 p=2; bn; relu; maxpool 2; conv 16 3 p=1; bn; relu; maxpool 2; dense 10"

test_expect_success 'MNIST is at hand' '
	need_mnist
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 cnn-train -Z 2>err &&
	grep "^usage: cnn-train" err &&
	test_expect_code 2 cnn-train -b 0 2>err &&
	grep "^cnn-train: -b: bad value" err &&
	test_expect_code 2 cnn-train -O adam 2>err &&
	grep "^cnn-train: -O: want sgd or adamw" err &&
	test_expect_code 2 cnn-train -s linear 2>err &&
	test_expect_code 2 cnn-train -l x 2>err &&
	test_expect_code 2 cnn-train extra 2>err &&
	test_expect_code 2 cnn-train -a "conv 8 3; frobnicate; dense 10" -S \
		2>err &&
	grep "^cnn-train: architecture: unknown layer .frobnicate." err
'

test_expect_success 'the summary of a net, Keras style' '
	cnn-train -S -a "$SMALL" >actual &&
	cat >expect <<-\EOF &&
	layer                  output shape         params    MFLOPs
	input                  1x28x28                   0         0
	conv1 5x5/1            8x28x28                 208     0.314
	bn1                    8x28x28                  16     0.000
	relu                   8x28x28                   0     0.000
	pool1 2x2/2            8x14x14                   0     0.000
	conv2 3x3/1            16x14x14               1168     0.452
	bn2                    16x14x14                 32     0.000
	relu                   16x14x14                  0     0.000
	pool2 2x2/2            16x7x7                    0     0.000
	dense1                 10                     7850     0.016
	total: 9274 parameters (36.2 KiB), 0.781 MFLOPs per image (0.390 M multiply-adds)
	EOF
	test_cmp expect actual &&
	printf "conv 8 5 p=2; bn; relu\n# a comment\nmaxpool 2\n\nconv 16 3 p=1\nbn; relu; maxpool 2; dense 10\n" >small.arch &&
	cnn-train -S -a small.arch >actual &&
	test_cmp expect actual &&
	cnn-train -S | tail -n 1 | grep "^total: "
'

test_expect_success 'no MNIST folder: a clear message' '
	test_expect_code 1 cnn-train -d nowhere -a "$SMALL" -o x.cnn 2>err &&
	grep "^cnn-train: nowhere/train-images-idx3-ubyte: No such file" err &&
	grep "fetch-mnist" err &&
	test_path_is_missing x.cnn
'

test_expect_success 'a short run clears 95% on the MNIST test set' '
	cnn-train -d "$MNIST" -a "$SMALL" -n 6000 -V 1000 -e 1 -b 32 -l 0.05 \
		-r 4 -o short.cnn -L log.csv >out &&
	grep "^epoch 1/1 " out &&
	grep "^wrote short.cnn" out &&
	cnn-infer -m short.cnn -e "$MNIST/t10k-images-idx3-ubyte" \
		"$MNIST/t10k-labels-idx1-ubyte" >eval &&
	sed -n "s/^accuracy \([0-9.]*\)%.*/\1/p" eval >acc &&
	awk "{ exit !(\$1 >= 95) }" acc
'

test_expect_success 'the CSV log: a header and a row per epoch' '
	head -n 1 log.csv >actual &&
	echo "epoch,lr,train_loss,train_acc,val_loss,val_acc,seconds" >expect &&
	test_cmp expect actual &&
	test_line_count = 2 log.csv &&
	tail -n 1 log.csv | awk -F, "NF != 7 || \$1 != 1 { exit 1 }"
'

test_expect_success 'same seed, same model, whatever the thread count' '
	cnn-train -q -d "$MNIST" -a "$SMALL" -n 1000 -V 200 -e 2 -r 9 -j 1 \
		-o a.cnn &&
	cnn-train -q -d "$MNIST" -a "$SMALL" -n 1000 -V 200 -e 2 -r 9 -j 2 \
		-o b.cnn &&
	test_cmp a.cnn b.cnn &&
	cnn-train -q -d "$MNIST" -a "$SMALL" -n 1000 -V 200 -e 2 -r 10 \
		-o c.cnn &&
	! test_cmp a.cnn c.cnn
'

test_expect_success 'a resumed run ends where an unbroken one does' '
	cnn-train -d "$MNIST" -a "$SMALL" -n 1000 -V 200 -e 2 -r 9 -k ck \
		-T 1 -o two.cnn >out &&
	grep "^stopped after epoch 1 of 2; resume with -R ck" out &&
	test_path_is_missing two.cnn &&
	cnn-train -q -R ck -o two.cnn &&
	test_cmp a.cnn two.cnn &&
	cnn-train -q -d "$MNIST" -a "$SMALL" -n 1000 -V 200 -e 3 -r 9 \
		-O adamw -l 0.002 -s cosine -o d.cnn &&
	cnn-train -q -d "$MNIST" -a "$SMALL" -n 1000 -V 200 -e 3 -r 9 \
		-O adamw -l 0.002 -s cosine -k ck2 -T 1 -o f.cnn &&
	cnn-train -q -R ck2 -T 1 -o f.cnn &&
	test_path_is_missing f.cnn &&
	cnn-train -q -R ck2 -o f.cnn &&
	test_cmp d.cnn f.cnn
'

test_expect_success 'resume with another architecture is refused' '
	test_expect_code 1 cnn-train -R ck -a "conv 4 3; dense 10" -o g.cnn \
		2>err &&
	grep "differs from -a" err &&
	test_path_is_missing g.cnn
'

test_expect_success 'a model is a starting point (-i)' '
	cnn-train -q -d "$MNIST" -i short.cnn -n 500 -V 200 -e 1 -l 0.001 \
		-s constant -o h.cnn &&
	cnn-infer -m h.cnn -e "$MNIST/t10k-images-idx3-ubyte" \
		"$MNIST/t10k-labels-idx1-ubyte" | sed -n "s/^accuracy \([0-9.]*\)%.*/\1/p" >acc &&
	awk "{ exit !(\$1 >= 90) }" acc
'

# -W 0 writes the starting model itself, -W 1 the trained net; halfway,
# neither (h.cnn is the same run without -W).
test_expect_success '-W mixes the trained net with the -i model' '
	test_expect_code 2 cnn-train -W 0.5 -o w.cnn 2>err &&
	grep "^cnn-train: -W: wants -i" err &&
	test_expect_code 2 cnn-train -W 1.5 -i short.cnn -o w.cnn &&
	for w in 0 0.5 1; do
		cnn-train -q -d "$MNIST" -i short.cnn -n 500 -V 200 -e 1 \
			-l 0.001 -s constant -W $w -o w$w.cnn || return 1
	done &&
	cmp w0.cnn short.cnn &&
	cmp w1.cnn h.cnn &&
	! cmp -s w0.5.cnn short.cnn && ! cmp -s w0.5.cnn h.cnn &&
	cnn-infer -m w0.5.cnn -e "$MNIST/t10k-images-idx3-ubyte" \
		"$MNIST/t10k-labels-idx1-ubyte" >out &&
	grep "^accuracy" out
'

test_expect_success '-a, a file or a description, must match the -i model' '
	cnn-train -q -d "$MNIST" -i short.cnn -a small.arch -n 300 -V 100 \
		-e 1 -o i.cnn &&
	test_path_is_file i.cnn &&
	test_expect_code 1 cnn-train -q -d "$MNIST" -i short.cnn \
		-a "conv 4 3; dense 10" -n 300 -V 100 -e 1 -o j.cnn 2>err &&
	grep "differs from -a" err &&
	test_path_is_missing j.cnn
'

test_expect_success 'samples from a folder join the training set' '
	mkdir -p samples/3 &&
	draw-digits 7 >samples/7_first.pgm &&
	draw-digits -s 5 3 >samples/3/a.pgm &&
	draw-digits -s 6 3 | pnminvert | pamscale 3 >samples/3/b.pgm &&
	echo "not a digit" >samples/notes.txt &&
	cnn-train -d "$MNIST" -a "$SMALL" -n 500 -V 100 -e 1 -u samples \
		-o s.cnn 2>err >out &&
	grep "^cnn-train: samples: 3 samples" err &&
	mkdir listed &&
	draw-digits 4 >listed/x.pgm &&
	printf "x.pgm 4\n" >listed/labels.txt &&
	cnn-train -d "$MNIST" -a "$SMALL" -n 500 -V 100 -e 1 -u listed \
		-o s.cnn 2>err >out &&
	grep "^cnn-train: listed: 1 samples" err &&
	printf "y.pgm 4\n" >listed/labels.txt &&
	test_expect_code 1 cnn-train -d "$MNIST" -a "$SMALL" -n 500 -e 1 \
		-u listed -o s2.cnn 2>err &&
	grep "listed/y.pgm: No such file" err &&
	test_path_is_missing s2.cnn
'

test_expect_success 'an unwritable output is an error and leaves nothing' '
	test_expect_code 1 cnn-train -q -d "$MNIST" -a "$SMALL" -n 200 -V 100 \
		-b 50 -e 1 -o nodir/x.cnn 2>err &&
	grep "^cnn-train: nodir/x.cnn: No such file" err &&
	test_path_is_missing nodir
'

test_done
