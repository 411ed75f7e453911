"""``make bench``: run every bench/*_bench.py in turn, then repeat each one's summary line.

Benchmarks are never part of ``make test``: they wipe their own PostgreSQL databases, need
``wrk`` and take minutes. Each prints a one-line summary with its ratio last; this runner
shows their full output as it comes and ends with their ratio lines together.

    .venv/bin/python bench/run_all.py [name ...]   # e.g. `load report`; default: all

All of them use the database in $LSPHUB_BENCH_PG (default lsphub_bench on 127.0.0.1, created
if missing), never the databases developers test with.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/lsphub_bench"


def main() -> int:
    wanted = set(sys.argv[1:])
    # Every benchmark wipes the database it is given: one dedicated database for them all.
    os.environ.setdefault("LSPHUB_BENCH_PG", DEFAULT_PG)
    os.environ.setdefault("LSPHUB_ENV", "dev")  # production is the default
    print(f"benchmarks on {os.environ['LSPHUB_BENCH_PG']} (wiped by each benchmark)")
    scripts = [
        p
        for p in sorted(HERE.glob("*_bench.py"))
        if not wanted or p.stem.removesuffix("_bench") in wanted
    ]
    summaries: list[tuple[str, str, float, int]] = []
    for script in scripts:
        print(f"\n=== {script.name} ===", flush=True)
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, str(script)],
            cwd=HERE.parent,
            stdout=subprocess.PIPE,
            text=True,
        )
        lines: list[str] = []
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.strip():
                lines.append(line.rstrip())
        code = process.wait()
        ratios = [line for line in lines if "ratio" in line.lower()] or lines[-1:]
        for line in ratios or ["(no output)"]:
            summaries.append((script.stem, line, time.monotonic() - started, code))
    print("\n=== summary ===")
    for name, line, seconds, code in summaries:
        status = "" if code == 0 else f" [exit {code}]"
        print(f"{name} ({seconds:.0f} s){status}: {line}")
    return 0 if all(code == 0 for *_, code in summaries) else 1


if __name__ == "__main__":
    sys.exit(main())
