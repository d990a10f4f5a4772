# digitpipe: read handwritten digits with a small convolutional network
.POSIX:

PREFIX = /usr/local
MANPREFIX = $(PREFIX)/share/man

CC = cc
CFLAGS = -O2
OPENMP = 1
OMP_0 =
OMP_1 = -fopenmp
# make SANITIZE=1 (from a clean tree) builds everything with
# AddressSanitizer and UndefinedBehaviorSanitizer; any error aborts.
SANITIZE = 0
SAN_0 =
SAN_1 = -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -g
CPPFLAGS = -D_DEFAULT_SOURCE
XCFLAGS = -std=c11 -Wall -Wextra -fopenmp-simd $(OMP_$(OPENMP)) \
	$(SAN_$(SANITIZE)) $(CFLAGS)
LDFLAGS =
LDLIBS = -lpng -ljpeg -lz -lm
V4L2LIBS = -lv4l2
SDL2CFLAGS = -I/usr/include/SDL2 -D_REENTRANT
SDL2LIBS = -lSDL2
MHDLIBS = -lmicrohttpd
PROVE = prove

BIN = cmd/cnn-infer cmd/cnn-train cmd/digits-web cmd/draw cmd/grab cmd/prep \
	cmd/segment cmd/show
SCRIPTS = scripts/digits-batch scripts/digits-plot scripts/digits-retrain \
	scripts/digits-sample scripts/fetch-mnist
MAN1 = man/cnn-infer.1 man/cnn-train.1 man/digits-batch.1 man/digits-plot.1 \
	man/digits-retrain.1 man/digits-sample.1 man/digits-web.1 man/draw.1 \
	man/fetch-mnist.1 man/grab.1 man/prep.1 man/segment.1 man/show.1
MAN5 = man/digitcnn.5
MODEL = model/digits.cnn

HDR = common/augment.h common/batchnorm.h common/cc.h common/classify.h \
	common/conv2d.h common/draw.h common/filter.h common/prep.h \
	common/segment.h common/thresh.h \
	common/dataset.h common/decode.h common/evaluate.h \
	common/dense.h common/dropout.h common/gemm.h common/idx.h common/img.h \
	common/imgio.h common/maxpool.h common/meta.h common/model.h common/negative.h common/net.h \
	common/netrun.h common/nettrain.h common/norm.h common/pipeline.h common/optim.h common/progress.h common/relu.h common/rng.h \
	common/softmax.h common/util.h common/window.h common/winograd.h
OBJ = common/augment.o common/batchnorm.o common/builtin.o common/cc.o \
	common/classify.o common/draw.o common/filter.o common/prep.o \
	common/segment.o common/thresh.o \
	common/conv2d.o common/decode.o common/evaluate.o \
	common/dataset.o common/dense.o common/dropout.o common/gemm.o \
	common/gemm_avx2.o common/gemm_avx512.o common/idx.o common/img.o \
	common/imgio.o common/maxpool.o common/meta.o common/model.o common/negative.o common/net.o \
	common/netrun.o common/nettrain.o common/norm.o common/pipeline.o common/optim.o common/progress.o common/relu.o common/rng.o \
	common/softmax.o common/util.o common/window.o common/winograd.o
UNIT = tests/unit/t-augment.t tests/unit/t-classify.t tests/unit/t-decode.t tests/unit/t-gemm.t \
	tests/unit/t-grad.t \
	tests/unit/t-filter.t tests/unit/t-idx.t tests/unit/t-imgio.t tests/unit/t-model.t \
	tests/unit/t-negative.t tests/unit/t-net.t tests/unit/t-norm.t \
	tests/unit/t-optim.t
TOOLS = tests/draw-digits tests/mkpage tests/label-crops

all: $(BIN)

.SUFFIXES: .c .o .S
.c.o:
	$(CC) $(XCFLAGS) $(CPPFLAGS) -c -o $@ $<
.S.o:
	$(CC) -c -o $@ $<

# The kernels are built with -O3; the micro-kernels for their instruction
# sets are chosen at run time (common/gemm.c), so the default build runs on
# any x86-64 or other CPU.
KFLAGS = $(XCFLAGS) -O3 $(CPPFLAGS)
common/augment.o: common/augment.c
	$(CC) $(KFLAGS) -c -o $@ common/augment.c
common/batchnorm.o: common/batchnorm.c
	$(CC) $(KFLAGS) -c -o $@ common/batchnorm.c
