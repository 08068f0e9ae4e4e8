"""Yearly re-confirmation: the one-click link, reminders, and stale offers leaving search."""

from __future__ import annotations

import datetime as dt
import time

import pytest
import sqlalchemy as sa
from dateutil.relativedelta import relativedelta
from flask import url_for

from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.fallback import database_search
from portal.find.models import SearchOutbox
from portal.find.sync import drain
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.tokens import make_confirm_token
from portal.offers.models import Service, ServiceStatus
from search import SearchQuery
from tests.find.fakes import DictEngine
from tests.moderation.conftest import (
    FROZEN_NOW,
    clear_outbox,
    danish_date,
    mails_to,
    outbox_ids,
    visible,
)


@pytest.fixture(autouse=True)
def thresholds(app) -> None:
    """Remind after 320 days and hide after 390, as a deployment may configure."""
    app.config["OFFER_REMIND_AFTER_DAYS"] = 320
    app.config["OFFER_HIDE_AFTER_DAYS"] = 390


def _months_ago(months: int) -> dt.datetime:
    return FROZEN_NOW - relativedelta(months=months)


def _reload(service: Service) -> Service:
    """Return the offer as stored now (the command detaches what it loaded)."""
    db.session.expire_all()
    return db.session.get(Service, service.id)


def _drain_at_frozen_time(engine: DictEngine) -> None:
    """Apply the search outbox as if its rows had been written at the frozen time."""
    db.session.execute(sa.update(SearchOutbox).values(available_at=FROZEN_NOW))
    db.session.commit()
    drain(db.session, engine, now=FROZEN_NOW)


def _versions(service) -> list[VersionEvent]:
    return list(
        db.session.scalars(
            sa.select(ServiceVersion.event)
            .where(ServiceVersion.service_id == service.id)
            .order_by(ServiceVersion.number)
        )
    )


@pytest.fixture
def offer(people, make_offer, frozen_clock):
    """Return a published offer last confirmed eleven months before the frozen now."""
    return make_offer(
        organization=people.organization,
        name="Gåklubben i Vestervig",
        last_confirmed_at=_months_ago(11),
    )


# ---------- the one-click link ----------


def test_the_link_shows_the_offer_and_one_button_but_get_changes_nothing(
    app, offer, client
) -> None:
    token = make_confirm_token(offer)
    confirmed = offer.last_confirmed_at

    response = client.get(f"/bekraeft/{token}")

    assert response.status_code == 200
    page = visible(response)
    assert "Kører Gåklubben i Vestervig stadig?" in page
    assert "Medborgerhuset, Skolevej 12, 7700 Thisted" in page
    assert "Hver tirsdag kl. 17.30–19.30" in page
    assert "Ja, tilbuddet kører stadig" in page
    with app.test_request_context():
        edit = url_for("editor.edit", service_id=offer.id)
    assert f'href="{edit}"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert offer.last_confirmed_at == confirmed  # mail scanners open links
    assert _versions(offer) == []


def test_pressing_the_button_confirms_once(offer, client, post) -> None:
    offer.stale_reminder_sent_at = _months_ago(0)
    db.session.commit()
    clear_outbox()
    token = make_confirm_token(offer)
    client.get(f"/bekraeft/{token}")

    response = post(f"/bekraeft/{token}")

    assert response.status_code == 200
    assert "Tak for bekræftelsen" in visible(response)
    db.session.expire_all()
    assert offer.last_confirmed_at == FROZEN_NOW
    assert offer.stale_reminder_sent_at is None
    assert _versions(offer) == [VersionEvent.CONFIRMED]
    assert str(offer.id) in search_engine().ids()  # the outbox reindexed it after the commit
    again = post(f"/bekraeft/{token}")
    assert again.status_code == 410
    assert "Tilbuddet er allerede bekræftet" in visible(again)
    assert danish_date(FROZEN_NOW) in visible(again)
    assert _versions(offer) == [VersionEvent.CONFIRMED]


