"""Fixtures of the import tests: a signed-in member of an association, and uploading."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import g
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from portal.accounts.models import User
from portal.organizations.models import Organization
from tests.helpers import csrf_token

HEADINGS = (
    "ekstern_id;titel;beskrivelse;aktiviteter;målgrupper;praktisk;gratis;pris;"
    "sted;adresse;postnummer;by;tidspunkter;kontakt_navn;kontakt_email;kontakt_telefon"
)


def csv_row(external_id: str, title: str, **cells: str) -> str:
    """Return one ";"-separated row in the order of HEADINGS, with sensible defaults."""
    values = {
        "beskrivelse": "Vi mødes og hygger os.",
        "aktiviteter": "Fællesspisning",
        "målgrupper": "Ældre",
        "praktisk": "",
        "gratis": "ja",
        "pris": "",
        "sted": "Medborgerhuset",
        "adresse": "Skolevej 12",
        "postnummer": "7700",
        "by": "Thisted",
        "tidspunkter": "tirsdag 17:30-19:30",
        "kontakt_navn": "Karen Jensen",
        "kontakt_email": "karen@example.dk",
        "kontakt_telefon": "20 30 40 50",
    } | cells
    names = HEADINGS.split(";")[2:]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="").writerow(
        [external_id, title, *(values[name] for name in names)]
    )
    return buffer.getvalue()


_PROBLEM = re.compile(
    r'<tr><td>(?:<span class="import-table__row" data-row>\w+(?: nr\.)? (\d+)</span>|Hele filen)'
    r'(?: <span class="import-table__code import-table__detail" data-column>([^<]*)</span>)?'
    r"</td><td>([^<]*)</td></tr>"
)
_OUTCOME = re.compile(
    r"data-external-id>([^<]+)</span></span>\s*</td>\s*"
    r'<td><span class="import-table__outcome" data-outcome>([^<]+)</span>'
)


def problems(page: str) -> list[tuple[str, str, str]]:
    """Return (row, column, message) of each error or warning listed on a result page."""
    return [(row or "", column or "", message) for row, column, message in _PROBLEM.findall(page)]


def outcomes(page: str) -> list[tuple[str, str]]:
    """Return (ekstern_id, outcome) of each row of a result page's report."""
    return _OUTCOME.findall(page)


def csv_file(*rows: str, headings: str = HEADINGS) -> bytes:
    """Return a UTF-8 CSV file (no BOM) with the headings and rows."""
    return ("\r\n".join([headings, *rows]) + "\r\n").encode("utf-8")


@pytest.fixture
def organization(make_organization: Callable[..., Organization]) -> Organization:
    """Return a verified association: its offers are published directly."""
    return make_organization(name="Ældre Sagen Thy", is_verified=True)


@pytest.fixture
def member(make_user, login, organization):  # type: ignore[no-untyped-def]
    """Return a signed-in member (owner) of the association."""
    user = make_user(organization=organization)
    login(user)
    return user


@pytest.fixture
def switch_user(login):  # type: ignore[no-untyped-def]
    """Return a function that signs another user in on the client between requests.

    The test keeps one app context open, so Flask-Login's cached user and
    Flask-WTF's cached CSRF token in ``g`` would outlive the switch.
    """

    def switch(user: User) -> None:
        login(user)
        g.pop("_login_user", None)
        g.pop("csrf_token", None)

    return switch


@pytest.fixture
def upload(client: FlaskClient) -> Callable[..., TestResponse]:
    """Return a function that uploads a file on the import page, as a browser would."""

    def post(
        organization: Organization,
        data: bytes,
        filename: str = "tilbud.csv",
        *,
        dry_run: bool = False,
        as_drafts: bool = False,
        **extra: Any,
    ) -> TestResponse:
        path = f"/forening/{organization.id}/import"
        form: dict[str, Any] = {
            "csrf_token": csrf_token(client, path),
            "file": FileStorage(io.BytesIO(data), filename, content_type="text/csv"),
            **extra,
        }
        if dry_run:
            form["dry_run"] = "y"
        if as_drafts:
            form["as_drafts"] = "y"
        # Encoded in memory: the test client would spool a large body to a
        # temporary file and leave it open.
        boundary, body = encode_multipart(form)
        return client.post(
            path, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )

    return post
