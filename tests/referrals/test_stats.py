"""Anonymous referral numbers: exact counts, "<5" suppression, no decryption, the offer page."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import sqlalchemy as sa

from portal.db import db, utcnow
from portal.referrals.crypto import DecryptionError
from portal.referrals.models import (
    NotStartedReason,
    ProfessionalKind,
    ProfessionalProfile,
    Referral,
    ReferralKind,
    ReferralStatus,
)
from portal.referrals.services import Citizen, change_status, create_referral
from portal.referrals.stats import (
    Responsiveness,
    display_count,
    referral_counts,
    responsiveness,
)
from portal.statistics.referrals import unmet_referrals

ENCRYPTED_COLUMNS = (
    "citizen_name",
    "citizen_phone",
    "citizen_email",
    "contact_time",
    "needs",
    "note",
    "decline_message",
    "message",
)


@pytest.fixture
def member(make_user):
    """Return a factory of association members who act on referrals."""

    def factory(organization):
        return make_user(organization=organization, name="Frida Frivillig")

    return factory


def _move(referral, actor, *steps):
    """Walk a referral through status steps, as the association would."""
    for step in steps:
        status, reason, message = step if isinstance(step, tuple) else (step, None, None)
        change_status(
            referral,
            actor,
            status,
            expected_version=referral.version,
            reason=reason,
            message=message,
        )
    db.session.commit()


def _timed(referral, sent_days_ago, reacted_after_days=None, now=None):
    """Move a referral's sent time (and first reaction) to known moments."""
    now = now or utcnow()
    sent = now - dt.timedelta(days=sent_days_ago)
    values = {"created_at": sent}
    if reacted_after_days is not None:
        values["first_reaction_at"] = sent + dt.timedelta(days=reacted_after_days)
    db.session.execute(sa.update(Referral).where(Referral.id == referral.id).values(**values))
    db.session.commit()


CONTACTED = ReferralStatus.CONTACTED
STARTED = ReferralStatus.STARTED
WAITING = (ReferralStatus.NOT_STARTED, NotStartedReason.WAITING_LIST, None)
UNREACHABLE = (ReferralStatus.NOT_STARTED, NotStartedReason.UNREACHABLE, None)
DECLINED = (ReferralStatus.DECLINED, None, "Holdet er fuldt.")


@pytest.fixture
def dataset(make_offer, make_referral, member, professional, consent):
    """Referrals to three offers, with known outcomes.

    Thisted (787), elderly and over 85, shared meals: 6 referrals — 2 started,
    1 waiting list, 1 unreachable, 1 declined, 1 still sent.
    Copenhagen (101), young people, creative: 2 referrals — 1 declined, 1 sent.
    Online, everyone, phone friend: 1 referral, waiting list.
    Plus one citizen's own contact request to the Thisted offer.
    """
    thisted = make_offer(target_groups=["aeldre", "over-85"], activities=["faellesspisning"])
    copenhagen = make_offer(
        name="Strikkeklub",
        municipality_code="101",
        city="København",
        target_groups=["unge"],
        activities=["kreative"],
    )
    online = make_offer(
        name="Telefonven", virtual=True, target_groups=["alle"], activities=["telefon-netven"]
    )
    paths = {
        thisted: [
            (CONTACTED, STARTED),
            (CONTACTED, STARTED),
            (CONTACTED, WAITING),
            (UNREACHABLE,),
            (DECLINED,),
            (),
        ],
        copenhagen: [(DECLINED,), ()],
        online: [(WAITING,)],
    }
    for offer, walks in paths.items():
        actor = member(offer.organization)
        for steps in walks:
            _move(make_referral(offer, professional), actor, *steps)
    create_referral(
        service=thisted,
        referrer=None,
        form_token="own-request",
        citizen=Citizen(name="Bo Borger", email="bo@example.org"),
        consent=consent,
        kind=ReferralKind.CONTACT_REQUEST,
    )
    db.session.commit()
    return {"thisted": thisted, "copenhagen": copenhagen, "online": online}


