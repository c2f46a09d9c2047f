"""Documents: issued per second in a warm process (facts + log leaf + ledger entry + signed
token and seal + PDF render + PAdES signature), the JWS token's and the QR seal's length,
the lowest resolution at which zbar reads the longest seal back from the rendered page, and
token verifications per second in-process, on one core and on every core. Prints one JSON
line.

    .venv/bin/python bench/documents.py --db sqlite:////tmp/bench.db --documents 50 \
        [--kind inheritance]
"""

import argparse
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from sabt.documents import keys, pades, qr, render, service
from sabt.kit.errors import SabtError
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
    parser.add_argument("--kind", choices=["booklet", "inheritance"], default="booklet")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="sabt-bench-docs-"))
    signing, pdf_keys = keys.load(home), pades.load(home)
    engine = open_register(args.db)
    render.pdf("<p>warm</p>")  # the WeasyPrint import and first layout
    times, sizes, token, skipped = [], [], "", 0
    longest: tuple[int, bytes] = (0, b"")  # the longest seal and its PDF
    for code in _subjects(engine, args.kind, args.documents):
        start = time.perf_counter()
        try:
            with write_session(engine) as session:
                issued = service.issue(session, signing, args.kind, code, "bench")
        except SabtError:  # an estate the register cannot settle goes to a registrar
            skipped += 1
            continue
        pdf = service.printable(issued, "https://sabt.example", pdf_keys)
        if sizes:  # the first one warms the templates
            times.append(time.perf_counter() - start)
        sizes.append(len(pdf))
        token = issued.token
        longest = max(longest, (len(issued.seal), pdf))
        print(f"\r{len(sizes)}/{args.documents + 1} ({skipped} refused)", end="", file=sys.stderr)
        if len(sizes) > args.documents:
            break
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
        "token_chars": len(token), "jws_url_chars": len(f"https://sabt.example/verify?t={token}"),
        "seal_chars_max": longest[0], "qr_lowest_dpi": _lowest_dpi(longest[1]),
        "verify_per_s_one_core": round(one), "verify_per_s_all_cores": round(both),
        "kind": args.kind, "refused_not_timed": skipped, "pades": True,
    }))  # fmt: skip


def _lowest_dpi(pdf: bytes) -> int | None:
    """The lowest of a few resolutions at which zbar reads the page's QR (None: not even
    at 150 dpi)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "d.pdf"
        path.write_bytes(pdf)
        for dpi in (50, 60, 70, 80, 90, 100, 120, 150):
            page = Path(tmp) / f"p{dpi}"
            subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", "-f", "1", "-l", "1",
                            "-singlefile", str(path), str(page)], check=True)  # fmt: skip
            try:
                qr.read_file(page.with_suffix(".png"))
                return dpi
            except qr.Unreadable:
                continue
    return None


def _subjects(engine: Engine, kind: str, n: int) -> list[str]:
    """The living for booklets; for inheritance certificates the most recent deaths (some
    of which the register cannot settle: those are refused and not timed)."""
    query = select(Person.national_code)
    if kind == "booklet":
        query = query.where(Person.status == "alive").limit(n + 1)
    else:
        query = query.where(Person.status == "deceased").order_by(Person.death_date.desc())
        query = query.limit(n * 20)
    with Session(engine) as s:
        return list(s.scalars(query))


if __name__ == "__main__":
    main()
