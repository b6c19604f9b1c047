"""How fast the command line starts: `newscorpus --help`, and a search with filters and a facet on a small corpus
(the bundled demo site, crawled once), each timed as a fresh process (wall time and peak memory, the median of
`--runs`). Baseline, in the same run: a Python that imports only what the CLI itself is made of (click and rich).

    python benchmarks/startup.py [--runs 7]

Optionally `--baseline DIR`: the same commands run from another checkout (e.g. a git worktree of an older commit),
with this environment's packages.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BARE = [sys.executable, "-c", "import click, rich.console, rich.table, rich.progress"]


def timed(command: list[str], runs: int, checkout: Path) -> tuple[float, float]:
    """Median wall seconds and median peak memory (MB) of a command run `runs` times from a checkout (run
    elsewhere: `python -m` would put the current directory's package first)."""
    env = dict(os.environ, PYTHONPATH=str(checkout))
    seconds, memory = [], []
    for _ in range(runs):
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=tempfile.gettempdir(), stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds.append(time.perf_counter() - started)
        memory.append(usage.ru_maxrss / 1024)
        if status != 0:
            raise SystemExit(f"{' '.join(command)} failed with status {status}")
    return statistics.median(seconds), statistics.median(memory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--baseline", type=Path, default=None, help="another checkout to time the same commands")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newscorpus-startup-") as folder:
        data = Path(folder) / "data"
        cli = [sys.executable, "-m", "newscorpus", "--data", str(data)]
        subprocess.run([*cli, "demo", "--keep"], check=True, capture_output=True, cwd=folder,
                       env=dict(os.environ, PYTHONPATH=str(ROOT)))
        commands = {
            "newscorpus --help": [*cli, "--help"],
            "newscorpus search (place, law, facet)": [*cli, "search", "flood", "--place", "Pakistan", "--law", "PECA",
                                                      "--facets", "law"],
            "newscorpus show 1": [*cli, "show", "1"],
        }
        bare, bare_mb = timed(BARE, args.runs, ROOT)
        print(f"baseline: python importing click and rich: {bare:.3f} s, {bare_mb:.0f} MB (median of {args.runs})")
        for name, command in commands.items():
            seconds, mb = timed(command, args.runs, ROOT)
            line = f"{name:<40} {seconds:.3f} s ({seconds / bare:.1f}x the baseline), {mb:.0f} MB"
            if args.baseline is not None:
                before, before_mb = timed(command, args.runs, args.baseline)
                line += f"; {args.baseline.name}: {before:.3f} s, {before_mb:.0f} MB ({before / seconds:.1f}x slower)"
            print(line)


if __name__ == "__main__":
    main()
