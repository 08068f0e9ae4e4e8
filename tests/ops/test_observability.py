"""Metrics for Prometheus, request ids and structured request logs."""

from __future__ import annotations

import json
import logging

import pytest
from flask import Flask
from flask.testing import FlaskClient

from portal.db import db
from portal.mail.models import MailMessage
from portal.observability import JSONFormatter, truncate_ip

OUTSIDE = {"REMOTE_ADDR": "203.0.113.77"}


def test_metrics_are_hidden_from_the_internet(client: FlaskClient) -> None:
    response = client.get("/metrics", environ_base=OUTSIDE)
    assert response.status_code == 404
    assert b"portal_request" not in response.data


def test_metrics_answer_loopback_with_request_latency_by_endpoint(client: FlaskClient) -> None:
    client.get("/")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'portal_request_duration_seconds_bucket{endpoint="main.index"' in body
    assert 'portal_requests_total{endpoint="main.index",status="200"}' in body


def test_metrics_token_lets_a_remote_scraper_in(app: Flask, client: FlaskClient) -> None:
    app.config["METRICS_TOKEN"] = "s3cret-scrape-token"
    wrong = client.get("/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer no"})
    right = client.get(
        "/metrics", environ_base=OUTSIDE, headers={"Authorization": "Bearer s3cret-scrape-token"}
    )
    assert wrong.status_code == 404
    assert right.status_code == 200


def test_metrics_report_the_outbox_backlogs(client: FlaskClient) -> None:
    db.session.add(
        MailMessage(to_address="a@example.org", subject="s", body_text="b", template="t")
    )
    db.session.commit()
    body = client.get("/metrics").get_data(as_text=True)
    assert 'portal_outbox_pending{outbox="mail"} 1.0' in body
    assert 'portal_outbox_lag_seconds{outbox="search"}' in body


def test_search_latency_is_measured_by_engine(client: FlaskClient) -> None:
    client.get("/search?q=strik")
    body = client.get("/metrics").get_data(as_text=True)
    assert 'portal_search_duration_seconds_count{engine="embedded",outcome="ok"}' in body


def test_unhandled_errors_are_counted(app: Flask) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom-for-test")
    def boom() -> str:
        raise RuntimeError("boom")

    client = app.test_client()
    assert client.get("/boom-for-test").status_code == 500
    body = client.get("/metrics").get_data(as_text=True)
    assert 'portal_errors_total{type="RuntimeError"}' in body


def test_request_id_is_echoed_when_sane_and_replaced_when_not(client: FlaskClient) -> None:
    assert (
        client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"]
        == "abc-123"
    )
    replaced = client.get("/healthz", headers={"X-Request-ID": "<script>" * 20})
    assert replaced.headers["X-Request-ID"] != "<script>" * 20
    assert len(replaced.headers["X-Request-ID"]) == 32


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("192.0.2.123", "192.0.2.0"),
        ("2001:db8:abcd:12:1:2:3:4", "2001:db8:abcd::"),
        ("not an address", None),
        (None, None),
    ],
)
def test_client_addresses_are_truncated(address: str | None, expected: str | None) -> None:
    assert truncate_ip(address) == expected


def test_request_log_is_json_without_query_or_full_address(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="portal.request"):
        client.get("/search?q=anne+hansen", environ_base={"REMOTE_ADDR": "198.51.100.42"})
    record = next(r for r in caplog.records if r.name == "portal.request")
    line = json.loads(JSONFormatter().format(record))
    assert line["path"] == "/search"
    assert line["client"] == "198.51.100.0"
    assert line["status"] == 200
    assert "anne" not in json.dumps(line).lower()
    assert "198.51.100.42" not in json.dumps(line)
