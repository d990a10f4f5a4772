#!/usr/bin/python3
"""PyTorch side of the side-by-side benchmark: the same net, measured the way a peer uses it.

Usage: /usr/bin/python3 bench/torch-cnn.py [-b batch] [-n images] [-t threads] [-e seconds] ARCH
       /usr/bin/python3 bench/torch-cnn.py --summary ARCH

ARCH is a digitpipe architecture description, or the name of a file holding one.
Output (stdout): one "torch<TAB>NAME<TAB>VALUE" line per figure; notes go to stderr.
With --summary: a TSV table of layer, output shape, parameters and MFLOPs per image.
"""
import os
import sys

PROG = "torch-cnn"

# A Haswell OPENBLAS_CORETYPE exported by the machine would halve OpenBLAS on this CPU:
# let the library detect the CPU itself, as it would on a peer's machine.
if "OPENBLAS_CORETYPE" in os.environ:
    env = dict(os.environ)
    value = env.pop("OPENBLAS_CORETYPE")
    print(f"{PROG}: note: OPENBLAS_CORETYPE={value} removed from the environment "
          "(re-executing so OpenBLAS detects the CPU itself)", file=sys.stderr, flush=True)
    os.execve(sys.executable, [sys.executable] + sys.argv, env)

import argparse
import copy
import ctypes
import time

try:
    import torch
    import torch.nn as nn
except ImportError:
    sys.exit(f"{PROG}: PyTorch not found in {sys.executable}; run with /usr/bin/python3")

IN_SHAPE = (1, 28, 28)


class ArchError(Exception):
    pass


def parse_arch(text):
    """Description -> list of (line text, kind, args dict)."""
    layers = []
    for raw in text.replace(";", "\n").split("\n"):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        kind, *words = line.split()
        pos = [w for w in words if "=" not in w]
        opts = dict(w.split("=", 1) for w in words if "=" in w)
        spec = {"conv": (2, ("s", "p")), "bn": (0, ()), "relu": (0, ()),
                "maxpool": (1, ("s",)), "dense": (1, ()), "dropout": (1, ())}
        if kind not in spec:
            raise ArchError(f"'{line}': unknown layer '{kind}' "
                            "(known: conv, bn, relu, maxpool, dense, dropout)")
        npos, keys = spec[kind]
        if len(pos) != npos:
            raise ArchError(f"'{line}': {kind} takes {npos} number(s), got {len(pos)}")
        bad = [k for k in opts if k not in keys]
        if bad:
            raise ArchError(f"'{line}': {kind} has no option '{bad[0]}='")
        try:
            if kind == "dropout":
                a = {"p": float(pos[0])}
                if not 0 <= a["p"] < 1:
                    raise ValueError
            else:
                nums = [int(v) for v in pos]
                a = {k: int(v) for k, v in opts.items()}
                if kind == "conv":
                    a.update(oc=nums[0], k=nums[1])
                elif kind == "maxpool":
                    a["k"] = nums[0]
                elif kind == "dense":
                    a["n"] = nums[0]
                if any(v < 1 for k, v in a.items() if k != "p") or a.get("p", 0) < 0:
                    raise ValueError
        except ValueError:
            raise ArchError(f"'{line}': bad number (sizes, kernels and strides are "
                            "integers >= 1, padding >= 0, dropout 0 <= P < 1)") from None
        layers.append((line, kind, a))
    if not layers:
        raise ArchError("empty architecture")
    if layers[-1][1] != "dense":
        raise ArchError(f"the last layer must be 'dense N', not '{layers[-1][0]}'")
    return layers