def _table(rows):
    return [(row.key, row.label, row.count, row.shown) for row in rows]


def test_display_count_hides_one_to_four() -> None:
    assert [display_count(n) for n in (0, 1, 4, 5, 6, 1234)] == [
        "0",
        "<5",
        "<5",
        "5",
        "6",
        "1234",
    ]


def test_counts_by_municipality(dataset) -> None:
    assert _table(referral_counts(None, "municipality")) == [
        ("787", "Thisted", 6, "6"),
        ("101", "København", 2, "<5"),
        ("", "Ikke angivet", 1, "<5"),
    ]


def test_counts_by_target_group_and_activity(dataset) -> None:
    assert _table(referral_counts(None, "target_group")) == [
        ("aeldre", "Ældre", 6, "6"),
        ("over-85", "Over 85 år", 6, "6"),
        ("unge", "Unge 16–29 år", 2, "<5"),
        ("alle", "Alle", 1, "<5"),
    ]
    assert _table(referral_counts(None, "activity")) == [
        ("faellesspisning", "Fællesspisning", 6, "6"),
        ("kreative", "Kreative aktiviteter", 2, "<5"),
        ("telefon-netven", "Telefon- og netven", 1, "<5"),
    ]


def test_counts_by_outcome_in_the_order_of_a_referrals_life(dataset) -> None:
    assert _table(referral_counts(None, "outcome")) == [
        ("sent", "Sendt", 2, "<5"),
        ("started", "Startet", 2, "<5"),
        (
            "not_started:unreachable",
            "Ikke startet – Vi kunne ikke få fat i borgeren",
            1,
            "<5",
        ),
        (
            "not_started:waiting_list",
            "Ikke startet – Borgeren står på venteliste",
            2,
            "<5",
        ),
        ("declined", "Afvist", 2, "<5"),
    ]


def test_contact_requests_are_counted_apart(dataset) -> None:
    requests = referral_counts(None, "municipality", kind=ReferralKind.CONTACT_REQUEST)
    assert _table(requests) == [("787", "Thisted", 1, "<5")]


def test_counts_by_year_follow_the_danish_calendar(dataset) -> None:
    db.session.execute(
        sa.update(Referral).values(created_at=dt.datetime(2025, 6, 15, 10, tzinfo=dt.UTC))
    )
    # Sent half an hour into New Year's Day in Copenhagen: 23.30 UTC the day before.
    first = db.session.scalars(
        sa.select(Referral.id).where(Referral.service_id == dataset["copenhagen"].id)
    ).first()
    new_year = dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC)
    db.session.execute(sa.update(Referral).where(Referral.id == first).values(created_at=new_year))
    db.session.commit()

    assert _table(referral_counts(2026, "municipality")) == [("101", "København", 1, "<5")]
    assert _table(referral_counts(2025, "municipality")) == [
        ("787", "Thisted", 6, "6"),
        ("101", "København", 1, "<5"),
        ("", "Ikke angivet", 1, "<5"),
    ]
    assert referral_counts(2024, "outcome") == []


def test_unknown_grouping_is_refused(dataset) -> None:
    with pytest.raises(ValueError, match="cannot count"):
        referral_counts(None, "citizen_name")


def test_the_demand_page_counts_declined_and_waiting_list_referrals(dataset) -> None:
    unmet = unmet_referrals(db.session, dt.date(2000, 1, 1), dt.date(2100, 1, 1))

    # Thisted: 1 waiting list + 1 declined, under both target groups; Copenhagen:
    # 1 declined; online: 1 waiting list. The contact request is not a referral.
    assert unmet is not None
    assert unmet.rows == [
        ("", "alle", "waiting_list", 1),
        ("101", "unge", "declined", 1),
        ("787", "aeldre", "declined", 1),
        ("787", "aeldre", "waiting_list", 1),
        ("787", "over-85", "declined", 1),
        ("787", "over-85", "waiting_list", 1),
    ]


