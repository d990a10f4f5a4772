#!/bin/sh
test_description='fetch-mnist gets MNIST and checks it'
cd "${0%/*}" && . ./lib.sh

fetch=$TOP/scripts/fetch-mnist

# Four files, in the order fetch-mnist checks them, and their sums.
cat >sums <<\EOF_SUMS
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
EOF_SUMS
cut -c67- sums | sort >names

# The files of folder $1, and whether they have the right sums.
lsdir() { ls -A "$1" | sort; }
sumsok() { (cd "$1" && sha256sum -c --quiet "$SHARNESS_TRASH_DIRECTORY/sums"); }

test_expect_success 'usage errors exit 2' '
	echo "usage: fetch-mnist [-q] [-o dir]" >expect &&
	test_expect_code 2 "$fetch" -x 2>err &&
	tail -n 1 err >actual &&
	test_cmp expect actual &&
	test_expect_code 2 "$fetch" -o 2>err &&
	tail -n 1 err >actual &&
	test_cmp expect actual &&
	test_expect_code 2 "$fetch" -q extra 2>actual &&
	test_cmp expect actual
'

test_expect_success 'a bad $MNIST_DIR fails, and alone' '
	mkdir junk &&
	for f in $(cat names); do echo junk >junk/$f || return 1; done &&
	test_expect_code 1 env MNIST_DIR="$PWD/junk" "$fetch" -o out0 \
		>actual 2>err &&
	test_must_be_empty actual &&
	grep "junk/train-images-idx3-ubyte: sha256 mismatch" err &&
	! grep -i npm err &&
	lsdir out0 >actual &&
	test_must_be_empty actual
'

test_expect_success 'the real data folder' '
	real=$("$fetch" -q) &&
	echo "$TOP/data/mnist" >expect &&
	echo "$real" >actual &&
	test_cmp expect actual &&
	sumsok "$real" &&
	test_set_prereq MNIST
'

# Links, not copies, where the content is right: less to write.
test_expect_success MNIST 'setup: source folders, good and bad' '
	mkdir good bad part gz &&
	for f in $(cat names); do
		ln -s "$real/$f" good/$f &&
		ln -s "$real/$f" bad/$f || return 1
	done &&
	rm bad/t10k-labels-idx1-ubyte &&
	cp good/t10k-labels-idx1-ubyte bad/ &&
	printf x | dd of=bad/t10k-labels-idx1-ubyte bs=1 seek=100 \
		conv=notrunc 2>/dev/null &&
	cp -P good/train-* part/ &&
	cp -P good/train-* gz/ &&
	gzip -1 -c good/t10k-images-idx3-ubyte >gz/t10k-images-idx3-ubyte.gz &&
	gzip -1 -c good/t10k-labels-idx1-ubyte >gz/t10k-labels-idx1-ubyte.gz
'

test_expect_success MNIST 'one corrupted file in $MNIST_DIR: exit 1' '
	test_expect_code 1 env MNIST_DIR="$PWD/bad" "$fetch" -o out \
		>actual 2>err &&
	test_must_be_empty actual &&
	grep "^fetch-mnist: .*/bad/t10k-labels-idx1-ubyte: sha256 mismatch" err &&
	! grep -i npm err &&
	lsdir out >actual &&
	test_must_be_empty actual
'

test_expect_success MNIST 'a missing file in $MNIST_DIR: exit 1' '
	test_expect_code 1 env MNIST_DIR="$PWD/part" "$fetch" -q -o out \
		>actual 2>err &&
	test_must_be_empty actual &&
	grep "part: no t10k-images-idx3-ubyte or t10k-images-idx3-ubyte.gz" err &&
	lsdir out >actual &&
	test_must_be_empty actual
'

test_expect_success MNIST 'a good $MNIST_DIR fills a fresh folder' '
	echo "$PWD/out" >expect &&
	env MNIST_DIR="$PWD/good" "$fetch" -o out >actual 2>err &&
	test_cmp expect actual &&
	grep "got 4 file" err &&
	lsdir out >actual &&
	test_cmp names actual &&
	sumsok out
'

test_expect_success MNIST 'the second run is cached' '
	echo "$PWD/out" >expect &&
	env MNIST_DIR="$PWD/nonesuch" "$fetch" -o out >actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	lsdir out >actual &&
	test_cmp names actual
'

test_expect_success MNIST 'a damaged file in the folder is fetched again' '
	printf x | dd of=out/train-labels-idx1-ubyte bs=1 seek=9 \
		conv=notrunc 2>/dev/null &&
	! sumsok out >/dev/null 2>&1 &&
	env MNIST_DIR="$PWD/good" "$fetch" -o out >actual 2>err &&
	grep "train-labels-idx1-ubyte: bad sha256, fetching it again" err &&
	grep "got 1 file" err &&
	sumsok out
'

test_expect_success MNIST 'gzipped files, a relative folder, -q' '
	mkdir sub &&
	echo "$PWD/sub/rel" >expect &&
	(cd sub && env MNIST_DIR="$PWD/../gz" "$fetch" -q -o rel) \
		>actual 2>err &&
	test_cmp expect actual &&
	test_must_be_empty err &&
	lsdir sub/rel >actual &&
	test_cmp names actual &&
	sumsok sub/rel
'

test_done
