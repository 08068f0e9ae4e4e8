"""Time the statistics pages (coverage, its CSV, demand, annual) against a large directory.

Usage: .venv/bin/python bench/statistics_pages.py [--count 100000] [--requests 20] [--postgres URL]
Prints the median and 95th percentile per page, measured in one run (in-process test
client). The file is not named statistics.py, which would hide the standard library's
module from the other scripts here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from portal import create_app, migrate
from portal.demo.generator import generate_offers
from portal.extensions import db
from portal.geo.municipalities import MUNICIPALITIES
from portal.geo.services import seed_places
from portal.statistics.models import SearchDemandDay
from portal.taxonomy.services import seed_vocabularies

PAGES = {
    "coverage": "/statistik",
    "coverage, rare target group": "/statistik?target_group=groenlaendere",
    "coverage, group + activity": "/statistik?target_group=aeldre&activity=sorggrupper",
    "coverage sorted by distance": "/statistik?target_group=hjemloese&sort=distance&order=desc",
    "coverage CSV": "/statistik/daekning.csv?target_group=unge",
    "demand (365 days)": "/statistik/efterspoergsel?days=365",
    "annual overview": "/statistik/aarsoversigt",
}
DEMAND_DAYS = 365
DEMAND_ROWS_PER_DAY = 60


def _percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _demand_counters(seed: int) -> list[dict]:
    """Return a year of random daily search counters."""
    rng = random.Random(seed)
    groups = ["", "aeldre", "unge", "hjemloese", "efterladte", "aeldre+over-85"]
    activities = ["", "faellesspisning", "sorggrupper", "kultur"]
    today = dt.date.today()
    rows = {}
    for back in range(DEMAND_DAYS):
        for _ in range(DEMAND_ROWS_PER_DAY):
            key = (
                today - dt.timedelta(days=back),
                rng.choice(MUNICIPALITIES).code,
                rng.choice(groups),
                rng.choice(activities),
                "",
            )
            rows[key] = rng.randint(1, 9)
    return [
        {
            "day": day,
            "municipality_code": code,
            "target_group": group,
            "activity": activity,
            "life_situation": situation,
            "searches": count,
            "without_results": count // 2,
        }
        for (day, code, group, activity, situation), count in rows.items()
    ]


def _prepare(url: str, count: int) -> None:
    """Create the schema and write the offers and counters."""
    engine = db.engine
    if not url.startswith("sqlite"):
        # Functions and triggers of migrations outlive drop_all; start from an empty schema.
        with engine.begin() as connection:
            connection.execute(sa.text("DROP SCHEMA public CASCADE"))
            connection.execute(sa.text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    seed_places(db.session)
    seed_vocabularies(db.session)
    started = time.perf_counter()
    generate_offers(db.session.connection(), count=count, seed=1)
    db.session.execute(sa.insert(SearchDemandDay), _demand_counters(1))
    db.session.commit()
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    print(f"  prepared {count:,} offers in {time.perf_counter() - started:.0f} s")


def _measure(url: str, label: str, count: int, requests: int, folder: str) -> None:
    """Fill one database and time each page on it."""
    os.environ["PORTAL_INSTANCE_PATH"] = folder
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "bench-" * 8,
            "RATELIMIT_ENABLED": False,
            "SEARCH_INDEX_DIR": str(Path(folder) / "index"),
            # The pages keep their numbers for minutes; measure the queries themselves.
            "STATISTICS_CACHE_SECONDS": 0,
        }
    )
    print(f"{label}: {count:,} offers, {requests} requests per page")
    with app.app_context():
        _prepare(url, count)
    client = app.test_client()
    for name, path in PAGES.items():
        assert client.get(path).status_code == 200, path  # warm caches
        timings = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, path
        print(
            f"  {name:<30} median {statistics.median(timings):7.1f} ms  "
            f"p95 {_percentile(timings, 0.95):7.1f} ms"
        )


def main() -> None:
    """Run the benchmark on SQLite and optionally PostgreSQL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--postgres", help="also run against this PostgreSQL URL (it is wiped)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        _measure(url, "SQLite", args.count, args.requests, folder)
    if args.postgres:
        with tempfile.TemporaryDirectory() as folder:
            _measure(args.postgres, "PostgreSQL", args.count, args.requests, folder)


if __name__ == "__main__":
    main()
