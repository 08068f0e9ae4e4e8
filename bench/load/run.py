"""Load and soak benchmark: gunicorn with 2 workers on PostgreSQL, driven by locust.

Usage (PostgreSQL running; locust in its own virtualenv, see bench/README.md):

    .venv/bin/python bench/load/run.py [--count 100000] [--soak-minutes 10]

1. Makes sure the database holds --count generated offers and the embedded
   search index is built (reused on the next run).
2. Starts gunicorn (2 workers) and, in another process, locust headless on
   loopback, and warms the server with a minute of mixed traffic. For the
   trivial endpoint and then for the portal's mixed traffic it steps up the
   number of simulated users; the sustained rate is the best requests/s of a
   step with p95 < 200 ms and no errors. The page cache's hit ratio during
   the mixed ramp is read from /metrics.
3. Soaks the mixed traffic at 70 % of that rate and samples the workers'
   memory, to show whether it stays flat.
4. Unless --no-without-page-cache, restarts gunicorn with the page cache off
   (PAGE_CACHE_SECONDS=0) and ramps the mix again, for comparison.
Prints a table with the ratio of the two sustained rates.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import math
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
WORDS = ["strik", "fællesspisning", "gåtur", "kor", "kaffe", "sorg", "senior", "spil", "have"]
P95_LIMIT_MS = 200
SOAK_USER_RATE = 4.0  # requests/s per simulated user during the soak


@dataclass
class Step:
    """The outcome of one step of load."""

    users: int
    requests: int
    failures: int
    rps: float
    median_ms: float
    p95_ms: float

    @property
    def passed(self) -> bool:
        """Return whether the step kept p95 under the limit with no errors."""
        return self.failures == 0 and self.requests > 0 and self.p95_ms < P95_LIMIT_MS


def _portal(args: list[str], env: dict[str, str]) -> None:
    subprocess.run([str(ROOT / ".venv/bin/portal"), *args], env=env, check=True)  # noqa: S603


def prepare(database_url: str, count: int, env: dict[str, str]) -> dict[str, list[str]]:
    """Migrate, generate offers if needed, rebuild the index; return sample URLs' parts."""
    _portal(["db", "upgrade"], env)
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        existing = connection.scalar(sa.text("SELECT count(*) FROM service"))
    if existing < count:
        print(f"generating {count - existing:,} offers …", flush=True)
        _portal(["generate", "--count", str(count - existing), "--seed", str(existing + 7)], env)
    index_dir = Path(env["SEARCH_INDEX_DIR"])
    if not index_dir.exists() or not any(index_dir.iterdir()):
        print("building the search index …", flush=True)
        _portal(["search", "rebuild"], env)
    with engine.connect() as connection:
        offers = connection.scalars(
            sa.text(
                "SELECT id FROM service WHERE status = 'published' ORDER BY random() LIMIT 2000"
            )
        ).all()
        places = connection.scalars(sa.text("SELECT name FROM municipality")).all()
    engine.dispose()
    return {
        "offers": [str(o) for o in offers],
        "places": list(places),
        "words": WORDS,
    }


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """Start gunicorn and wait until it answers."""
    log = open(Path(env["PORTAL_INSTANCE_PATH"]) / "gunicorn.log", "ab")  # noqa: SIM115
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "-" if os.environ.get("LOAD_ACCESS_LOG") else "/dev/null",
            "portal.wsgi:app",
        ],
        env=env,
        stdout=log,
        stderr=log,
        cwd=ROOT,
    )
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):  # noqa: S310
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not start; see gunicorn.log in the instance folder")