def test_an_expired_link_explains_how_to_confirm_after_signing_in(
    offer, client, monkeypatch
) -> None:
    sixty_one_days = 61 * 24 * 3600
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: FROZEN_NOW.timestamp() + 1e8 - sixty_one_days)
        token = make_confirm_token(offer)
    monkeypatch.setattr(time, "time", lambda: FROZEN_NOW.timestamp() + 1e8)

    response = client.get(f"/bekraeft/{token}")

    assert response.status_code == 410
    page = visible(response)
    assert "Linket virker ikke længere" in page
    assert "gælder kun i 60 dage" in page
    assert "Log ind på Fællesskabsportalen" in page


def test_a_link_still_works_on_day_59(offer, client, monkeypatch) -> None:
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: 1e9)
        token = make_confirm_token(offer)
    monkeypatch.setattr(time, "time", lambda: 1e9 + 59 * 24 * 3600)

    assert client.get(f"/bekraeft/{token}").status_code == 200


def test_a_tampered_link_is_refused(offer, client, post) -> None:
    token = make_confirm_token(offer)
    tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")

    response = post(f"/bekraeft/{tampered}")

    assert response.status_code == 400
    assert "Linket er ikke gyldigt" in visible(response)
    db.session.expire_all()
    assert _versions(offer) == []


def test_a_link_for_an_offer_that_was_taken_down_is_refused(offer, client) -> None:
    token = make_confirm_token(offer)
    offer.status = ServiceStatus.DRAFT
    db.session.commit()

    assert client.get(f"/bekraeft/{token}").status_code == 400


def test_confirming_from_the_associations_pages(offer, people, client, login, post) -> None:
    login(people.editor)

    response = post(f"/tilbud/{offer.id}/bekraeft", {"next": "/foreninger/mine"})

    assert response.status_code == 302
    assert response.location == "/foreninger/mine"
    db.session.expire_all()
    assert offer.last_confirmed_at == FROZEN_NOW
    assert _versions(offer) == [VersionEvent.CONFIRMED]
    unsafe = post(f"/tilbud/{offer.id}/bekraeft", {"next": "https://svindel.example/"})
    assert unsafe.location.endswith(f"/tilbud/{offer.id}/historik")


def test_drafts_are_not_confirmed(people, make_offer, client, login, post) -> None:
    draft = make_offer(organization=people.organization, status=ServiceStatus.DRAFT)
    login(people.owner)

    response = post(f"/tilbud/{draft.id}/bekraeft")

    assert "Kun offentliggjorte tilbud skal bekræftes." in visible(client.get(response.location))
    assert _versions(draft) == []


def test_the_offer_page_says_when_it_was_last_confirmed(make_offer, client) -> None:
    offer = make_offer(last_confirmed_at=dt.datetime(2026, 3, 3, 10, 0, tzinfo=dt.UTC))

    assert "Senest bekræftet 3. marts 2026" in visible(client.get(f"/tilbud/{offer.id}"))


# ---------- reminders and hiding ----------


def test_reminders_follow_the_clock_at_10_11_and_14_months(
    people, make_offer, frozen_clock, runner
) -> None:
    offer = make_offer(
        organization=people.organization,
        name="Gåklubben i Vestervig",
        email="gaaklubben@vestervig.example",
        last_confirmed_at=FROZEN_NOW,
    )
    reminded_at = []
    for months in (10, 11, 14):
        frozen_clock(FROZEN_NOW + relativedelta(months=months))
        result = runner.invoke(args=["offers", "remind-stale"])
        assert result.exit_code == 0, result.output
        reminded_at.append(_reload(offer).stale_reminder_sent_at)

    assert reminded_at[0] is None  # 10 months: still fresh
    assert reminded_at[1] == FROZEN_NOW + relativedelta(months=11)
    assert reminded_at[2] == reminded_at[1]  # 14 months: no second reminder for one confirmation
    [mail] = mails_to("gaaklubben@vestervig.example")
    assert mail.subject == "Kører Gåklubben i Vestervig stadig?"
    assert "/bekraeft/" in mail.body_text
    assert "du behøver ikke logge ind" in mail.body_text


