#!/bin/sh
test_description='cnn-train killed (SIGKILL) at any moment, the write of its
model included, never leaves a broken model where the old one was'
cd "${0%/*}" && . ./lib.sh

# The model is written to out.cnn.tmp.XXXXXX beside out.cnn, flushed,
# synced, then renamed over out.cnn (digitcnn(5), Writing).  A SIGKILL
# cannot be caught: whatever moment it lands, out.cnn must be the old
# model byte for byte, or the whole new one.  The temporary file of a
# killed run stays (nothing runs to remove it); it is never read, a later
# run takes a name of its own, and `rm out.cnn.tmp.*` clears it.
#
# strace(1) lands the kill exactly: -e inject=SYSCALL:signal=KILL:when=N
# sends it as the Nth such system call begins.  With -q cnn-train writes
# nothing but its model, so every write(2) is one of the model's.

# train: a short run of the built-in net's architecture (a model of
# 425 kB), the model to out.cnn
train() {
	cnn-train -q -d "$MNIST" -n 100 -V 100 -b 50 -e 1 -o out.cnn
}

# killed SYSCALL N: train, killed as its Nth SYSCALL begins
killed() {
	strace -f -qq -o /dev/null -e trace=$1 -e inject=$1:signal=KILL:when=$2 \
		cnn-train -q -d "$MNIST" -n 100 -V 100 -b 50 -e 1 -o out.cnn \
		2>/dev/null
	echo $? >status
}

# state: out.cnn is the old model (old), the new one (new), or neither
# (the reason); each time the old one is put back for the next kill.
state() {
	if cmp -s old.cnn out.cnn; then
		echo old
	elif cmp -s new.cnn out.cnn &&
	    cnn-infer -m out.cnn digit.pgm >/dev/null 2>&1; then
		echo new
	else
		echo "broken: $(cnn-infer -m out.cnn digit.pgm 2>&1 >/dev/null)"
	fi
	cp old.cnn out.cnn
}

command -v strace >/dev/null &&
strace -qq -o /dev/null true 2>/dev/null && test_set_prereq STRACE

test_expect_success 'setup: MNIST, the old model, the new one' '
	need_mnist &&
	draw-digits 7 >digit.pgm &&
	cnn-train -q -d "$MNIST" -a "conv 4 5 p=2; relu; maxpool 4; dense 10" \
		-n 100 -V 100 -b 50 -e 1 -o old.cnn &&
	cp old.cnn out.cnn &&
	train &&
	mv out.cnn new.cnn &&
	cnn-infer -m new.cnn digit.pgm &&
	! cmp -s old.cnn new.cnn &&
	cp old.cnn out.cnn
'

test_expect_success STRACE 'the system calls of the write, as expected' '
	strace -f -qq -o trace -e trace=openat,write,fsync,rename \
		cnn-train -q -d "$MNIST" -n 100 -V 100 -b 50 -e 1 -o out.cnn &&
	cmp new.cnn out.cnn &&
	cp old.cnn out.cnn &&
	grep -c "write(" trace >writes &&
	test $(cat writes) -ge 2 &&
	sed -n "/out\.cnn\.tmp\./,\$ s/^[0-9]* *\([a-z]*\)(.*/\1/p" trace |
		uniq >actual &&
	printf "openat\nwrite\nfsync\nrename\nopenat\nfsync\n" >expect &&
	test_cmp expect actual &&
	grep "openat(AT_FDCWD, \"out.cnn.tmp.[A-Za-z0-9]\{6\}\", O_RDWR|O_CREAT|O_EXCL" trace &&
	grep "rename(\"out.cnn.tmp.[A-Za-z0-9]\{6\}\", \"out.cnn\") = 0" trace
'

test_expect_success STRACE 'killed at each write, the file sync, the rename' '
	: >results &&
	n=1 &&
	while test $n -le $(cat writes); do
		killed write $n &&
		echo "write $n: $(cat status) $(state)" >>results &&
		n=$((n + 1)) || return 1
	done &&
	killed fsync 1 && echo "fsync 1: $(cat status) $(state)" >>results &&
	killed rename 1 && echo "rename 1: $(cat status) $(state)" >>results &&
	killed fsync 2 && echo "fsync 2: $(cat status) $(state)" >>results &&
	cat results &&
	! grep -v ": 137 \(old\|new\)$" results &&
	grep "^write 1: 137 old$" results &&
	grep "^fsync 1: 137 old$" results &&
	grep "^fsync 2: 137 new$" results
'

test_expect_success STRACE 'the temporary files of killed runs stay, and harm nothing' '
	ls out.cnn.tmp.* >tmps &&
	test_line_count -ge 3 tmps &&
	train &&
	cmp new.cnn out.cnn &&
	cnn-infer -m out.cnn digit.pgm &&
	rm out.cnn.tmp.* &&
	cp old.cnn out.cnn
'

# Without strace's aim: killed after delays spread over a run (training,
# then the write), from the start to past its end.
test_expect_success 'killed at random moments: old or new, never broken' '
	start=$(date +%s%N) && train && end=$(date +%s%N) &&
	ms=$(((end - start) / 1000000)) &&
	cp old.cnn out.cnn &&
	: >results &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		{ cnn-train -q -d "$MNIST" -n 100 -V 100 -b 50 -e 1 -o out.cnn \
			3>&- 4>&- 5>&- 6>&- & } &&
		pid=$! &&
		d=$(awk -v i=$i -v ms=$ms "BEGIN { srand(i); printf \"%.3f\", ms * (0.5 + rand() * 0.7) / 1000 }") &&
		sleep $d &&
		kill -KILL $pid 2>/dev/null;
		wait $pid;
		echo "after $d s: $? $(state)" >>results || return 1
	done &&
	cat results &&
	! grep -v ": \(137 old\|137 new\|0 new\)$" results &&
	rm -f out.cnn.tmp.*
'

test_done
