"""Throughput of the Python package on the benchmark workload, against a pure-Python
baseline and against piping through the CLI, all in one run.

    cargo run --release --example workload -- 1000000 42 > target/workload.jsonl
    cargo build --release --bin paynorm
    python python/bench.py target/workload.jsonl [--runs 5] [--threads N] [--cli target/release/paynorm]

Each variant runs `--runs` times on the same in-memory input; the table gives the median
with min and max, rows/s of the median, and the ratio to the pure-Python baseline (higher
is faster). Inputs are prepared before timing (lists of dicts, str and bytes lines, an Arrow
table); each variant's answer is checked before it is timed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

# `python python/bench.py` puts python/ first on sys.path, where the source package (without
# its native module) would shadow the installed wheel.
_here = Path(__file__).resolve().parent
sys.path = [p for p in sys.path if Path(p or ".").resolve() != _here]

import paynorm  # noqa: E402

# The minimum a hand-written normalizer does: parse the line, look the answer up in a small
# table, build a small result.
BASELINE_TABLE = {
    ("stripe", "insufficient_funds"): 100100,
    ("stripe", "card_declined"): 100607,
    ("iso8583", "51"): 100100,
    ("iso8583", "05"): 100607,
    ("adyen", "Refused"): 100607,
    ("braintree", "2001"): 100100,
    ("checkout", "20051"): 100100,
    ("paypal", "INSUFFICIENT_FUNDS"): 100100,
}


def baseline(lines: list[bytes]) -> list[dict]:
    table = BASELINE_TABLE
    out = []
    append = out.append
    loads = json.loads
    for line in lines:
        d = loads(line)
        r = d.get("response")
        key = None
        if isinstance(r, dict):
            e = r.get("error")
            key = e.get("decline_code") or e.get("code") if isinstance(e, dict) else r.get("code")
        append({"code": table.get((d.get("provider"), key), 100998), "provider": d.get("provider")})
    return out


def cpu_seconds() -> float:
    """CPU time of this process (all threads) and of its finished children (the CLI)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        c, t = cpu_seconds(), time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu_seconds() - c)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("workload", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=None, help="default: the number of cores")
    parser.add_argument("--cli", type=Path, default=Path(__file__).resolve().parents[1] / "target/release/paynorm")
    parser.add_argument("--only", default="", help="comma-separated variant names to run")
    args = parser.parse_args()

    import pyarrow as pa

    load_before = os.getloadavg()
    raw = args.workload.read_bytes()
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    n = len(lines)
    texts = [line.decode() for line in lines]
    dicts = [json.loads(line) for line in lines]
    table = pa.table({
        "provider": [d["provider"] for d in dicts],
        "response": [json.dumps(d["response"], separators=(",", ":"), ensure_ascii=False) for d in dicts],
    })
    engine = paynorm.Engine()
    threads = args.threads

    def cli_pipe(parse: bool):
        def run():
            done = subprocess.run([str(args.cli), "batch", *(["--threads", str(threads)] if threads else [])],
                                  input=raw, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, check=False)
            out = done.stdout.split(b"\n")[:-1]
            return [json.loads(o) for o in out] if parse else out
        return run

    variants = {
        "baseline: json.loads + dict lookup (pure Python, 1 thread)": lambda: baseline(lines),
        "normalize_many: dicts -> dicts": lambda: engine.normalize_many(dicts, threads=threads),
        "normalize_many: str lines -> dicts": lambda: engine.normalize_many(texts, threads=threads),
        "normalize_many: dicts -> JSON lines": lambda: engine.normalize_many(dicts, as_json=True, threads=threads),
        "normalize_many: bytes lines -> JSON lines": lambda: engine.normalize_many(lines, as_json=True, threads=threads),
        "normalize_arrow: pyarrow table -> table": lambda: engine.normalize_arrow(table, threads=threads),
    }
    if args.cli.is_file():
        variants["CLI pipe: paynorm batch, bytes out"] = cli_pipe(False)
        variants["CLI pipe: paynorm batch + json.loads"] = cli_pipe(True)
    else:
        print(f"(no CLI at {args.cli}: build it with cargo build --release --bin paynorm)", file=sys.stderr)
    if args.only:
        keep = args.only.split(",")
        variants = {k: v for k, v in variants.items() if k.startswith("baseline") or any(s in k for s in keep)}

    # Answers checked before timing: one record per line, in order, the same everywhere.
    check = engine.normalize_many(lines[:2000])
    assert len(check) == 2000 and all("code" in r for r in check), "the workload must normalize"
    assert engine.normalize_many(dicts[:2000]) == check
    assert [json.loads(t) for t in engine.normalize_many(lines[:2000], as_json=True)] == check
    arrow_codes = engine.normalize_arrow(table.slice(0, 2000)).column("code").to_pylist()
    assert arrow_codes == [r["code"] for r in check]

    print(f"workload: {args.workload} ({n:,} lines, {len(raw):,} bytes); runs: {args.runs}; "
          f"threads: {threads or os.cpu_count()}; cores: {os.cpu_count()}; "
          f"load average before: {load_before[0]:.2f}")
    results = {}
    for name, fn in variants.items():
        walls, cpus = timed(fn, args.runs)
        results[name] = (walls, cpus)
        med = statistics.median(walls)
        print(f"  {name}: median {med:.3f} s ({n / med / 1e6:.2f} M rows/s)", file=sys.stderr)
    base_walls, base_cpus = results[next(iter(results))]
    base, base_cpu = statistics.median(base_walls), statistics.median(base_cpus)
    print()
    print("| variant | wall median | min–max | rows/s | vs baseline | CPU s (median) | rows per CPU-s | vs baseline |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (walls, cpus) in results.items():
        med, cpu = statistics.median(walls), statistics.median(cpus)
        print(f"| {name} | {med:.3f} s | {min(walls):.3f}–{max(walls):.3f} s | "
              f"{n / med / 1e6:.2f} M | {base / med:.2f}× | {cpu:.3f} | {n / cpu / 1e6:.2f} M | {base_cpu / cpu:.2f}× |")
    print(f"\nload average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
