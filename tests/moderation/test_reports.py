"""Problem reports: anyone reports a wrong offer; its association and the admins fix it."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from portal import create_app
from portal.accounts.models import MemberRole
from portal.extensions import db
from portal.mail.models import MailMessage
from portal.moderation.models import ProblemKind, ProblemReport
from portal.moderation.reports import create_report, open_report_counts
from portal.offers.models import ServiceStatus
from tests.conftest import TEST_SECRET_KEY
from tests.helpers import csrf_token

KINDS = {
    "closed": "Tilbuddet findes ikke længere",
    "wrong_time": "Tidspunktet er forkert",
    "wrong_place": "Stedet eller adressen er forkert",
    "wrong_contact": "Kontaktoplysningerne er forkerte",
    "other": "Noget andet er forkert",
}


@pytest.fixture(autouse=True)
def generous_limit(app: Flask) -> None:
    """Let a test send as many reports as it needs; the limit has a test of its own."""
    app.config["RATELIMIT_REPORTS"] = "1000 per hour"


def _report(client, offer, **data):
    path = f"/tilbud/{offer.id}/rapporter"
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data})


def _reports() -> list[ProblemReport]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(ProblemReport).order_by(ProblemReport.created_at)))


def _mails() -> dict[str, MailMessage]:
    return {m.to_address: m for m in db.session.scalars(sa.select(MailMessage))}


def _page(response) -> str:
    return response.get_data(as_text=True)


def test_the_offer_page_links_to_the_report_form(client, make_offer) -> None:
    offer = make_offer()

    html = _page(client.get(f"/tilbud/{offer.id}"))

    assert f'href="/tilbud/{offer.id}/rapporter"' in html
    assert "Rapportér et problem" in html


def test_the_form_offers_every_kind_without_asking_who_you_are(client, make_offer) -> None:
    offer = make_offer(name="Strikkecafé i Thisted")

    response = client.get(f"/tilbud/{offer.id}/rapporter")

    html = _page(response)
    assert response.status_code == 200
    assert "Strikkecafé i Thisted" in html
    for value, label in KINDS.items():
        assert f'value="{value}"' in html
        assert label in html
    assert 'type="email"' not in html
    assert "Højst 1000 tegn" in html


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_kind_of_problem_is_stored_and_thanked_for(client, make_offer, kind) -> None:
    offer = make_offer()

    response = _report(client, offer, kind=kind, message="  Vi mødes nu i hallen.  ")

    assert response.status_code == 302
    assert response.headers["Location"] == f"/tilbud/{offer.id}/rapporter/tak"
    [report] = _reports()
    assert (report.service_id, report.kind) == (offer.id, ProblemKind(kind))
    assert report.message == "Vi mødes nu i hallen."
    assert report.resolved_at is None
    thanks = client.get(response.headers["Location"])
    assert "Tak for din besked" in _page(thanks)
    assert f'href="/tilbud/{offer.id}"' in _page(thanks)


def test_a_report_needs_a_kind_and_other_needs_words(client, make_offer) -> None:
    offer = make_offer()

    no_kind = _report(client, offer, message="Noget er galt")
    other_without_words = _report(client, offer, kind="other", message="   ")

    assert no_kind.status_code == 400
    assert "Vælg, hvad der er forkert." in _page(no_kind)
    assert "Noget er galt</textarea>" in _page(no_kind), "what was typed is kept"
    assert other_without_words.status_code == 400
    assert "Skriv kort, hvad der er forkert." in _page(other_without_words)
    assert _reports() == []


def test_a_too_long_message_is_refused_next_to_the_field_and_kept(client, make_offer) -> None:
    offer = make_offer()
    long_message = "Mødet er flyttet. " * 60  # 1080 characters

    response = _report(client, offer, kind="wrong_time", message=long_message)

    html = _page(response)
    assert response.status_code == 400
    assert _reports() == []
    error = "Skriv højst 1000 tegn. Du har skrevet 1079."
    assert f'<p class="field-error" id="message-error">{error}</p>' in html
    textarea = re.search(r"<textarea[^>]*>", html).group()
    assert 'aria-invalid="true"' in textarea
    assert "message-error" in textarea
    assert long_message.strip() in html
    # The error summary at the top links to the field.
    assert f'<a href="#message">{error}</a>' in html
    assert 'value="wrong_time" checked' in html or 'checked id="kind-1"' in html
    assert html.index("error-summary") < html.index("<h1")


@pytest.mark.parametrize("status", [ServiceStatus.DRAFT, ServiceStatus.PENDING_REVIEW])
def test_offers_that_are_not_published_cannot_be_reported(client, make_offer, status) -> None:
    offer = make_offer(status=status)

    assert client.get(f"/tilbud/{offer.id}/rapporter").status_code == 404
    posted = client.post(f"/tilbud/{offer.id}/rapporter", data={"kind": "closed"})
    assert posted.status_code in (400, 404)
    assert _reports() == []


@pytest.mark.parametrize(
    "path",
    [
        "/tilbud/8d0f2a52-5d0e-4b8c-9a53-2d3f0b3c4e11/rapporter",
        "/tilbud/findes-ikke/rapporter",
        "/tilbud/8d0f2a52-5d0e-4b8c-9a53-2d3f0b3c4e11/rapporter/tak",
    ],
)
def test_unknown_offers_give_404(client, path) -> None:
    assert client.get(path).status_code == 404


def test_a_bot_filling_the_hidden_field_is_thanked_but_nothing_is_stored(
    client, make_offer, make_user
) -> None:
    offer = make_offer()
    make_user(is_admin=True)

    response = _report(client, offer, kind="closed", website="http://spam.example")

    assert response.status_code == 302
    assert response.headers["Location"].endswith("/rapporter/tak")
    assert _reports() == []
    assert _mails() == {}


def test_the_form_answers_400_without_a_csrf_token(client, make_offer) -> None:
    offer = make_offer()

    response = client.post(f"/tilbud/{offer.id}/rapporter", data={"kind": "closed"})

    assert response.status_code == 400
    assert _reports() == []


@pytest.fixture
def limited_app(app: Flask, tmp_path, monkeypatch) -> Iterator[Flask]:
    """Return an app like ``app`` with the rate limiter on and a small limit on reports."""
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(tmp_path / "limited"))
    limited = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": TEST_SECRET_KEY,
            "SEARCH_INDEX_DIR": str(tmp_path / "limited-index"),
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_REPORTS": "2 per hour",
        }
    )
    # Share the test's database binding, so the limited app sees the test's
    # offers on PostgreSQL too (where each test runs in one open transaction).
    source, target = app.extensions["db"], limited.extensions["db"]
    target.bind, target.session_options = source.bind, dict(source.session_options)
    yield limited
    with limited.app_context():
        db.session.close()
        db.engine.dispose()


def test_reports_are_rate_limited_per_address_with_a_danish_page(limited_app, make_offer) -> None:
    offer = make_offer()
    client = limited_app.test_client()
    path = f"/tilbud/{offer.id}/rapporter"

    statuses = [
        client.post(path, data={"csrf_token": csrf_token(client, path), "kind": "closed"})
        for _ in range(3)
    ]

    assert [response.status_code for response in statuses] == [302, 302, 429]
    assert "For mange forespørgsler" in _page(statuses[2])
    assert "Retry-After" in statuses[2].headers
    assert client.get(path).status_code == 200, "reading the form is not limited"


def test_members_and_admins_are_mailed_in_danish_with_the_message_escaped(
    client, make_offer, make_organization, make_user
) -> None:
    organization = make_organization()
    offer = make_offer(organization=organization, name="Fællesspisning i Thisted")
    make_user("ejer@forening.example", organization)
    make_user("redaktoer@forening.example", organization, MemberRole.EDITOR)
    make_user("admin@portal.example", is_admin=True)
    make_user("admin.og.medlem@portal.example", organization, is_admin=True)
    make_user("spaerret@portal.example", is_admin=True, is_disabled=True)
    make_user("andet.medlem@anden.example", make_organization(name="Anden forening"))
    client.get("/sprog/en?next=/")

    _report(client, offer, kind="wrong_time", message="<script>alert('x')</script> & mere")

    mails = _mails()
    assert set(mails) == {
        "ejer@forening.example",
        "redaktoer@forening.example",
        "admin@portal.example",
        "admin.og.medlem@portal.example",
    }
    member_mail = mails["ejer@forening.example"]
    assert member_mail.subject == "Et problem er rapporteret: Fællesspisning i Thisted"
    assert "Tidspunktet er forkert" in member_mail.body_text
    assert f"http://127.0.0.1:5000/forening/{organization.id}/rapporter" in member_mail.body_text
    assert "http://127.0.0.1:5000/admin/rapporter" in mails["admin@portal.example"].body_text
    # An admin who is also a member gets the members' mail only.
    assert "/forening/" in mails["admin.og.medlem@portal.example"].body_text
    for mail in mails.values():
        assert "<script>" not in mail.body_text
        assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; mere" in mail.body_text


def test_the_admin_queue_lists_open_reports_oldest_first_escaped(
    client, login, make_offer, make_user
) -> None:
    first = make_offer(name="Gåtur ved fjorden")
    second = make_offer(name="Strikkecafé")
    create_report(first, ProblemKind.WRONG_PLACE, "<b>Flyttet</b> til skolen")
    db.session.commit()
    create_report(second, ProblemKind.CLOSED, "")
    db.session.commit()
    login(make_user(is_admin=True))

    response = client.get("/admin/rapporter")

    html = _page(response)
    assert response.status_code == 200
    assert html.index("Gåtur ved fjorden") < html.index("Strikkecafé")
    assert "Stedet eller adressen er forkert" in html
    assert "&lt;b&gt;Flyttet&lt;/b&gt; til skolen" in html
    assert "<b>Flyttet</b>" not in html
    assert html.count("Markér som løst") == 2


def test_only_admins_see_the_queue(client, login, make_user) -> None:
    assert client.get("/admin/rapporter").status_code == 302, "anonymous: sign in first"
    login(make_user())
    assert client.get("/admin/rapporter").status_code == 404


def test_an_admin_resolves_a_report_with_a_note(client, login, make_offer, make_user) -> None:
    offer = make_offer(name="Gåtur ved fjorden")
    report = create_report(offer, ProblemKind.WRONG_TIME, "Nu om onsdagen")
    db.session.commit()
    admin = make_user(is_admin=True, name="Anna Admin")
    login(admin)
    path = f"/admin/rapporter/{report.id}/loest"

    response = client.post(
        path,
        data={"csrf_token": csrf_token(client, "/admin/rapporter"), "note": "Tiden er rettet."},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/rapporter"
    [stored] = _reports()
    assert stored.resolved_at is not None
    assert stored.resolved_by_id == admin.id
    assert stored.resolution_note == "Tiden er rettet."
    open_page = _page(client.get("/admin/rapporter"))
    assert "Rapporten er markeret som løst." in open_page
    assert "Gåtur ved fjorden" not in open_page
    resolved_page = _page(client.get("/admin/rapporter?vis=loeste"))
    assert "Gåtur ved fjorden" in resolved_page
    assert "Tiden er rettet." in resolved_page
    assert "af Anna Admin" in resolved_page


def test_a_too_long_note_is_refused_next_to_its_field_and_kept(
    client, login, make_offer, make_user
) -> None:
    report = create_report(make_offer(), ProblemKind.OTHER, "Forkert pris")
    db.session.commit()
    login(make_user(is_admin=True))
    note = "x" * 1001

    response = client.post(
        f"/admin/rapporter/{report.id}/loest",
        data={"csrf_token": csrf_token(client, "/admin/rapporter"), "note": note},
    )

    html = _page(response)
    assert response.status_code == 400
    assert f'id="note-{report.id}-error"' in html
    assert f">{note}</textarea>" in html
    assert _reports()[0].resolved_at is None


def test_resolving_without_a_csrf_token_is_refused(client, login, make_offer, make_user) -> None:
    report = create_report(make_offer(), ProblemKind.CLOSED, "")
    db.session.commit()
    login(make_user(is_admin=True))

    response = client.post(f"/admin/rapporter/{report.id}/loest", data={"note": ""})

    assert response.status_code == 400
    assert _reports()[0].resolved_at is None


def test_members_see_and_resolve_only_their_own_organisations_reports(
    client, login, make_offer, make_organization, make_user
) -> None:
    ours = make_organization(name="Nye Venner Thy")
    theirs = make_organization(name="Anden forening")
    our_report = create_report(
        make_offer(organization=ours, name="Vores gåtur"), ProblemKind.CLOSED, ""
    )
    their_report = create_report(
        make_offer(organization=theirs, name="Deres strikkecafé"), ProblemKind.OTHER, "Lukket"
    )
    db.session.commit()
    login(make_user(organization=ours, role=MemberRole.EDITOR))
    page_path = f"/forening/{ours.id}/rapporter"

    html = _page(client.get(page_path))
    assert "Vores gåtur" in html
    assert "Deres strikkecafé" not in html

    token = csrf_token(client, page_path)
    foreign = client.post(f"{page_path}/{their_report.id}/loest", data={"csrf_token": token})
    assert foreign.status_code == 404
    assert client.get(f"/forening/{theirs.id}/rapporter").status_code == 404

    own = client.post(f"{page_path}/{our_report.id}/loest", data={"csrf_token": token})
    assert own.status_code == 302
    assert own.headers["Location"] == page_path
    resolved = {report.id: report.resolved_at for report in _reports()}
    assert resolved[our_report.id] is not None
    assert resolved[their_report.id] is None


def test_open_report_counts_per_offer_for_the_dashboard(make_offer, make_organization) -> None:
    organization = make_organization()
    first = make_offer(organization=organization)
    second = make_offer(organization=organization)
    quiet = make_offer(organization=organization)
    elsewhere = make_offer()
    create_report(first, ProblemKind.CLOSED, "")
    create_report(first, ProblemKind.WRONG_TIME, "")
    create_report(second, ProblemKind.OTHER, "Forkert telefonnummer")
    resolved = create_report(second, ProblemKind.CLOSED, "")
    resolved.resolved_at = resolved.created_at
    create_report(elsewhere, ProblemKind.CLOSED, "")
    db.session.commit()

    counts = open_report_counts(organization.id)

    assert counts == {first.id: 2, second.id: 1}
    assert quiet.id not in counts


def test_the_queue_loads_in_a_fixed_number_of_queries(
    client, login, make_offer, make_user, make_organization, count_queries
) -> None:
    login(make_user(is_admin=True))

    def add_reports(number: int) -> None:
        for _ in range(number):
            create_report(make_offer(organization=make_organization()), ProblemKind.CLOSED, "")
        db.session.commit()

    add_reports(2)
    with count_queries() as few:
        client.get("/admin/rapporter")
    add_reports(6)
    with count_queries() as many:
        response = client.get("/admin/rapporter")

    assert _page(response).count("Markér som løst") == 8
    assert len(many) == len(few)
