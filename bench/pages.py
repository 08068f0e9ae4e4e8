"""Time the home page, an offer page and its calendar file against a large directory.

Usage: .venv/bin/python bench/pages.py [--count 100000] [--requests 200]
Prints the median and 95th percentile per page, measured in one run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa

from portal import create_app, migrate
from portal.demo.generator import generate_offers
from portal.extensions import db
from portal.geo.services import seed_places
from portal.models import Service, ServiceStatus
from portal.taxonomy.services import seed_vocabularies

PAGES = {
    "home": "/",
    "offer page": "/tilbud/{offer}",
    "offer calendar (.ics)": "/tilbud/{offer}.ics",
}


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PORTAL_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "SECRET_KEY": "bench-" * 8,
                "RATELIMIT_ENABLED": False,
            }
        )
        with app.app_context():
            migrate.upgrade(db.engine)
            seed_places(db.session)
            seed_vocabularies(db.session)
            generate_offers(db.session.connection(), count=args.count, seed=1)
            db.session.commit()
            offer = db.session.scalar(
                sa.select(Service.id).where(Service.status == ServiceStatus.PUBLISHED).limit(1)
            )
        client = app.test_client()
        print(f"{args.count:,} offers, {args.requests} requests per page (SQLite)")
        for label, template in PAGES.items():
            url = template.format(offer=offer)
            client.get(url)  # warm caches
            timings = []
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                timings.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, url
            print(
                f"  {label:<22} median {statistics.median(timings):7.1f} ms  "
                f"p95 {_percentile(timings, 0.95):7.1f} ms"
            )


if __name__ == "__main__":
    main()
