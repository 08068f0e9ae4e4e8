"""The mail commands and the readiness check tell operators how the outbox is doing."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from portal import ConfigError
from portal.config import from_environment, validate
from portal.db import utcnow
from portal.extensions import db
from portal.mail.cli import run_loop
from portal.mail.models import MailStatus
from portal.mail.sender import SendCounts
from tests.conftest import TEST_SECRET_KEY


def test_send_prints_what_it_did(app, runner, make_message) -> None:
    make_message()
    make_message()

    result = runner.invoke(args=["mail", "send", "--limit", "1"])

    assert result.exit_code == 0, result.output
    assert "Sent 1, retrying later 0, failed for good 0." in result.output


def test_status_counts_messages_and_ages_the_oldest_waiting_one(runner, make_message) -> None:
    make_message(created_at=utcnow() - dt.timedelta(hours=3, minutes=5))
    make_message(status=MailStatus.FAILED)
    make_message(status=MailStatus.SENT)

    result = runner.invoke(args=["mail", "status"])

    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "pending  1" in lines
    assert "failed   1" in lines
    assert "sent     1" in lines
    assert "Oldest waiting message: 3 h 5 min old." in result.output
    assert "1 messages have waited more than 15 minutes." in result.output


def test_status_of_an_empty_outbox(runner) -> None:
    result = runner.invoke(args=["mail", "status"])

    assert "Nothing is waiting to be sent." in result.output


class RecordingStop(threading.Event):
    """A stop signal whose pauses return at once and are recorded."""

    def __init__(self) -> None:
        super().__init__()
        self.pauses: list[float] = []

    def wait(self, timeout: float | None = None) -> bool:
        """Record the pause instead of sleeping."""
        self.pauses.append(timeout or 0)
        return self.is_set()


def test_the_worker_loop_goes_on_at_once_after_a_full_batch_and_stops_when_asked() -> None:
    stop = RecordingStop()
    batches = [SendCounts(sent=2), SendCounts(sent=1), SendCounts()]
    printed: list[str] = []

    def send() -> SendCounts:
        counts = batches.pop(0)
        if not batches:
            stop.set()
        return counts

    run_loop(send, interval=30, limit=2, stop=stop, echo=printed.append)

    assert batches == []
    # No pause after the full batch of 2; a pause after each smaller one.
    assert stop.pauses == [30, 30]
    assert printed == [
        "Sent 2, retrying later 0, failed for good 0.",
        "Sent 1, retrying later 0, failed for good 0.",
    ]


def test_readyz_reports_mail_ok_then_degraded(app, client, make_message) -> None:
    assert client.get("/readyz").json["checks"]["mail"] == {
        "status": "ok",
        "transport": "mailbox",
        "pending_over_15_minutes": 0,
        "failed": 0,
    }
    make_message(created_at=utcnow() - dt.timedelta(minutes=20))
    make_message()
    make_message(status=MailStatus.FAILED)

    body = client.get("/readyz").json

    assert body["status"] == "degraded"
    assert body["checks"]["mail"] == {
        "status": "degraded",
        "transport": "mailbox",
        "pending_over_15_minutes": 1,
        "failed": 1,
    }
    db.session.rollback()


def _production(**environ: str) -> dict:
    return {
        "PORTAL_ENV": "production",
        "SECRET_KEY": TEST_SECRET_KEY,
        "DATABASE_URL": "postgresql+psycopg://portal@db/portal",
        "MAIL_SERVER": "smtp.example.org",
        **environ,
    }


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"MAIL_DEV_MAILBOX": "true"}, "MAIL_DEV_MAILBOX"),
        ({"MAIL_USERNAME": "u", "MAIL_PASSWORD": "x", "MAIL_USE_TLS": "no"}, "MAIL_USE_TLS"),
        ({"MAIL_DEFAULT_SENDER": "ikke en adresse"}, "MAIL_DEFAULT_SENDER"),
        ({"MAIL_PORT": "70000"}, "MAIL_PORT"),
        ({"MAIL_TIMEOUT": "soon"}, "MAIL_TIMEOUT"),
        ({"MAIL_MAX_ATTEMPTS": "0"}, "MAIL_MAX_ATTEMPTS"),
        ({"MAIL_SEND_AFTER_REQUEST": "maybe"}, "MAIL_SEND_AFTER_REQUEST"),
        ({"MAIL_PASSWORD": "x"}, "MAIL_USERNAME"),
        ({"RATELIMIT_REPORTS": "lots"}, "RATELIMIT_REPORTS"),
    ],
)
def test_wrong_mail_settings_are_refused_naming_the_variable(tmp_path, environ, variable) -> None:
    with pytest.raises(ConfigError) as raised:
        validate(from_environment(_production(**environ), tmp_path))

    message = str(raised.value)
    assert message.startswith(variable), message
    assert "\n" not in message


def test_good_production_mail_settings_pass(tmp_path) -> None:
    config = from_environment(
        _production(MAIL_USERNAME="portal", MAIL_PASSWORD="x", MAIL_TIMEOUT="20"), tmp_path
    )

    try:
        validate(config)
    except ConfigError as error:
        # Other production settings are not given here; none of mail's may complain.
        assert not str(error).startswith(("MAIL_", "RATELIMIT_REPORTS")), error

    assert config["MAIL_DEV_MAILBOX"] is False
    assert config["MAIL_TIMEOUT"] == 20
    assert config["MAIL_MAX_ATTEMPTS"] == 10