def test_labels_follow_the_language(app, dataset) -> None:
    import flask_babel

    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        flask_babel.refresh()  # the test's app context outlives a single request
        labels = {row.key: row.label for row in referral_counts(None, "activity")}
    assert labels["faellesspisning"] == "Shared meals"
    # Outside a request (a CLI command, a job) the labels are Danish.
    danish = {row.key: row.label for row in referral_counts(None, "activity")}
    assert danish["faellesspisning"] == "Fællesspisning"


def test_responsiveness_hides_everything_but_the_count_below_five(
    make_offer, make_referral, member, professional
) -> None:
    offer = make_offer()
    actor = member(offer.organization)
    for _ in range(4):
        _move(make_referral(offer, professional), actor, CONTACTED, STARTED)
    numbers = responsiveness(offer.organization_id)
    assert numbers == Responsiveness(received=4, median_days=None, started_percent=None)
    assert numbers.received_shown == "<5"


def test_responsiveness_median_and_share_on_known_times(
    make_offer, make_organization, make_referral, member, professional
) -> None:
    offer = make_offer()
    actor = member(offer.organization)
    # Reactions after 1, 2, 3, 4 and 10 days: the median is 3 whatever the outlier.
    walks = [
        (1, (CONTACTED, STARTED)),
        (2, (CONTACTED, STARTED)),
        (3, (CONTACTED, STARTED)),
        (4, (UNREACHABLE,)),
        (10, (DECLINED,)),
        (None, ()),  # not answered yet
    ]
    for days, steps in walks:
        referral = make_referral(offer, professional)
        _move(referral, actor, *steps)
        _timed(referral, sent_days_ago=30, reacted_after_days=days)
    # Older than a year, another association's, and a contact request: none count.
    old = make_referral(offer, professional)
    _move(old, actor, CONTACTED)
    _timed(old, sent_days_ago=400, reacted_after_days=50)
    other = make_offer(organization=make_organization(name="Anden forening"))
    make_referral(other, professional)

    numbers = responsiveness(offer.organization_id)

    # 6 received; 5 answered (median 3 days); 5 closed of which 3 started.
    assert numbers == Responsiveness(received=6, median_days=3, started_percent=60)
    assert numbers.received_shown == "6"


def test_responsiveness_leaves_out_a_share_of_too_few_closed(
    make_offer, make_referral, member, professional
) -> None:
    offer = make_offer()
    actor = member(offer.organization)
    for days in (0.25, 0.5, 1.6, 2, 7):
        referral = make_referral(offer, professional)
        _move(referral, actor, CONTACTED)
        _timed(referral, sent_days_ago=20, reacted_after_days=days)
    _move(db.session.scalars(sa.select(Referral)).first(), actor, STARTED)

    numbers = responsiveness(offer.organization_id)

    assert numbers == Responsiveness(received=5, median_days=2, started_percent=None)


def _statements_touch_personal_columns(statements: list[str]) -> list[str]:
    pattern = re.compile(r"\b(" + "|".join(ENCRYPTED_COLUMNS) + r")\b")
    return [statement for statement in statements if pattern.search(statement)]


def _every_number(organization_id) -> list:
    results = [responsiveness(organization_id)]
    for by in ("municipality", "target_group", "activity", "outcome"):
        results.append(referral_counts(None, by))
        results.append(referral_counts(2026, by))
    # The demand page's count of declined and waiting-list referrals reads the same table.
    results.append(unmet_referrals(db.session, dt.date(2000, 1, 1), dt.date(2100, 1, 1)))
    return results


def test_no_query_selects_a_personal_column(dataset, count_queries) -> None:
    with count_queries() as statements:
        _every_number(dataset["thisted"].organization_id)
    assert len(statements) >= 11
    assert _statements_touch_personal_columns(statements) == []
    # The check itself would notice: loading a referral reads those columns.
    with count_queries() as loading:
        db.session.expire_all()
        db.session.scalars(sa.select(Referral).limit(1)).first()
    assert _statements_touch_personal_columns(loading) != []


