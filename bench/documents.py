"""Documents: issued per second in a warm process (facts + log leaf + ledger entry + signed
token + PDF render), the token and QR size, and token verifications per second in-process,
on one core and on every core. Prints one JSON line.

    .venv/bin/python bench/documents.py --db sqlite:////tmp/bench.db --documents 50
"""

import argparse
import json
import multiprocessing as mp
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from sabt.documents import keys, render, service
from sabt.registry.cli import open_register
from sabt.registry.db import write_session
from sabt.registry.models import Person


def _verify_many(args: tuple[str, str, int]) -> float:
    home, token, n = args
    public = keys.load(Path(home)).public
    start = time.perf_counter()
    for _ in range(n):
        service.verify_token(public, token, None)
    return n / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--verifications", type=int, default=20000)
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sabt-bench-docs-"))
    signing = keys.load(home)
    engine = open_register(args.db)
    with Session(engine) as s:
        codes = list(s.scalars(select(Person.national_code).where(Person.status == "alive")
                               .limit(args.documents + 1)))  # fmt: skip
    render.pdf("<p>warm</p>")  # the WeasyPrint import and first layout
    times, sizes, token = [], [], ""
    for i, code in enumerate(codes):
        start = time.perf_counter()
        with write_session(engine) as session:
            issued = service.issue(session, signing, "booklet", code, "bench")
        pdf = service.printable(issued, "https://sabt.example")
        if i:  # the first one warms the templates
            times.append(time.perf_counter() - start)
        sizes.append(len(pdf))
        token = issued.token
        print(f"\r{i + 1}/{len(codes)}", end="", file=sys.stderr)
    print(file=sys.stderr)
    one = _verify_many((str(home), token, args.verifications))
    cores = os.cpu_count() or 1
    with mp.get_context("spawn").Pool(cores) as pool:
        start = time.perf_counter()
        per = args.verifications
        pool.map(_verify_many, [(str(home), token, per)] * cores)
        both = per * cores / (time.perf_counter() - start)
    print(json.dumps({
        "cores": cores, "documents": len(times),
        "issue_ms_p50": round(statistics.median(times) * 1000, 1),
        "issue_ms_p95": round(sorted(times)[int(len(times) * 0.95) - 1] * 1000, 1),
        "issued_per_s": round(len(times) / sum(times), 1),
        "pdf_kib_mean": round(statistics.mean(sizes) / 1024, 1),
        "token_chars": len(token), "qr_url_chars": len(f"https://sabt.example/verify?t={token}"),
        "verify_per_s_one_core": round(one), "verify_per_s_all_cores": round(both),
        "pades": False,
    }))  # fmt: skip


if __name__ == "__main__":
    main()