def build(layers):
    """-> (nn.Sequential, rows of (text, output shape, params, flops per image))."""
    mods, rows, shape = [], [], IN_SHAPE
    for text, kind, a in layers:
        flops, mod = 0, None
        if kind in ("conv", "maxpool"):
            if len(shape) != 3:
                raise ArchError(f"'{text}': needs a C,H,W input, but the input is flat")
            k, s = a["k"], a.get("s", 1 if kind == "conv" else a["k"])
            p = a.get("p", 0)
            oh, ow = ((d + 2 * p - k) // s + 1 for d in shape[1:])
            if oh < 1 or ow < 1:
                raise ArchError(f"'{text}': kernel larger than its {shape[1]}x{shape[2]} input")
            if kind == "conv":
                mod = nn.Conv2d(shape[0], a["oc"], k, stride=s, padding=p)
                flops = 2 * a["oc"] * oh * ow * shape[0] * k * k
                shape = (a["oc"], oh, ow)
            else:
                mod = nn.MaxPool2d(k, stride=s)
                shape = (shape[0], oh, ow)
        elif kind == "dense":
            n_in = 1
            for d in shape:
                n_in *= d
            if len(shape) == 3:
                mods.append(nn.Flatten())
            mod = nn.Linear(n_in, a["n"])
            flops, shape = 2 * n_in * a["n"], (a["n"],)
        elif kind == "bn":
            mod = (nn.BatchNorm2d if len(shape) == 3 else nn.BatchNorm1d)(shape[0])
        elif kind == "relu":
            mod = nn.ReLU()
        else:
            mod = nn.Dropout(a["p"])
        mods.append(mod)
        rows.append((text, shape, sum(q.numel() for q in mod.parameters()), flops))
    return nn.Sequential(*mods), rows


def print_summary(rows):
    print(f"layer\toutput\tparams\tmflops\ninput\t{'x'.join(map(str, IN_SHAPE))}\t0\t0.0000")
    for text, shape, params, flops in rows:
        print(f"{text}\t{'x'.join(map(str, shape))}\t{params}\t{flops / 1e6:.4f}")
    print(f"total\t-\t{sum(r[2] for r in rows)}\t"
          f"{sum(r[3] for r in rows) / 1e6:.4f}")


def rate(step, batches, per_batch, seconds):
    """Images/s of step(batch) cycling over batches, after a warm-up."""
    def run(limit):
        n, t0 = 0, time.perf_counter()
        while True:
            step(batches[n % len(batches)])
            n += 1
            t = time.perf_counter() - t0
            if t >= limit and n >= 3:
                return n * per_batch / t
    run(min(0.5, seconds / 4))
    return run(seconds)


def uses_mkldnn(step, batch):
    with torch.autograd.profiler.profile() as prof:
        step(batch)
    return int(any("mkldnn" in e.name for e in prof.function_events))


def infer_variants(model, example):
    """Ways a reasonable user runs inference: name -> (callable, input transform)."""
    cl = copy.deepcopy(model).to(memory_format=torch.channels_last)
    with torch.no_grad():
        frozen = torch.jit.freeze(torch.jit.trace(copy.deepcopy(model), example))
        opt = torch.jit.optimize_for_inference(
            torch.jit.freeze(torch.jit.trace(copy.deepcopy(model), example)))
    same = lambda x: x
    return {"eager": (model, same),
            "channels_last": (cl, lambda x: x.contiguous(memory_format=torch.channels_last)),
            "traced_frozen": (frozen, same),
            "traced_optimized": (opt, same)}


def bench_infer(model, pool, batch, seconds):
    """Variant name -> (images/s, mkldnn used)."""
    set_threads(1)
    model.eval()
    chunks = list(pool.split(batch))
    if len(chunks[-1]) != batch:
        chunks.pop()
    results = {}
    with torch.inference_mode():
        want = model(chunks[0])
    for name, (fn, tx) in infer_variants(model, chunks[0]).items():
        xs = [tx(x) for x in chunks]
        with torch.inference_mode():
            if not torch.allclose(fn(xs[0]), want, rtol=1e-3, atol=1e-4):
                print(f"{PROG}: {name} disagrees with eager, skipped", file=sys.stderr)
                continue
            ips = rate(fn, xs, batch, seconds)
            results[name] = (ips, uses_mkldnn(fn, xs[0]))
    return results


def bench_train(model, pool, labels, batch, threads, seconds):
    set_threads(threads)
    model.train()
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True,
                          weight_decay=5e-4)
    loss_fn = nn.CrossEntropyLoss()
    batches = list(zip(pool.split(batch), labels.split(batch)))
    if len(batches[-1][0]) != batch:
        batches.pop()

    def step(xy):
        opt.zero_grad(set_to_none=True)
        loss_fn(model(xy[0]), xy[1]).backward()
        opt.step()
    return rate(step, batches, batch, seconds), uses_mkldnn(step, batches[0])


