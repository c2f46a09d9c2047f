"""How long the `sabt` command takes to start: `sabt --help` and `sabt person show CODE`
(on the register given by --db, which must hold CODE), each run --runs times as a fresh
process, as a person at a terminal runs it. Prints the median and the slowest run of each
(goal, issue 29: both under 0.5 s on this machine).
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time


def timed(argv: list[str], runs: int) -> dict[str, float]:
    seconds = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds.append(time.perf_counter() - start)
    return {"median_s": round(statistics.median(seconds), 3), "max_s": round(max(seconds), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--code", required=True, help="a national code in that register")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    sabt = shutil.which("sabt", path=os.path.dirname(sys.executable)) or "sabt"
    timed([sabt, "--help"], 1)  # bytecode compiled once, not timed
    figures = {
        "cores": os.cpu_count(),
        "help": timed([sabt, "--help"], args.runs),
        "person_show": timed([sabt, "person", "show", args.code, "--db", args.db], args.runs),
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
