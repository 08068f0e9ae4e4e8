"""The association dashboard: every offer with status, freshness, views and reports."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest
from flask import Flask, url_for

from portal.accounts.models import MemberRole
from portal.db import utcnow
from portal.extensions import db
from portal.moderation.models import ProblemKind, ProblemReport
from portal.offers.models import ServiceStatus, ServiceViewDay
from portal.organizations.views_counter import local_today
from tests.organizations.conftest import text

MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]


def danish_date(day: dt.date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def days_ago(days: int) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


@pytest.fixture
def organization(make_organization):
    return make_organization(name="Fællesspisning Thy")


@pytest.fixture
def owner(make_user, organization):
    return make_user(organization=organization)


def cards(html: str) -> dict[str, str]:
    """Return each offer card's text by the offer's name."""
    result = {}
    for chunk in html.split('class="org-card offer-row"')[1:]:
        body = " ".join(chunk.split('class="offer-row__links"')[0].split())
        name = body.split("</h3>")[0]
        name = name.split(">")[-1] if "</a>" not in name else name.split("</a>")[0].split(">")[-1]
        result[name.strip()] = body
    return result


def due_box(html: str) -> str:
    if 'class="due-box"' not in html:
        return ""
    return " ".join(html.split('class="due-box"')[1].split("</section>")[0].split())


def test_every_offer_is_listed_with_its_status(
    client, login, make_offer, make_organization, organization, owner
) -> None:
    for name, status in [
        ("Kladden", ServiceStatus.DRAFT),
        ("Til godkendelse", ServiceStatus.PENDING_REVIEW),
        ("Offentlig", ServiceStatus.PUBLISHED),
        ("Gammel", ServiceStatus.ARCHIVED),
    ]:
        make_offer(organization=organization, name=name, status=status)
    make_offer(organization=make_organization(name="Andre"), name="Andres tilbud")
    login(owner)

    response = client.get(f"/forening/{organization.id}")

    assert response.status_code == 200
    found = cards(response.get_data(as_text=True))
    assert set(found) == {"Kladden", "Til godkendelse", "Offentlig", "Gammel"}
    assert "Kladde" in found["Kladden"]
    assert "Venter på godkendelse" in found["Til godkendelse"]
    assert "Offentliggjort" in found["Offentlig"]
    assert "Arkiveret" in found["Gammel"]
    assert 'Jeres tilbud <span class="count-label">(4)</span>' in text(response)


def test_freshness_and_the_due_box(client, login, make_offer, organization, owner) -> None:
    fresh_at, due_at, hidden_at = days_ago(10), days_ago(340), days_ago(400)
    make_offer(organization=organization, name="Frisk", last_confirmed_at=fresh_at)
    make_offer(organization=organization, name="Snart", last_confirmed_at=due_at)
    make_offer(organization=organization, name="Skjult", last_confirmed_at=hidden_at)
    make_offer(
        organization=organization,
        name="Kladde uden dato",
        status=ServiceStatus.DRAFT,
        published_at=None,
        last_confirmed_at=None,
    )
    login(owner)

    html = client.get(f"/forening/{organization.id}").get_data(as_text=True)

    found = cards(html)
    box = due_box(html)
    hide = dt.timedelta(days=395)
    assert f"Senest bekræftet</dt> <dd>{danish_date(fresh_at.date())}" in found["Frisk"]
    assert f"Vises til og med {danish_date((fresh_at + hide).date())}" in found["Frisk"]
    assert f"Forsvinder {danish_date((due_at + hide).date())}" in found["Snart"]
    assert "Skjult – bekræft for at vise det igen" in found["Skjult"]
    assert "Aldrig" in found["Kladde uden dato"]
    assert f"Forsvinder fra søgningen {danish_date((due_at + hide).date())}" in box
    assert f"Skjult fra søgningen siden {danish_date((hidden_at + hide).date())}" in box
    assert "Frisk" not in box and "Kladde uden dato" not in box
    # Already hidden first: it matters most.
    assert box.index("Skjult") < box.index("Snart")


def test_no_due_box_when_everything_is_fresh(client, login, make_offer, organization, owner):
    make_offer(organization=organization, name="Frisk")
    login(owner)

    html = client.get(f"/forening/{organization.id}").get_data(as_text=True)

    assert due_box(html) == ""
    assert "Skal bekræftes snart" not in html


def test_views_are_summed_over_the_last_30_days_only(
    client, login, make_offer, make_organization, organization, owner
) -> None:
    offer = make_offer(organization=organization, name="Populær")
    quiet = make_offer(organization=organization, name="Stille")
    elsewhere = make_offer(organization=make_organization(name="Andre"), name="Andres")
    today = local_today()
    db.session.add_all(
        [
            ServiceViewDay(service_id=offer.id, day=today, views=3),
            ServiceViewDay(service_id=offer.id, day=today - dt.timedelta(days=29), views=4),
            ServiceViewDay(service_id=offer.id, day=today - dt.timedelta(days=30), views=100),
            ServiceViewDay(service_id=elsewhere.id, day=today, views=50),
        ]
    )
    db.session.commit()
    login(owner)

    found = cards(client.get(f"/forening/{organization.id}").get_data(as_text=True))

    assert "Visninger de sidste 30 dage</dt> <dd>7</dd>" in found["Populær"]
    assert "Visninger de sidste 30 dage</dt> <dd>0</dd>" in found["Stille"]
    assert quiet.id != offer.id


def test_open_problem_reports_are_counted(client, login, make_offer, organization, owner):
    offer = make_offer(organization=organization, name="Med fejl")
    make_offer(organization=organization, name="Uden fejl")
    db.session.add_all(
        [
            ProblemReport(service_id=offer.id, kind=ProblemKind.CLOSED),
            ProblemReport(service_id=offer.id, kind=ProblemKind.WRONG_TIME),
            ProblemReport(service_id=offer.id, kind=ProblemKind.OTHER, resolved_at=utcnow()),
        ]
    )
    db.session.commit()
    login(owner)

    found = cards(client.get(f"/forening/{organization.id}").get_data(as_text=True))

    assert "Åbne fejlmeldinger</dt> <dd><a href=" in found["Med fejl"]
    assert ">2</a></dd>" in found["Med fejl"]
    assert "Åbne fejlmeldinger</dt> <dd>0</dd>" in found["Uden fejl"]


def test_links_to_editing_history_reports_import_and_confirmation(
    app: Flask, client, login, make_offer, organization, owner
) -> None:
    published = make_offer(organization=organization, name="Offentlig")
    draft = make_offer(organization=organization, name="Kladde", status=ServiceStatus.DRAFT)
    login(owner)

    html = client.get(f"/forening/{organization.id}").get_data(as_text=True)

    with app.test_request_context():
        expected = [
            url_for("editor.new", organization_id=organization.id),
            url_for("editor.edit", service_id=published.id),
            url_for("editor.edit", service_id=draft.id),
            url_for("moderation.history", service_id=published.id),
            url_for("reports.for_organization", organization_id=organization.id),
            url_for("imports.start", organization_id=organization.id),
            url_for("organizations.members", organization_id=organization.id),
            url_for("organizations.edit", organization_id=organization.id),
        ]
        confirm = url_for("moderation.confirm_now", service_id=published.id)
        confirm_draft = url_for("moderation.confirm_now", service_id=draft.id)
    for href in expected:
        assert f'href="{href}"' in html, href
    assert f'<form class="inline-form" method="post" action="{confirm}">' in html
    assert confirm_draft not in html, "only published offers are confirmed"
    assert 'name="csrf_token"' in html


def test_editors_see_the_dashboard_without_the_profile_link(
    client, login, make_user, organization
) -> None:
    login(make_user(organization=organization, role=MemberRole.EDITOR))

    response = client.get(f"/forening/{organization.id}")

    assert response.status_code == 200
    assert f"/forening/{organization.id}/profil" not in response.get_data(as_text=True)


def test_every_link_and_button_of_the_dashboard_leads_somewhere(
    client, login, post, make_offer, organization, owner
) -> None:
    make_offer(organization=organization, name="Offentlig")
    make_offer(organization=organization, name="Kladde", status=ServiceStatus.DRAFT)
    login(owner)

    html = client.get(f"/forening/{organization.id}").get_data(as_text=True)

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    links = {unescape(href) for href in re.findall(r'href="(/[^"#]*)', main)}
    actions = {unescape(action) for action in re.findall(r'method="post" action="([^"]+)"', main)}
    assert len(links) >= 10 and actions
    for link in sorted(links):
        assert client.get(link).status_code in (200, 302), link
    for action in sorted(actions):
        assert post(client, action).status_code == 302, action


def test_a_constant_number_of_queries_however_many_offers(
    client, login, make_offer, organization, owner, count_queries
) -> None:
    login(owner)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get(f"/forening/{organization.id}").status_code == 200
        return len(statements)

    def add_offer(number: int) -> None:
        offer = make_offer(
            organization=organization, name=f"Tilbud {number}", last_confirmed_at=days_ago(340)
        )
        db.session.add(ProblemReport(service_id=offer.id, kind=ProblemKind.OTHER))
        db.session.add(ServiceViewDay(service_id=offer.id, day=local_today(), views=2))
        db.session.commit()

    add_offer(0)
    one = queries()
    for number in range(1, 30):
        add_offer(number)
    assert queries() == one