def blas_libraries():
    """The BLAS shared objects torch loaded (the Debian alternative decides which)."""
    with open("/proc/self/maps") as f:
        libs = {line.split()[-1] for line in f if "blas" in line.rsplit("/", 1)[-1]}
    return sorted({os.path.realpath(p) for p in libs})


def set_threads(n):
    """torch's threads, and OpenBLAS's to match if that is the BLAS (it has its own pool)."""
    torch.set_num_threads(n)
    for path in blas_libraries():
        if "openblas" in os.path.basename(path):
            ctypes.CDLL(path).openblas_set_num_threads(n)


def main():
    ap = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n")[0])
    ap.add_argument("-b", type=int, default=128, metavar="batch", help="training batch (128)")
    ap.add_argument("-n", type=int, default=10000, metavar="images",
                    help="distinct random input images cycled through (10000)")
    ap.add_argument("-t", type=int, default=2, metavar="threads", help="training threads (2)")
    ap.add_argument("-e", type=float, default=3.0, metavar="seconds",
                    help="seconds per measurement, after a warm-up (3)")
    ap.add_argument("--summary", action="store_true",
                    help="print per-layer shapes, parameters and MFLOPs, then exit")
    ap.add_argument("arch", metavar="ARCH", help="architecture description or file")
    args = ap.parse_args()
    if min(args.b, args.n, args.t) < 1 or args.e <= 0 or args.n < max(args.b, 100):
        ap.error("need -b, -t >= 1, -e > 0 and -n >= max(batch, 100)")

    text = args.arch
    if os.path.isfile(text):
        with open(text) as f:
            text = f.read()
    try:
        model, rows = build(parse_arch(text))
    except ArchError as e:
        print(f"{PROG}: bad architecture: {e}", file=sys.stderr)
        sys.exit(2)
    if args.summary:
        print_summary(rows)
        return

    def out(name, value):
        print(f"torch\t{name}\t{value}", flush=True)

    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"{PROG}: warning: load average {load:.2f} before starting: "
              "other work competes for the CPU", file=sys.stderr)
    torch.manual_seed(1)
    pool = torch.rand(args.n, *IN_SHAPE)  # MNIST-like range [0,1)
    labels = torch.randint(0, 10, (args.n,))   # digit classes, any net
    out("flops_per_image", sum(r[3] for r in rows))
    out("torch_version", torch.__version__)
    out("threads_default", torch.get_num_threads())
    out("mkldnn_available", int(torch.backends.mkldnn.is_available()))
    out("blas", ",".join(blas_libraries()) or "none")
    out("infer_threads", 1)
    for name, batch in (("batch100", 100), ("single", 1)):
        results = bench_infer(model, pool, batch, args.e)
        for variant, (ips, mk) in results.items():
            out(f"infer_{name}_ips_{variant}", f"{ips:.1f}")
            out(f"infer_{name}_mkldnn_{variant}", mk)
        best = max(results, key=lambda k: results[k][0])
        out(f"infer_{name}_ips", f"{results[best][0]:.1f}")
        out(f"infer_{name}_variant", best)
        out(f"infer_{name}_mkldnn", results[best][1])
        print(f"{PROG}: batch {batch}: best is {best} ("
              + ", ".join(f"{k} {v[0]:.0f}" for k, v in results.items()) + " images/s)",
              file=sys.stderr, flush=True)
    ips, mk = bench_train(model, pool, labels, args.b, args.t, args.e)
    out("train_threads", args.t)
    out("train_batch", args.b)
    out("train_ips", f"{ips:.1f}")
    out("train_mkldnn", mk)


if __name__ == "__main__":
    main()
