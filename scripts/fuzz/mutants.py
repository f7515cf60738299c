#!/usr/bin/env python3
"""Random-mutation run of the otkit executable: N mutants per format (CSV points, NPY
points, config.json and model.safetensors of a saved model), each run through the command
that reads it. A mutant fails the run when otkit traps (a signal), hangs (past the time
limit) or exits 0 with NaN in its output. Prints one line per format and a JSON summary.

    python3 scripts/fuzz/mutants.py OTKIT_BINARY [--count 1000] [--seed 0]

Needs only the Python standard library; the seed files are generated here and by the
binary itself (a small model trained with otkit train --save).
"""
import argparse, json, os, random, re, shutil, struct, subprocess, sys, tempfile

NAN = re.compile(r"(?i)(^|[^a-z])-?nan([^a-z]|$)")


def npy(shape, values):
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (%s), }" % (
        ", ".join(map(str, shape)) + ("," if len(shape) == 1 else ""))
    h = header.encode()
    h += b" " * ((64 - (10 + len(h) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(h)) + h + struct.pack("<%dd" % len(values), *values)


def mutate(data, rng):
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(7)
        if not data:
            data = bytearray(b"0")
        i = rng.randrange(len(data))
        if kind == 0:
            data[i] = rng.randrange(256)
        elif kind == 1:
            data[i] ^= 1 << rng.randrange(8)
        elif kind == 2:
            del data[i:i + rng.randint(1, 16)]
        elif kind == 3:
            data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif kind == 4:
            data = data[:i]
        elif kind == 5:
            token = rng.choice([b"1e308", b"-1e308", b"1e-320", b"nan", b"inf", b"0x10", b"9" * 40, b"-1",
                                b"0", b"4294967296", b"9223372036854775807", b",", b"\n", b'"', b"\x00", b"1e400"])
            data[i:i] = token
        else:
            j = rng.randrange(len(data))
            data[i], data[j] = data[j], data[i]
    return bytes(data)


def run(binary, args, cwd, timeout=60):
    try:
        p = subprocess.run([binary] + args, cwd=cwd, capture_output=True, timeout=timeout,
                           env=dict(os.environ, OTKIT_THREADS="1", SWIFT_BACKTRACE="enable=no"))
    except subprocess.TimeoutExpired:
        return "hang", "", None
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode < 0 or p.returncode >= 128:
        return "trap (signal %d)" % (-p.returncode if p.returncode < 0 else p.returncode - 128), out, p.returncode
    if p.returncode == 0 and NAN.search(out):
        return "exit 0 with NaN", out, 0
    return None, out, p.returncode


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    a = parser.parse_args()
    binary = os.path.abspath(a.binary)
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="otkit-mutants-")
    points = "x,y\n0,0\n1,0\n0,1\n2.5,-1\n"
    target = os.path.join(work, "target.csv")
    open(target, "w").write("x,y\n2,2\n3,2\n2,3\n1,1\n")
    train = os.path.join(work, "train.csv")
    rows = ["a,b,label"] + ["%g,%g,%s" % (i % 2 * 3 + (i * 7 % 10) / 10, (i * 3 % 10) / 10, "xy"[i % 2]) for i in range(40)]
    open(train, "w").write("\n".join(rows) + "\n")
    model = os.path.join(work, "model")
    subprocess.run([binary, "train", train, "--label", "label", "--model", "mlp", "--hidden", "4", "--epochs", "2", "--save", model],
                   check=True, capture_output=True)
    formats = {
        "csv": (points.encode(), "p.csv", lambda f: ["transport", f, target, "--json"]),
        "npy": (npy([4, 2], [0, 0, 1, 0, 0, 1, 2.5, -1]), "p.npy", lambda f: ["attention", "--queries", f, "--keys", target, "--json"]),
        "config": (open(os.path.join(model, "config.json"), "rb").read(), "config.json", None),
        "safetensors": (open(os.path.join(model, "model.safetensors"), "rb").read(), "model.safetensors", None),
    }
    summary, failed = {}, []
    for name, (seed, filename, command) in formats.items():
        counts = {"exit 0": 0, "exit 1": 0, "exit 3": 0, "exit 64": 0, "other": 0}
        for k in range(a.count):
            data = mutate(seed, rng)
            case = os.path.join(work, "%s-%d" % (name, k))
            os.makedirs(case)
            if command is None:
                shutil.copytree(model, os.path.join(case, "model"))
                open(os.path.join(case, "model", filename), "wb").write(data)
                args = ["predict", "model", train, "--json"]
            else:
                open(os.path.join(case, filename), "wb").write(data)
                args = command(filename)
            problem, _, code = run(binary, args, case)
            status = "exit %d" % code if problem is None else "other"
            counts[status if status in counts else "other"] += 1
            if problem:
                failed.append((name, k, problem))
                keep = os.path.join(work, "failed")
                os.makedirs(keep, exist_ok=True)
                open(os.path.join(keep, "%s-%d-%s" % (name, k, filename)), "wb").write(data)
            else:
                shutil.rmtree(case)
        summary[name] = counts
        print("%-12s %d mutants: %s" % (name, a.count, ", ".join("%s %d" % kv for kv in counts.items())))
    for name, k, problem in failed:
        print("FAILED %s mutant %d: %s" % (name, k, problem))
    print(json.dumps({"mutants": a.count * len(formats), "failures": len(failed), "formats": summary}))
    if not failed:
        shutil.rmtree(work)
    else:
        print("failing inputs kept in", os.path.join(work, "failed"))
    sys.exit(1 if failed else 0)


main()
