"""Metrics for Prometheus and one structured log line per request.

Metrics are served at /metrics only to the networks in METRICS_ALLOW_NETWORKS
(loopback by default) or to a client sending METRICS_TOKEN as a bearer
token; everyone else gets 404. With several gunicorn workers, set
PROMETHEUS_MULTIPROC_DIR so that the workers' figures are added up.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import json
import logging
import os
import re
import time
import uuid
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, Flask, Response, abort, current_app, g, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from portal.db import db, utcnow

logger = logging.getLogger(__name__)
request_logger = logging.getLogger("portal.request")

bp = Blueprint("observability", __name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.35, 0.5, 1.0, 2.5, 5.0, 10.0)

REQUEST_LATENCY = Histogram(
    "portal_request_duration_seconds",
    "Time to answer a request, by endpoint.",
    ["endpoint", "method"],
    buckets=LATENCY_BUCKETS,
)
REQUESTS = Counter(
    "portal_requests_total", "Requests answered, by endpoint and status.", ["endpoint", "status"]
)
ERRORS = Counter("portal_errors_total", "Unhandled errors (answered with 500), by type.", ["type"])
SEARCH_LATENCY = Histogram(
    "portal_search_duration_seconds",
    "Time to answer a search, by engine and whether the database fallback answered.",
    ["engine", "outcome"],
    buckets=LATENCY_BUCKETS,
)

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def observe_search(engine: str, degraded: bool, seconds: float) -> None:
    """Record how long a search took and who answered it."""
    SEARCH_LATENCY.labels(engine, "degraded" if degraded else "ok").observe(seconds)


def truncate_ip(address: str | None) -> str | None:
    """Return the address with its host part zeroed (IPv4 /24, IPv6 /48), so no person is named."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False).network_address)


class JSONFormatter(logging.Formatter):
    """Format log records as one JSON object per line."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as JSON, with any extra ``fields`` merged in."""
        data: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        data.update(getattr(record, "fields", {}))
        if record.exc_info:
            data["exception"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure_logging(app: Flask) -> None:
    """Send the portal's logs to stderr, as JSON lines unless LOG_FORMAT=text."""
    if app.config.get("TESTING"):
        return
    handler = logging.StreamHandler()
    if app.config["LOG_FORMAT"] == "json":
        handler.setFormatter(JSONFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("portal")
    if not any(getattr(h, "_portal", False) for h in root.handlers):
        handler._portal = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        root.setLevel(app.config["LOG_LEVEL"])
        root.propagate = False


def _start_timer() -> None:
    g.request_started = time.perf_counter()
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex


def _finish(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is None:
        return response
    seconds = time.perf_counter() - started
    endpoint = request.endpoint or "unmatched"
    REQUEST_LATENCY.labels(endpoint, request.method).observe(seconds)
    REQUESTS.labels(endpoint, str(response.status_code)).inc()
    response.headers.setdefault("X-Request-ID", g.get("request_id", ""))
    # The path without its query string: search words and tokens stay out of logs.
    request_logger.info(
        "%s %s %s",
        request.method,
        endpoint,
        response.status_code,
        extra={
            "fields": {
                "request_id": g.get("request_id"),
                "method": request.method,
                "endpoint": endpoint,
                "path": request.path if endpoint != "unmatched" else None,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "client": truncate_ip(request.remote_addr),
            }
        },
    )
    return response


def count_error(error: BaseException) -> None:
    """Count an unhandled error by its type."""
    ERRORS.labels(type(error).__name__).inc()


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    header = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(header.encode(), f"Bearer {token}".encode()):
        return True
    try:
        client = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        return False
    return any(client in network for network in current_app.config["METRICS_ALLOW_NETWORKS"])


def _backlog_metrics() -> bytes:
    """Return gauges of the outboxes' size and age, read from the database now."""
    from portal.find.models import SearchOutbox
    from portal.mail.models import MailMessage, MailStatus

    registry = CollectorRegistry()
    pending = Gauge(
        "portal_outbox_pending", "Rows waiting in an outbox.", ["outbox"], registry=registry
    )
    lag = Gauge(
        "portal_outbox_lag_seconds", "Age of the oldest waiting row.", ["outbox"], registry=registry
    )
    now = utcnow()
    for name, model, created, condition in (
        ("search", SearchOutbox, SearchOutbox.created_at, sa.true()),
        ("mail", MailMessage, MailMessage.created_at, MailMessage.status == MailStatus.PENDING),
    ):
        count, oldest = db.session.execute(
            sa.select(sa.func.count(), sa.func.min(created)).select_from(model).where(condition)
        ).one()
        pending.labels(name).set(count)
        if oldest is not None and oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=dt.UTC)
        lag.labels(name).set((now - oldest).total_seconds() if oldest else 0)
    return generate_latest(registry)


@bp.get("/metrics")
def metrics() -> Response:
    """Expose metrics to Prometheus (allowed networks or the bearer token only)."""
    if not _allowed():
        abort(404)
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    body = generate_latest(registry) + _backlog_metrics()
    response = Response(body, content_type=CONTENT_TYPE_LATEST)
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Time every request, log it, and serve /metrics."""
    configure_logging(app)
    app.before_request(_start_timer)
    app.after_request(_finish)
    app.register_blueprint(bp)