common/conv2d.o: common/conv2d.c
	$(CC) $(KFLAGS) -c -o $@ common/conv2d.c
common/dense.o: common/dense.c
	$(CC) $(KFLAGS) -c -o $@ common/dense.c
common/gemm.o: common/gemm.c
	$(CC) $(KFLAGS) -c -o $@ common/gemm.c
common/gemm_avx2.o: common/gemm_avx2.c
	$(CC) $(KFLAGS) -c -o $@ common/gemm_avx2.c
common/gemm_avx512.o: common/gemm_avx512.c
	$(CC) $(KFLAGS) -c -o $@ common/gemm_avx512.c
common/maxpool.o: common/maxpool.c
	$(CC) $(KFLAGS) -c -o $@ common/maxpool.c
common/relu.o: common/relu.c
	$(CC) $(KFLAGS) -c -o $@ common/relu.c
common/filter.o: common/filter.c
	$(CC) $(KFLAGS) -c -o $@ common/filter.c
common/prep.o: common/prep.c
	$(CC) $(KFLAGS) -c -o $@ common/prep.c
common/thresh.o: common/thresh.c
	$(CC) $(KFLAGS) -c -o $@ common/thresh.c
common/window.o: common/window.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) $(SDL2CFLAGS) -c -o $@ common/window.c
common/winograd.o: common/winograd.c
	$(CC) $(KFLAGS) -c -o $@ common/winograd.c
common/builtin.o: common/builtin.S $(MODEL)

$(OBJ): $(HDR)

common/libcommon.a: $(OBJ)
	rm -f $@
	ar rc $@ $(OBJ)
	ranlib $@

$(BIN): common/libcommon.a
cmd/cnn-infer: cmd/cnn-infer.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/cnn-infer.c common/libcommon.a $(LDLIBS)
cmd/cnn-train: cmd/cnn-train.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/cnn-train.c common/libcommon.a $(LDLIBS)
cmd/digits-web: cmd/digits-web.c cmd/digits-web.html
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/digits-web.c common/libcommon.a $(MHDLIBS) $(LDLIBS)
cmd/draw: cmd/draw.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) $(SDL2CFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/draw.c common/libcommon.a $(SDL2LIBS) $(LDLIBS)
cmd/grab: cmd/grab.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/grab.c common/libcommon.a $(V4L2LIBS) $(LDLIBS)
cmd/prep: cmd/prep.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/prep.c common/libcommon.a $(LDLIBS)
cmd/segment: cmd/segment.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/segment.c common/libcommon.a $(LDLIBS)
cmd/show: cmd/show.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) $(SDL2CFLAGS) -Icommon $(LDFLAGS) -o $@ cmd/show.c common/libcommon.a $(SDL2LIBS) $(LDLIBS)

$(UNIT): common/libcommon.a tests/unit/tap.h
.SUFFIXES: .t
.c.t:
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ $< common/libcommon.a $(LDLIBS)

$(TOOLS): common/libcommon.a
tests/draw-digits: tests/draw-digits.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ tests/draw-digits.c common/libcommon.a $(LDLIBS)
tests/label-crops: tests/label-crops.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ tests/label-crops.c common/libcommon.a $(LDLIBS)
tests/mkpage: tests/mkpage.c
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ tests/mkpage.c common/libcommon.a $(LDLIBS)

# The camera the tests emulate under libv4l2 (an LD_PRELOAD library).
tests/fakecam.so: tests/fakecam.c
	$(CC) -std=c11 -Wall -Wextra $(CFLAGS) -D_GNU_SOURCE -shared -fPIC -o $@ tests/fakecam.c -ldl -ljpeg

# Fuzzing (tests/fuzz/run, with clang's libFuzzer): each harness for a
# minute.  make check replays the seeds and every crash found, through
# the same harnesses built with the normal compiler.
FUZZ = tests/fuzz/build/replay-imgio tests/fuzz/build/replay-decode \
	tests/fuzz/build/replay-idx tests/fuzz/build/replay-model \
	tests/fuzz/build/replay-arch tests/fuzz/build/replay-web \
	tests/fuzz/build/replay-webbody
FUZZBUILD = mkdir -p tests/fuzz/build && $(CC) $(XCFLAGS) $(CPPFLAGS) \
	-Icommon -Itests/fuzz $(LDFLAGS) -o $@
$(FUZZ): common/libcommon.a tests/fuzz/fuzz.h tests/fuzz/replay.c
tests/fuzz/build/replay-imgio: tests/fuzz/imgio.c
	$(FUZZBUILD) tests/fuzz/imgio.c tests/fuzz/replay.c common/libcommon.a $(LDLIBS)
