#!/bin/sh
test_description='digits-batch: folders of images read in parallel, resumable'
cd "${0%/*}" && . ./lib.sh

# digits-batch is a script of scripts/; prep is wrapped to count its runs
batch() {
	"$TOP/scripts/digits-batch" "$@"
}
nopar_batch() {
	PATH="$PWD/nopar:$PATH" "$TOP/scripts/digits-batch" "$@"
}
mkdir -p wrap nopar
printf '#!/bin/sh\necho run >>"%s/preps"\nexec "%s/prep" "$@"\n' \
	"$PWD" "$TOP/cmd" >wrap/prep
# a parallel that is not GNU parallel (moreutils has one): xargs is used
printf '#!/bin/sh\necho "parallel: not GNU" >&2\nexit 1\n' >nopar/parallel
chmod +x wrap/prep nopar/parallel
PATH=$PWD/wrap:$PATH
export PATH
tab=$(printf '\t')
nl='
'
# preps: how many times prep ran since the last call
preps() {
	if test -f preps; then wc -l <preps; rm preps; else echo 0; fi
}

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 batch 2>err &&
	grep "^usage: digits-batch " err &&
	test_expect_code 2 batch -Z dir 2>err &&
	grep "^usage: digits-batch " err &&
	test_expect_code 2 batch -j 0 dir 2>err &&
	grep "^digits-batch: -j: bad value" err &&
	test_expect_code 2 batch -j x dir 2>err &&
	batch -h >out &&
	grep "^usage: digits-batch " out
'

test_expect_success 'a folder: images of every kind and name, and bad ones' '
	S="$TOP/tests/data/sample.jpg" &&
	mkdir -p in/sub in/x.jpg empty &&
	cp "$S" in/a.jpg &&
	cp "$S" "in/sp ace.JPG" &&
	cp "$S" "in/sub/new${nl}line.jpg" &&
	cp "$S" "in/ta${tab}b.jpeg" &&
	cp "$S" "in/back\\slash.jpg" &&
	jpegtopnm "$S" >in/a.pnm 2>/dev/null &&
	pnmtopng in/a.pnm >in/sub/a.png 2>/dev/null &&
	cat in/a.pnm in/a.pnm >in/two.ppm &&
	pgmmake 0 300 200 >in/blank.pgm &&
	echo "not an image" >in/bad.png &&
	: >in/empty.pnm &&
	echo "notes" >in/notes.txt &&
	ln -s nowhere in/dangling.jpg &&
	cp "$S" in/x.jpg/inside.jpg &&
	ls in | wc -l >n && echo 13 >expect && test_cmp expect n &&
	"$TOP/cmd/prep" "$S" | segment | cnn-infer -f tsv | cut -f 9 | sort >confs &&
	test_line_count = 4 confs &&
	head -n 1 confs >conf
'

# the pipeline's own lowest confidence on the sample (CONF)
sed "s/CONF/$(cat conf)/" >expect.rows <<\EOF
in/a.jpg	5283	CONF	ok
in/a.pnm	5283	CONF	ok
in/back\\slash.jpg	5283	CONF	ok
in/bad.png			failed: prep: stdin: not a PNM, PNG or JPEG image
in/blank.pgm			ok
in/dangling.jpg			failed: no such file or directory
in/empty.pnm			failed: no image in the file
in/sp ace.JPG	5283	CONF	ok
in/sub/a.png	5283	CONF	ok
in/sub/new\nline.jpg	5283	CONF	ok
in/ta\tb.jpeg	5283	CONF	ok
in/two.ppm	5283 5283	CONF	ok
in/x.jpg/inside.jpg	5283	CONF	ok
EOF

test_expect_success 'one row a file, escaped, sorted; failures exit 1' '
	test_expect_code 1 batch -o out.tsv in empty 2>err &&
	echo "digits-batch: 3 of 13 files failed" >expect &&
	test_cmp expect err &&
	cut -f 1-4 out.tsv >actual &&
	test_cmp expect.rows actual &&
	awk -F "\t" "NF != 5 || \$5 !~ /^[0-9]+\.[0-9]+$/ { exit 1 }" out.tsv &&
	test $(preps) = 12
'

test_expect_success 'the row keeps the file'"'"'s modification time' '
	find in/a.jpg -printf "%T@\n" >expect &&
	grep "^in/a.jpg$tab" out.tsv | cut -f 5 >actual &&
	test_cmp expect actual