def page_cache_counts(port: int) -> dict[str, float]:
    """Return the page cache's hits, stores and refusals so far, from the metrics endpoint."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as answer:  # noqa: S310
        text = answer.read().decode()
    counts: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith("portal_page_cache_total{"):
            labels, value = line.rsplit(" ", 1)
            result = labels.split('result="', 1)[1].split('"', 1)[0]
            counts[result] = counts.get(result, 0.0) + float(value)
    return counts


def hit_ratio(before: dict[str, float], after: dict[str, float]) -> float | None:
    """Return the share of cacheable answers served from the cache between two readings."""
    delta = {key: after.get(key, 0.0) - before.get(key, 0.0) for key in after}
    answered = sum(delta.values())
    return delta.get("hit", 0.0) / answered if answered else None


def worker_pids(master: int) -> list[int]:
    """Return the pids of gunicorn's workers."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mb(pid: int) -> float:
    """Return a process's resident memory in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def run_locust(
    locust_python: str,
    port: int,
    mix: str,
    users: int,
    seconds: int,
    samples: Path,
    folder: Path,
    rate: float = 0,
) -> Step:
    """Run locust headless for one step and read its summary."""
    prefix = folder / f"{mix}-{users}-{int(time.time())}"
    env = {
        **os.environ,
        "LOAD_MIX": mix,
        "LOAD_SAMPLES": str(samples),
        "LOAD_RATE": str(rate) if rate else "",
    }
    subprocess.run(  # noqa: S603
        [
            locust_python,
            "-m",
            "locust",
            "-f",
            str(LOCUSTFILE),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(max(users, 1)),
            "--run-time",
            f"{seconds}s",
            "--host",
            f"http://127.0.0.1:{port}",
            "--csv",
            str(prefix),
            "--only-summary",
            "--loglevel",
            "ERROR",
        ],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        rows = {row["Name"]: row for row in csv.DictReader(stats_file)}
    total = rows["Aggregated"]
    return Step(
        users=users,
        requests=int(total["Request Count"]),
        failures=int(total["Failure Count"]),
        rps=float(total["Requests/s"]),
        median_ms=float(total["Median Response Time"] or 0),
        p95_ms=float(total["95%"] or 0),
    )


def ramp(run: callable, levels: list[int], label: str) -> Step | None:  # type: ignore[valid-type]
    """Step up the users; return the best passing step."""
    best: Step | None = None
    for users in levels:
        step = run(users)
        mark = "ok" if step.passed else "over"
        print(
            f"  {label:<8} {users:>3} users: {step.rps:7.1f} req/s, "
            f"median {step.median_ms:5.0f} ms, p95 {step.p95_ms:5.0f} ms, "
            f"errors {step.failures} [{mark}]",
            flush=True,
        )
        if step.passed and (best is None or step.rps > best.rps):
            best = step
        if not step.passed:
            break
    return best


def soak(
    run_at: callable,  # type: ignore[valid-type]
    master: int,
    users: int,
    rate: float,
    minutes: float,
) -> tuple[Step, list[float]]:
    """Run the mixed traffic at ``rate`` for ``minutes``, sampling worker memory."""
    samples: list[float] = []
    chunks = max(1, int(minutes * 2))  # 30-second chunks, memory sampled between them
    steps = []
    for _ in range(chunks):
        steps.append(run_at(users, 30, rate / users))
        samples.append(sum(rss_mb(pid) for pid in worker_pids(master)) / len(worker_pids(master)))
    total_requests = sum(s.requests for s in steps)
    slowest = min(steps, key=lambda s: s.rps)
    print(
        f"  soak: slowest 30 s {slowest.rps:.1f} req/s (p95 {slowest.p95_ms:.0f} ms), "
        f"median 30 s {statistics.median(s.rps for s in steps):.1f} req/s",
        flush=True,
    )
    combined = Step(
        users=users,
        requests=total_requests,
        failures=sum(s.failures for s in steps),
        rps=total_requests / (30 * chunks),
        median_ms=statistics.median(s.median_ms for s in steps),
        p95_ms=max(s.p95_ms for s in steps),
    )
    return combined, samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database", default="postgresql+psycopg://root@127.0.0.1/bench_load", help="PostgreSQL"
    )
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--step-seconds", type=int, default=30)
    parser.add_argument("--users", default="1,2,4,8,12,16,24,32,48,64")
    parser.add_argument("--soak-minutes", type=float, default=10)
    parser.add_argument(
        "--warmup-seconds",
        type=int,
        default=60,
        help="mixed traffic before each measured ramp (caches, connections, the index in memory)",
    )
    parser.add_argument(
        "--without-page-cache",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also ramp the mix with the page cache off, for comparison",
    )
    parser.add_argument("--instance", default=str(ROOT / "instance-load"))
    parser.add_argument("--locust-python", default=str(ROOT / ".venv-load/bin/python"))
    args = parser.parse_args()

    _create_database(args.database)
    instance = Path(args.instance)
    instance.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PORTAL_INSTANCE_PATH": str(instance),
        "DATABASE_URL": args.database,
        "SEARCH_INDEX_DIR": str(instance / "search-index"),
        "SECRET_KEY": "load-benchmark-secret-key-not-for-production",
        # One client address sends all the traffic; rate limits would only measure themselves.
        "RATELIMIT_ENABLED": "false",
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "WARNING",
    }
    samples = prepare(args.database, args.count, env)
    levels = [int(n) for n in args.users.split(",")]
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        folder_path = Path(folder)
        samples_path = folder_path / "samples.json"
        samples_path.write_text(json.dumps(samples), encoding="utf-8")

        def locust(mix: str, users: int, seconds: int, rate: float = 0) -> Step:
            return run_locust(
                args.locust_python,
                args.port,
                mix,
                users,
                seconds,
                samples_path,
                folder_path,
                rate=rate,
            )

        def ramp_mix(mix: str, label: str) -> Step | None:
            return ramp(lambda users: locust(mix, users, args.step_seconds), levels, label)

        print(f"{args.count:,} offers on PostgreSQL, gunicorn {args.workers} workers", flush=True)
        with serving(env, folder_path / "prometheus-cached", args) as server:
            locust("mixed", 8, args.warmup_seconds)
            results["trivial"] = ramp_mix("trivial", "trivial")
            before = page_cache_counts(args.port)
            mixed = results["mixed"] = ramp_mix("mixed", "mixed")
            results["hit_ratio"] = hit_ratio(before, page_cache_counts(args.port))
            results["memory"] = [rss_mb(pid) for pid in worker_pids(server.pid)]
            if isinstance(mixed, Step) and args.soak_minutes > 0:
                rate = 0.7 * mixed.rps
                print(f"soak: {args.soak_minutes:g} min at {rate:.1f} req/s …", flush=True)
                results["soak"] = soak(
                    lambda users, seconds, per_user: locust("mixed", users, seconds, per_user),
                    server.pid,
                    # Enough users that each asks at most SOAK_USER_RATE a second: a user
                    # waits for its answer, so fewer would offer less than the rate.
                    max(mixed.users, math.ceil(rate / SOAK_USER_RATE)),
                    rate,
                    args.soak_minutes,
                )
        if args.without_page_cache:
            uncached_env = {**env, "PAGE_CACHE_SECONDS": "0"}
            with serving(uncached_env, folder_path / "prometheus-uncached", args):
                locust("mixed", 8, args.warmup_seconds)
                results["uncached"] = ramp_mix("mixed", "no cache")
    report(results, args)


def _create_database(database: str) -> None:
    url = sa.make_url(database)
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(
            sa.text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": url.database}
        ):
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
    admin.dispose()


@contextlib.contextmanager
def serving(
    env: dict[str, str], metrics_dir: Path, args: argparse.Namespace
) -> Iterator[subprocess.Popen[bytes]]:
    """Run gunicorn with its own metrics folder for the duration of the block."""
    metrics_dir.mkdir()
    server = start_server(
        {**env, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}, args.port, args.workers
    )
    try:
        yield server
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def report(results: dict, args: argparse.Namespace) -> None:
    """Print the results as a Markdown table."""
    trivial, mixed, uncached = results["trivial"], results["mixed"], results.get("uncached")
    rows = [("trivial endpoint (/healthz)", trivial), ("portal mix", mixed)]
    if args.without_page_cache:
        rows.append(("portal mix, page cache off", uncached))
    print()
    print("| traffic | sustained req/s (p95 < 200 ms, 0 errors) | users | median | p95 | ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, step in rows:
        if step is None:
            print(f"| {label} | none passed | | | | |")
            continue
        ratio = f"{step.rps / trivial.rps:.0%}" if trivial else ""
        print(
            f"| {label} | {step.rps:.1f} | {step.users} | {step.median_ms:.0f} ms "
            f"| {step.p95_ms:.0f} ms | {ratio} |"
        )
    if trivial and mixed:
        print(f"\nratio portal mix / trivial: {mixed.rps / trivial.rps:.0%} (target ≥ 40 %)")
    if results.get("hit_ratio") is not None:
        print(f"page cache hits during the mixed ramp: {results['hit_ratio']:.0%}")
    memory = results.get("memory", [])
    print(f"memory per worker after the ramp: {', '.join(f'{m:.0f} MB' for m in memory)}")
    if results.get("soak"):
        step, samples = results["soak"]
        print(
            f"soak {args.soak_minutes:g} min, {step.users} users: {step.rps:.1f} req/s, "
            f"{step.requests} requests, "
            f"{step.failures} errors, worst 30-s p95 {step.p95_ms:.0f} ms; worker memory "
            f"{samples[0]:.0f} MB → {samples[-1]:.0f} MB (max {max(samples):.0f} MB)"
        )


if __name__ == "__main__":
    random.seed(7)
    sys.exit(main())