tests/fuzz/build/replay-decode: tests/fuzz/decode.c
	$(FUZZBUILD) tests/fuzz/decode.c tests/fuzz/replay.c common/libcommon.a $(LDLIBS)
tests/fuzz/build/replay-idx: tests/fuzz/idx.c
	$(FUZZBUILD) tests/fuzz/idx.c tests/fuzz/replay.c common/libcommon.a $(LDLIBS)
tests/fuzz/build/replay-model: tests/fuzz/model.c
	$(FUZZBUILD) tests/fuzz/model.c tests/fuzz/replay.c common/libcommon.a $(LDLIBS)
tests/fuzz/build/replay-arch: tests/fuzz/arch.c
	$(FUZZBUILD) tests/fuzz/arch.c tests/fuzz/replay.c common/libcommon.a $(LDLIBS)
tests/fuzz/build/replay-web: tests/fuzz/web.c cmd/digits-web.c cmd/digits-web.html
	$(FUZZBUILD) tests/fuzz/web.c tests/fuzz/replay.c common/libcommon.a $(MHDLIBS) $(LDLIBS)
tests/fuzz/build/replay-webbody: tests/fuzz/web.c cmd/digits-web.c cmd/digits-web.html
	$(FUZZBUILD) -DWEB_BODY tests/fuzz/web.c tests/fuzz/replay.c common/libcommon.a $(MHDLIBS) $(LDLIBS)

fuzz:
	tests/fuzz/run -t 60

# Under the sanitizers, leaks at exit are not errors (valgrind checks the
# pipeline's, tests/t0930-valgrind.t), and the camera library may be
# preloaded before the sanitizers' runtime.
CHECKENV_0 =
CHECKENV_1 = ASAN_OPTIONS=detect_leaks=0:verify_asan_link_order=0 \
	UBSAN_OPTIONS=print_stacktrace=1
check: $(BIN) $(UNIT) $(TOOLS) tests/fakecam.so $(FUZZ)
	scripts/fetch-mnist
	$(CHECKENV_$(SANITIZE)) $(PROVE) tests/ tests/unit/

# Retrain the built-in model with its recipe (make never does it by itself).
model: $(BIN) $(TOOLS)
	scripts/train-model

bench/bench-cnn: bench/bench-cnn.c common/libcommon.a
	$(CC) $(XCFLAGS) $(CPPFLAGS) -Icommon $(LDFLAGS) -o $@ bench/bench-cnn.c common/libcommon.a $(LDLIBS)

bench: $(BIN) bench/bench-cnn
	bench/run

# The programs find the model installed beside them, in
# ../share/digitpipe from their folder (see cnn-infer(1), ENVIRONMENT).
install: $(BIN)
	mkdir -p "$(DESTDIR)$(PREFIX)/bin" "$(DESTDIR)$(MANPREFIX)/man1" \
		"$(DESTDIR)$(MANPREFIX)/man5" "$(DESTDIR)$(PREFIX)/share/digitpipe"
	install -m 755 $(BIN) $(SCRIPTS) "$(DESTDIR)$(PREFIX)/bin/"
	install -m 644 $(MAN1) "$(DESTDIR)$(MANPREFIX)/man1/"
	install -m 644 $(MAN5) "$(DESTDIR)$(MANPREFIX)/man5/"
	install -m 644 $(MODEL) "$(DESTDIR)$(PREFIX)/share/digitpipe/"

uninstall:
	for f in $(BIN) $(SCRIPTS); do rm -f "$(DESTDIR)$(PREFIX)/bin/$${f##*/}"; done
	for f in $(MAN1); do rm -f "$(DESTDIR)$(MANPREFIX)/man1/$${f##*/}"; done
	for f in $(MAN5); do rm -f "$(DESTDIR)$(MANPREFIX)/man5/$${f##*/}"; done
	rm -f "$(DESTDIR)$(PREFIX)/share/digitpipe/digits.cnn"
	-rmdir "$(DESTDIR)$(PREFIX)/share/digitpipe"

clean:
	rm -f $(BIN) $(OBJ) common/libcommon.a $(UNIT) $(TOOLS) tests/fakecam.so bench/bench-cnn
	rm -rf tests/test-results "tests/trash directory".* tests/fuzz/build

.PHONY: all check model bench fuzz install uninstall clean