'

test_expect_success 'without GNU parallel: xargs -P, the same rows' '
	test_expect_code 1 nopar_batch -j 2 in empty >actual 2>err &&
	! grep "not GNU" err &&
	sort actual | cut -f 1-4 >rows &&
	test_cmp expect.rows rows
'

test_expect_success 'hosts from an sshloginfile: ":" is this machine' '
	echo : >hosts &&
	rm -f preps &&
	test_expect_code 1 batch -S hosts -j 2 -o slf.tsv in empty &&
	cut -f 1-4 slf.tsv >rows &&
	test_cmp expect.rows rows &&
	test $(preps) = 12 &&
	test_expect_code 1 nopar_batch -S hosts in 2>err &&
	grep "^digits-batch: -S: GNU parallel is not installed" err &&
	test_expect_code 1 batch -S nosuch in 2>err &&
	grep "^digits-batch: nosuch: cannot read it" err
'

# ssh for a host "far": logs the host, then runs the command from the
# home folder (sharness's HOME is the trash folder) with the login shell
# in SHELL, as sshd does (GNU parallel runs its jobs with $SHELL there)
mkdir -p fakessh
cat >fakessh/ssh <<EOF
#!/bin/sh
while test \$# -gt 0; do
	case \$1 in -l|-o|-p) shift 2 ;; -*) shift ;; *) break ;; esac
done
echo "\$1" >>"$PWD/ssh.log"
shift
test "\$1" != -- || shift
SHELL=/bin/sh
export SHELL
cd && exec sh -c "\$*"
EOF
chmod +x fakessh/ssh
fakessh=$PWD/fakessh
ssh_batch() {
	PATH="$fakessh:$PATH" "$TOP/scripts/digits-batch" "$@"
}

test_expect_success 'a host over ssh: the same rows, relative paths too' '
	echo far >farhosts &&
	cp "$TOP/model/digits.cnn" m.cnn &&
	(
		cd in &&
		test_expect_code 1 ssh_batch -S ../farhosts -j 2 -m ../m.cnn \
			. ../empty >../actual
	) &&
	sort actual | cut -f 1-4 >rows &&
	sed "s|^in/|./|" expect.rows | sort >expect &&
	test_cmp expect rows &&
	test_line_count = 13 ssh.log &&
	sort -u ssh.log >hosts.used &&
	echo far >expect &&
	test_cmp expect hosts.used
'

test_expect_success 'a second run reads nothing again, and changes nothing' '
	cp out.tsv before &&
	rm -f preps &&
	test_expect_code 1 batch -o out.tsv in empty 2>err &&
	test_cmp before out.tsv &&
	test $(preps) = 0 &&
	echo "digits-batch: 3 of 13 files failed" >expect &&
	test_cmp expect err
'

test_expect_success 'a file touched is read again, its row replaced' '
	touch -d @981173106 "in/sp ace.JPG" &&
	test_expect_code 1 batch -o out.tsv in empty &&
	test $(preps) = 1 &&
	test_line_count = 13 out.tsv &&
	grep "^in/sp ace.JPG${tab}5283${tab}$(cat conf)${tab}ok${tab}981173106\." \
		out.tsv &&
	grep -v "^in/sp ace.JPG" before >expect &&
	grep -v "^in/sp ace.JPG" out.tsv >actual &&
	test_cmp expect actual
'

test_expect_success '-r reads the failed ones again, and only them' '
	test_expect_code 1 batch -r -o out.tsv in &&
	test $(preps) = 2 &&
	cut -f 1-4 out.tsv >actual &&
	test_cmp expect.rows actual &&
	rm in/bad.png in/empty.pnm in/dangling.jpg &&
	batch -r -o out.tsv in &&
	test $(preps) = 0 &&
	test_line_count = 13 out.tsv
'

test_expect_success 'a folder of good images: exit 0, silent' '
	batch -o good.tsv in/sub >out 2>err &&
	test_must_be_empty out &&
	test_must_be_empty err &&
	test_line_count = 2 good.tsv
'

test_expect_success 'an empty folder: no row, exit 0' '
	batch empty >actual 2>err &&
	test_must_be_empty actual &&
	test_must_be_empty err &&
	batch -o none.tsv empty &&
	test_path_is_file none.tsv &&
	test_must_be_empty none.tsv
