"""Time `generate`: bulk-writing demo offers into a fresh database.

Usage: .venv/bin/python bench/generate.py [--count 100000] [--repeat 3] [--postgres URL]
Prints the median, minimum and maximum wall time per run and offers per second.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from portal import migrate
from portal.db import create_engine
from portal.demo.generator import generate_offers
from portal.geo.services import seed_places
from portal.models import Base
from portal.taxonomy.services import seed_vocabularies


def _prepare(engine: sa.Engine) -> None:
    with engine.begin() as connection:
        Base.metadata.drop_all(connection)
        connection.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
    migrate.upgrade(engine)
    with so.Session(engine) as session:
        seed_places(session)
        seed_vocabularies(session)
        session.commit()


def _run(url: str, count: int, repeat: int) -> list[float]:
    timings = []
    for run in range(repeat):
        engine = create_engine(url)
        _prepare(engine)
        started = time.perf_counter()
        with engine.begin() as connection:
            generate_offers(connection, count=count, seed=run + 1)
        timings.append(time.perf_counter() - started)
        engine.dispose()
    return timings


def _report(label: str, count: int, timings: list[float]) -> None:
    median = statistics.median(timings)
    print(
        f"{label:<11} {count:>8,} offers  median {median:6.1f} s  "
        f"min {min(timings):6.1f} s  max {max(timings):6.1f} s  "
        f"{count / median:>8,.0f} offers/s  (n={len(timings)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (it is wiped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        _report("SQLite", args.count, _run(url, args.count, args.repeat))
    if args.postgres:
        _report("PostgreSQL", args.count, _run(args.postgres, args.count, args.repeat))


if __name__ == "__main__":
    main()
