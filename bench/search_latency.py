"""Search latency and index build time at 10,000 and 100,000 demo offers.

Usage: .venv/bin/python bench/search_latency.py [--sizes 10000 100000] [--repeat 300]

For each size it writes demo offers into a temporary SQLite database, times
the rebuild of the embedded index from the database, then prints p50/p95/p99
in milliseconds for engine queries in process, for the JSON endpoint and the
HTML page through Flask's test client, and the ratio of each engine p50 to a
raw Tantivy query for the same words on the same documents, measured in the
same run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import tantivy

from portal import create_app, migrate
from portal.demo.generator import generate_offers
from portal.extensions import db
from portal.find.documents import all_documents
from portal.find.engine import search_engine
from portal.find.sync import rebuild
from portal.geo.services import seed_places
from portal.taxonomy.services import seed_vocabularies
from search import GeoPoint, SearchQuery, Sort

PLAIN = ["strikkeklub", "fællesspisning", "gåtur", "sorggruppe", "café", "besøgsven"]
TYPOS = ["strikkeklup", "fællesspisnin", "gåtru", "sorggrupe", "besøgsv", "madkl"]
TOWNS = {
    "Vejle": GeoPoint(55.709, 9.536),
    "Aarhus": GeoPoint(56.157, 10.211),
    "Odense": GeoPoint(55.396, 10.388),
    "Aalborg": GeoPoint(57.048, 9.919),
    "Thisted": GeoPoint(56.955, 8.694),
}
COPENHAGEN = GeoPoint(55.676, 12.568)


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return statistics.median(samples), cuts[94], cuts[98]


def _time(action: Callable[[int], object], repeat: int) -> list[float]:
    action(0)  # warm up
    samples = []
    for n in range(repeat):
        started = time.perf_counter()
        action(n)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _raw_tantivy(documents: list[dict], folder: Path) -> Callable[[int], object]:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=True)
    builder.add_text_field("description")
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(folder))
    writer = index.writer(heap_size=128_000_000)
    for document in documents:
        writer.add_document(
            tantivy.Document(title=document["title"], description=document["description"])
        )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    searcher = index.searcher()

    def run(n: int) -> object:
        query = index.parse_query(PLAIN[n % len(PLAIN)], ["title", "description"])
        return searcher.search(query, 20).hits

    return run


def _row(label: str, samples: list[float], baseline: float | None) -> None:
    p50, p95, p99 = _percentiles(samples)
    ratio = f"{p50 / baseline:6.1f}x" if baseline else "      -"
    print(f"  {label:<44} {p50:8.2f} {p95:8.2f} {p99:8.2f}   {ratio}")


def bench_size(size: int, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        os.environ["PORTAL_INSTANCE_PATH"] = folder
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
                "SECRET_KEY": "bench-" * 8,
                "RATELIMIT_ENABLED": False,
                "SEARCH_INDEX_DIR": str(Path(folder) / "index"),
            }
        )
        with app.app_context():
            migrate.upgrade(db.engine)
            seed_places(db.session)
            seed_vocabularies(db.session)
            generate_offers(db.session.connection(), count=size, seed=1)
            db.session.commit()
            engine = search_engine()
            started = time.perf_counter()
            indexed = rebuild(db.session, engine)
            build_s = time.perf_counter() - started
            documents = [dict(d) for d in all_documents(db.session)]
        raw = _raw_tantivy(documents, Path(folder) / "raw")
        baseline = statistics.median(_time(raw, repeat))
        towns = list(TOWNS.values())
        cases: dict[str, Callable[[int], object]] = {
            "plain text": lambda n: engine.search(SearchQuery(text=PLAIN[n % len(PLAIN)])),
            "typos + prefix": lambda n: engine.search(SearchQuery(text=TYPOS[n % len(TYPOS)])),
            "text + 10 km + 3 filters + facets": lambda n: engine.search(
                SearchQuery(
                    text=PLAIN[n % len(PLAIN)],
                    point=towns[n % len(towns)],
                    radius_km=10,
                    target_group=("aeldre", "alle"),
                    weekday=("TU", "WE", "TH"),
                    free_only=True,
                    facets=("activity", "target_group", "feature", "weekday", "is_free"),
                )
            ),
            "browse nearby, Copenhagen, no text": lambda n: engine.search(
                SearchQuery(point=COPENHAGEN, radius_km=25, sort=Sort.DISTANCE)
            ),
        }
        client = app.test_client()
        places = list(itertools.islice(itertools.cycle(TOWNS), 50))
        http_cases: dict[str, Callable[[int], object]] = {
            "JSON /search.json (text + place + filters)": lambda n: client.get(
                f"/search.json?q={PLAIN[n % len(PLAIN)]}&where={places[n % len(places)]}"
                "&radius=10&target_group=aeldre&target_group=alle&free=1"
            ),
            "HTML /search (text + place + filters)": lambda n: client.get(
                f"/search?q={PLAIN[n % len(PLAIN)]}&where={places[n % len(places)]}"
                "&radius=10&target_group=aeldre&target_group=alle&free=1"
            ),
            "HTML /search browse near København": lambda n: client.get(
                "/search?where=København&radius=25"
            ),
        }
        print(f"\n{size:,} offers ({indexed:,} indexed); rebuild from the database {build_s:.1f} s")
        print(f"  {'case':<44} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}   vs raw")
        _row("raw Tantivy query, same words (baseline)", _time(raw, repeat), None)
        for label, action in cases.items():
            _row(f"engine: {label}", _time(action, repeat), baseline)
        with app.app_context():
            for label, action in http_cases.items():
                _row(label, _time(action, max(50, repeat // 3)), baseline)
            search_engine().close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    for size in args.sizes:
        bench_size(size, args.repeat)


if __name__ == "__main__":
    main()