'

test_expect_success 'files named are read whatever their names' '
	cp in/a.pnm in/notes.txt &&
	test_expect_code 1 batch in/notes.txt in/a.jpg in/a.jpg nosuch \
		>actual 2>err &&
	sort actual | cut -f 1-4 >rows &&
	c=$(cat conf) &&
	printf "in/a.jpg\t5283\t$c\tok\nin/notes.txt\t5283\t$c\tok\n" >expect &&
	test_cmp expect rows &&
	echo "digits-batch: nosuch: no such file or directory" >expect &&
	test_cmp expect err
'

test_expect_success '-d: each digit and its confidence' '
	batch -d in/a.jpg >actual &&
	cut -f 1-4,6 actual >rows &&
	"$TOP/cmd/prep" in/a.jpg | segment | cnn-infer -f tsv |
		awk -F "\t" "{ printf \"%s%s:%s\", (NR > 1 ? \" \" : \"\"), \$8, \$9 }" >digits &&
	printf "in/a.jpg\t5283\t%s\tok\t%s\n" "$(cat conf)" "$(cat digits)" >expect &&
	test_cmp expect rows
'

test_expect_success '-m: the model is passed on, and checked first' '
	batch -m "$TOP/model/digits.cnn" in/a.jpg >actual &&
	cut -f 1-4 actual >rows &&
	printf "in/a.jpg\t5283\t%s\tok\n" "$(cat conf)" >expect &&
	test_cmp expect rows &&
	test_expect_code 1 batch -m nosuch.cnn in/a.jpg 2>err &&
	echo "digits-batch: nosuch.cnn: cannot read it" >expect &&
	test_cmp expect err &&
	printf "digitcnn 9\nend\n" >bad.cnn &&
	test_expect_code 1 batch -m bad.cnn in/a.jpg >actual 2>err &&
	test_must_be_empty actual &&
	echo "digits-batch: bad.cnn: model file version 9; this program reads version 1" >expect &&
	test_cmp expect err
'

test_expect_success 'a full disk: a clear error, exit 1' '
	test_expect_code 1 batch -o /dev/full in/sub 2>err &&
	echo "digits-batch: /dev/full: write error" >expect &&
	test_cmp expect err &&
	test_expect_code 1 batch in/sub >/dev/full 2>err &&
	echo "digits-batch: standard output: write error" >expect &&
	test_cmp expect err &&
	test_expect_code 1 batch -o nodir/out.tsv in/sub 2>err &&
	echo "digits-batch: nodir/out.tsv: cannot open it for writing" >expect &&
	test_cmp expect err
'

test_expect_success 'a row cut short is dropped, and its file read again' '
	sed "/^in.sub.a.png/d" good.tsv >cut.tsv &&
	printf "in/sub/a.png\t52" >>cut.tsv &&
	rm -f preps &&
	batch -o cut.tsv in/sub 2>err &&
	test $(preps) = 1 &&
	grep "^digits-batch: cut.tsv: dropped a row cut short" err &&
	cut -f 1-4 cut.tsv >actual &&
	cut -f 1-4 good.tsv >expect &&
	test_cmp expect actual
'

command -v script >/dev/null && test_set_prereq SCRIPT

test_expect_success SCRIPT 'a progress bar on a terminal only' '
	script -qc "$TOP/scripts/digits-batch -o tty.tsv in/sub" /dev/null \
		>tty &&
	grep "digits-batch: \[#\{30\}\] 2/2, 0 failed" tty &&
	grep "digits-batch: 2 files: 2 read now, 0 before; 0 failed" tty &&
	script -qc "$TOP/scripts/digits-batch -q -o tty2.tsv in/sub" /dev/null \
		>tty &&
	test_must_be_empty tty &&
	batch -o tty3.tsv in/sub 2>err &&
	test_must_be_empty err
'

# as root every file is readable: this case is left to other users
echo secret >locked.jpg && chmod 000 locked.jpg &&
	! cat locked.jpg >/dev/null 2>&1 && test_set_prereq UNREADABLE

test_expect_success UNREADABLE 'an unreadable file: a failed row' '
	test_expect_code 1 batch locked.jpg >actual &&
	cut -f 1-4 actual >rows &&
	printf "locked.jpg\t\t\tfailed: permission denied\n" >expect &&
	test_cmp expect rows
'

test_done