def test_numbers_survive_unreadable_ciphertext(dataset) -> None:
    organization_id = dataset["thisted"].organization_id
    before = _every_number(organization_id)
    db.session.execute(
        sa.text("UPDATE referral SET citizen_name = 'ikke-en-gyldig-kryptering', note = 'x'")
    )
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        db.session.scalars(sa.select(Referral)).all()
    db.session.rollback()

    assert _every_number(organization_id) == before
    assert before[0].received == 6


# The entry points on the offer page.


def _offer_page(client, offer) -> str:
    response = client.get(f"/tilbud/{offer.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_everyone_can_ask_to_be_contacted_or_print_the_card(client, make_offer) -> None:
    offer = make_offer()
    html = _offer_page(client, offer)
    assert f'href="/tilbud/{offer.id}/kontakt"' in html
    assert "Jeg vil gerne kontaktes" in html
    assert f'href="/tilbud/{offer.id}/recept"' in html
    assert "Print fællesskabsrecept" in html
    assert "Henvis borger" not in html
    assert "Log ind for at henvise en borger" in html


def test_a_verified_professional_can_refer_and_sees_the_associations_pace(
    client, make_offer, make_referral, member, professional, login, count_queries
) -> None:
    offer = make_offer()
    actor = member(offer.organization)
    for _ in range(3):
        _move(make_referral(offer, professional), actor, CONTACTED)
    login(professional)

    with count_queries() as statements:
        html = _offer_page(client, offer)

    assert f'href="/tilbud/{offer.id}/henvis"' in html
    assert "Henvis borger" in html
    assert "Jeg vil gerne kontaktes" in html
    assert "Foreningens henvisninger det seneste år" in html
    assert "&lt;5" in html
    assert "Typisk tid til første reaktion" not in html, "no median of three referrals"
    assert "godkendt din faglige profil" not in html
    lookups = [s for s in statements if "FROM professional_profile" in s]
    assert len(lookups) == 1


def test_the_pace_shows_median_and_share_from_five_referrals(
    client, make_offer, make_referral, member, professional, login
) -> None:
    offer = make_offer()
    actor = member(offer.organization)
    for days in (1, 2, 2, 3, 9):
        referral = make_referral(offer, professional)
        _move(referral, actor, CONTACTED, STARTED)
        _timed(referral, sent_days_ago=40, reacted_after_days=days)
    login(professional)

    text = " ".join(re.sub(r"<[^>]+>", " ", _offer_page(client, offer)).split())

    assert "Modtaget 5" in text
    assert "Typisk tid til første reaktion 2 dage" in text
    assert "Startet i tilbuddet, af de afsluttede 100 %" in text


def test_an_unverified_professional_is_told_to_finish_the_profile(
    client, make_offer, make_user, login
) -> None:
    offer = make_offer()
    user = make_user()
    db.session.add(
        ProfessionalProfile(user_id=user.id, kind=ProfessionalKind.MUNICIPAL, workplace="Jobcenter")
    )
    db.session.commit()
    login(user)

    html = _offer_page(client, offer)

    assert "Henvis borger" in html
    assert "godkendt din faglige profil" in html
    assert 'href="/fagperson"' in html
    assert "Foreningens henvisninger det seneste år" not in html


def test_a_signed_in_user_without_a_profile_sees_no_referral_button(
    client, make_offer, make_user, login
) -> None:
    offer = make_offer()
    login(make_user())
    html = _offer_page(client, offer)
    assert "Henvis borger" not in html
    assert "Jeg vil gerne kontaktes" in html
    assert "Log ind for at henvise" not in html


def test_the_preview_shows_none_of_it(client, make_offer, make_user, login) -> None:
    offer = make_offer()
    owner = make_user(organization=offer.organization)
    db.session.add(
        ProfessionalProfile(
            user_id=owner.id, kind=ProfessionalKind.GP, workplace="Lægehuset", verified_at=utcnow()
        )
    )
    db.session.commit()
    login(owner)

    html = client.get(f"/tilbud/{offer.id}/forhaandsvisning").get_data(as_text=True)

    assert "Forhåndsvisning" in html
    for text in ("Jeg vil gerne kontaktes", "Print fællesskabsrecept", "Henvis borger"):
        assert text not in html