def test_remind_stale_asks_the_right_people_once(people, make_offer, frozen_clock, runner) -> None:
    fresh = make_offer(name="Frisk", email="frisk@example.org", last_confirmed_at=_months_ago(10))
    by_contact = make_offer(name="Kontakt", last_confirmed_at=_months_ago(11))
    by_members = make_offer(
        organization=people.organization, name="Medlemmer", last_confirmed_at=_months_ago(14)
    )
    by_members.contacts.clear()
    db.session.commit()

    first = runner.invoke(args=["offers", "remind-stale"])
    second = runner.invoke(args=["offers", "remind-stale"])

    assert "Reminded 2 offers" in first.output and "3 emails queued" in first.output
    assert "Reminded 0 offers" in second.output and "0 emails queued" in second.output
    assert mails_to("frisk@example.org") == []
    [contact_mail] = mails_to("karen@forening.example")
    assert "Kontakt" in contact_mail.body_text
    assert "forsvinder tilbuddet fra søgningen den" in contact_mail.body_text
    for member in (people.owner, people.editor):
        [mail] = mails_to(member.email)
        assert "vises ikke i søgningen lige nu" in mail.body_text
    assert mails_to(people.outsider.email) == []
    assert _reload(fresh).stale_reminder_sent_at is None
    assert _reload(by_contact).stale_reminder_sent_at == FROZEN_NOW


def test_the_reminder_link_confirms_the_offer(
    offer, people, frozen_clock, runner, client, post
) -> None:
    runner.invoke(args=["offers", "remind-stale"])
    [mail] = mails_to("karen@forening.example")
    path = mail.body_text.split("http://127.0.0.1:5000", 2)[1].split()[0]
    assert path.startswith("/bekraeft/")

    frozen_clock(FROZEN_NOW + dt.timedelta(days=2))
    client.get(path)
    post(path)

    offer = _reload(offer)
    assert offer.last_confirmed_at == FROZEN_NOW + dt.timedelta(days=2)
    assert offer.stale_reminder_sent_at is None


def test_an_offer_unconfirmed_for_13_months_leaves_search_and_confirming_brings_it_back(
    app, people, make_offer, frozen_clock, runner, client, post
) -> None:
    stale = make_offer(
        organization=people.organization,
        name="Gammel strikkeklub",
        last_confirmed_at=_months_ago(13),
    )
    current = make_offer(name="Ny strikkeklub", last_confirmed_at=_months_ago(11))
    engine = DictEngine()
    app.extensions["search"] = engine  # what requests drain into, too
    engine.index(
        [{"id": str(stale.id), "title": stale.name}, {"id": str(current.id), "title": current.name}]
    )
    clear_outbox()

    result = runner.invoke(args=["offers", "remind-stale"])

    assert "Queued 1 offers unconfirmed for over 390 days" in result.output
    assert outbox_ids() >= {stale.id}
    _drain_at_frozen_time(engine)
    assert set(engine.ids()) == {str(current.id)}
    fallback = database_search(db.session, SearchQuery(text="strikkeklub"), now=FROZEN_NOW)
    assert [hit.document["title"] for hit in fallback.hits] == ["Ny strikkeklub"]

    token = make_confirm_token(_reload(stale))
    client.get(f"/bekraeft/{token}")
    post(f"/bekraeft/{token}")
    _drain_at_frozen_time(engine)

    assert set(engine.ids()) == {str(stale.id), str(current.id)}


def test_the_hiding_age_comes_from_the_configuration(app, make_offer, frozen_clock) -> None:
    offer = make_offer(name="Grænsetilfælde", last_confirmed_at=FROZEN_NOW - dt.timedelta(days=385))

    def found() -> bool:
        result = database_search(db.session, SearchQuery(text="Grænsetilfælde"), now=FROZEN_NOW)
        return [hit.id for hit in result.hits] == [str(offer.id)]

    assert found()
    app.config["OFFER_HIDE_AFTER_DAYS"] = 380
    assert not found()


def test_hide_stale_on_its_own_queues_only_offers_that_just_turned_stale(
    make_offer, frozen_clock, runner
) -> None:
    just = make_offer(
        name="Lige blevet for gammel", last_confirmed_at=FROZEN_NOW - dt.timedelta(days=392)
    )
    long_ago = make_offer(
        name="For længst skjult", last_confirmed_at=FROZEN_NOW - dt.timedelta(days=500)
    )
    clear_outbox()

    result = runner.invoke(args=["offers", "hide-stale"])

    assert result.exit_code == 0
    assert outbox_ids() == {just.id}
    assert long_ago.id not in outbox_ids()
    wide = runner.invoke(args=["offers", "hide-stale", "--within-days", "200"])
    assert "Queued 2 offers" in wide.output
