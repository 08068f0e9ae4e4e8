"""The referral domain: encryption at rest, consent, CPR guard, statuses, access and audit."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import NotFound

from portal.db import db, utcnow
from portal.mail.models import MailMessage
from portal.referrals import access, crypto, retention
from portal.referrals.audit import AuditTamperError
from portal.referrals.models import (
    AuditAction,
    AuditEntry,
    NotStartedReason,
    Referral,
    ReferralStatus,
)
from portal.referrals.privacy import contains_cpr
from portal.referrals.services import (
    Citizen,
    ConflictError,
    ReferralError,
    change_status,
    create_referral,
    recent_duplicate,
)
from tests.conftest import is_postgres


@pytest.fixture
def offer(make_offer):
    return make_offer()


@pytest.fixture
def gp(make_user):
    return make_user(email="laege@example.org", name="Dr. Jensen")


@pytest.fixture
def member(make_user, offer):
    return make_user(email="frivillig@example.org", organization=offer.organization)


def _raw(column: str, referral_id: uuid.UUID) -> str | None:
    return db.session.execute(
        sa.text(f"SELECT {column} FROM referral WHERE id = :id"),  # noqa: S608 - fixed names
        {"id": referral_id.hex if not is_postgres() else referral_id},
    ).scalar_one()


def test_personal_fields_are_ciphertext_in_the_database(make_referral, offer, gp) -> None:
    referral = make_referral(offer, gp, note="Har mistet sin mand for nylig.")

    raw_name = _raw("citizen_name", referral.id)
    raw_note = _raw("note", referral.id)
    assert "Anne" not in raw_name and "mistet" not in raw_note
    assert raw_name.startswith("gAAAA")
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).citizen_name == "Anne Hansen"


def test_old_keys_still_decrypt_and_rotation_moves_rows_to_the_newest(
    app, make_referral, offer, gp
) -> None:
    referral = make_referral(offer, gp)
    old_key = app.config["ENCRYPTION_KEYS"][0]
    new_key = Fernet.generate_key().decode()
    app.extensions[crypto.EXTENSION] = crypto.build_cipher([new_key, old_key])
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).citizen_name == "Anne Hansen"

    rotated = crypto.rotate(_raw("citizen_name", referral.id))
    assert Fernet(new_key.encode()).decrypt(rotated.encode()) == b"Anne Hansen"


def test_a_malformed_key_stops_start_up() -> None:
    with pytest.raises(crypto.ConfigError, match="ENCRYPTION_KEYS"):
        crypto.build_cipher(["not-a-key"])


@pytest.mark.parametrize(
    "text",
    ["0707614285", "070761-4285", "cpr 070761 4285 tak", "født 0101901234"],
)
def test_cpr_numbers_are_recognised(text: str) -> None:
    assert contains_cpr(text)


@pytest.mark.parametrize("text", ["12345678", "+45 12 34 56 78", "4512345678", "3213901234", ""])
def test_phone_numbers_and_impossible_dates_are_not_cpr(text: str) -> None:
    assert not contains_cpr(text)


@pytest.mark.parametrize("field", ["name", "note", "contact_time", "phone"])
def test_a_cpr_number_in_any_field_is_refused(field, app, offer, gp, consent) -> None:
    details = {"name": "Anne Hansen", "phone": "12345678", field: "070761-4285"}
    with pytest.raises(ReferralError, match="CPR"):
        create_referral(
            service=offer,
            referrer=gp,
            form_token="t1",
            citizen=Citizen(**details),
            consent=consent,
        )
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_without_consent_nothing_is_created(app, offer, gp) -> None:
    with pytest.raises(ReferralError, match="samtykke"):
        create_referral(
            service=offer,
            referrer=gp,
            form_token="t2",
            citizen=Citizen(name="Anne", phone="12345678"),
            consent=None,
        )
    db.session.flush()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 0


def test_a_note_over_500_characters_is_refused(app, offer, gp, consent) -> None:
    with pytest.raises(ReferralError, match="500"):
        create_referral(
            service=offer,
            referrer=gp,
            form_token="t3",
            citizen=Citizen(name="Anne", phone="12345678", note="x" * 501),
            consent=consent,
        )


def test_the_same_form_token_cannot_create_two_referrals(app, offer, gp, consent) -> None:
    citizen = Citizen(name="Anne", phone="12345678")
    create_referral(service=offer, referrer=gp, form_token="same", citizen=citizen, consent=consent)
    db.session.commit()
    with pytest.raises(IntegrityError):
        create_referral(
            service=offer, referrer=gp, form_token="same", citizen=citizen, consent=consent
        )
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Referral)) == 1


def test_the_same_citizen_and_offer_within_a_day_is_noticed(make_referral, offer, gp) -> None:
    make_referral(offer, gp, phone="12 34 56 78")

    assert recent_duplicate(offer.id, Citizen(name="anne hansen", phone="+4512345678"))
    assert not recent_duplicate(offer.id, Citizen(name="Bente Hansen", phone="12345678"))
    later = utcnow() + dt.timedelta(hours=25)
    assert not recent_duplicate(offer.id, Citizen(name="Anne Hansen", phone="12345678"), later)


def test_the_association_is_told_without_personal_data(make_referral, offer, gp, member) -> None:
    make_referral(offer, gp, note="Hun er ked af det.")

    mail = db.session.scalars(
        sa.select(MailMessage).where(MailMessage.to_address == "frivillig@example.org")
    ).one()
    body = mail.body_text + (mail.body_html or "") + mail.subject
    assert "Anne" not in body and "Hansen" not in body and "ked af det" not in body
    assert "12 34" not in body


def test_the_lifecycle_records_time_and_actor(make_referral, offer, gp, member) -> None:
    referral = make_referral(offer, gp)
    for status in (ReferralStatus.OPENED, ReferralStatus.CONTACTED, ReferralStatus.STARTED):
        change_status(referral, member, status, expected_version=referral.version)
        db.session.commit()

    assert referral.status is ReferralStatus.STARTED
    assert referral.closed_at is not None and referral.first_reaction_at is not None
    steps = [(e.from_status, e.to_status, e.actor_id) for e in referral.events]
    assert steps == [
        ("sent", "opened", member.id),
        ("opened", "contacted", member.id),
        ("contacted", "started", member.id),
    ]


def test_a_closed_referral_cannot_move_on(make_referral, offer, gp, member) -> None:
    referral = make_referral(offer, gp)
    change_status(
        referral,
        member,
        ReferralStatus.NOT_STARTED,
        expected_version=referral.version,
        reason=NotStartedReason.WAITING_LIST,
    )
    with pytest.raises(ReferralError):
        change_status(referral, member, ReferralStatus.CONTACTED, expected_version=referral.version)


def test_not_started_needs_a_reason_and_declined_a_message(make_referral, offer, gp, member):
    referral = make_referral(offer, gp)
    with pytest.raises(ReferralError):
        change_status(referral, member, ReferralStatus.NOT_STARTED, expected_version=1)
    with pytest.raises(ReferralError):
        change_status(referral, member, ReferralStatus.DECLINED, expected_version=1, message=" ")
    with pytest.raises(ReferralError, match="500"):
        change_status(
            referral, member, ReferralStatus.DECLINED, expected_version=1, message="x" * 501
        )


def test_a_stale_form_gets_a_conflict(make_referral, offer, gp, member) -> None:
    referral = make_referral(offer, gp)
    seen = referral.version
    change_status(referral, member, ReferralStatus.CONTACTED, expected_version=seen)
    db.session.commit()

    with pytest.raises(ConflictError):
        change_status(referral, member, ReferralStatus.DECLINED, expected_version=seen, message="x")


def test_a_concurrent_change_in_the_database_is_caught_at_flush(make_referral, offer, gp, member):
    referral = make_referral(offer, gp)
    version = referral.version
    # Another process moves the referral on between our read and our write.
    db.session.execute(
        sa.update(Referral.__table__)
        .where(Referral.__table__.c.id == referral.id)
        .values(version=version + 1, status="declined")
    )
    with pytest.raises(StaleDataError):
        change_status(referral, member, ReferralStatus.CONTACTED, expected_version=version)
        db.session.flush()
    db.session.rollback()


def test_only_referrer_and_receiving_members_see_it_and_each_look_is_audited(
    make_referral, offer, gp, member, make_user, make_organization
) -> None:
    referral = make_referral(offer, gp)
    stranger = make_user(email="fremmed@example.org", organization=make_organization(name="Andre"))
    admin = make_user(email="admin@example.org", is_admin=True)

    for user in (stranger, admin):
        with pytest.raises(NotFound):
            access.get_referral_or_404(referral.id, user)
    with pytest.raises(NotFound):
        access.get_referral_or_404("not-a-uuid", gp)
    assert access.get_referral_or_404(referral.id, gp)[1] is access.Relation.REFERRER
    assert access.get_referral_or_404(referral.id, member)[1] is access.Relation.RECEIVER
    db.session.commit()

    views = db.session.scalars(
        sa.select(AuditEntry.actor_id).where(
            AuditEntry.referral_id == referral.id, AuditEntry.action == AuditAction.VIEW
        )
    ).all()
    assert sorted(map(str, views)) == sorted([str(gp.id), str(member.id)])


def test_break_glass_needs_a_reason_and_is_audited(app, make_referral, offer, gp, make_user):
    referral = make_referral(offer, gp)
    admin = make_user(email="admin@example.org", is_admin=True)
    with app.test_request_context():
        with pytest.raises(ValueError):
            access.grant_break_glass(admin, referral.id, "kort")
        access.grant_break_glass(admin, referral.id, "Borgeren har klaget; sag 2026-114")
        _, relation = access.get_referral_or_404(referral.id, admin)
    assert relation is access.Relation.BREAK_GLASS
    reasons = db.session.scalars(
        sa.select(AuditEntry.reason).where(AuditEntry.action == AuditAction.BREAK_GLASS)
    ).all()
    assert reasons == ["Borgeren har klaget; sag 2026-114"]


def test_the_audit_trail_cannot_be_changed(make_referral, offer, gp) -> None:
    make_referral(offer, gp)
    entry = db.session.scalars(sa.select(AuditEntry)).first()
    entry.reason = "rettet"
    with pytest.raises(AuditTamperError):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(sa.exc.DatabaseError):
        db.session.execute(sa.text("DELETE FROM audit_entry"))
    db.session.rollback()


def test_purge_deletes_personal_data_on_time_and_only_once(app, make_referral, offer, gp, member):
    closed = make_referral(offer, gp, name="Lukket")
    change_status(
        closed,
        member,
        ReferralStatus.DECLINED,
        expected_version=closed.version,
        message="Vi har ikke plads.",
    )
    never_closed = make_referral(offer, gp, name="Åben")
    db.session.commit()
    now = utcnow()

    assert retention.purge_expired(now + dt.timedelta(days=89)) == 0
    assert retention.purge_expired(now + dt.timedelta(days=91)) == 1
    db.session.commit()
    assert closed.citizen_name is None and closed.decline_message is None
    assert closed.status is ReferralStatus.DECLINED and closed.municipality_code == "787"
    assert _raw("citizen_name", closed.id) is None
    assert never_closed.citizen_name == "Åben"

    assert retention.purge_expired(now + dt.timedelta(days=181)) == 1
    assert retention.purge_expired(now + dt.timedelta(days=400)) == 0
    db.session.commit()
    purges = db.session.scalar(
        sa.select(sa.func.count()).where(AuditEntry.action == AuditAction.PURGE)
    )
    assert purges == 2


def test_unanswered_referrals_are_flagged_once_to_both_sides(make_referral, offer, gp, member):
    referral = make_referral(offer, gp)
    later = utcnow() + dt.timedelta(days=8)

    assert retention.flag_unanswered(utcnow() + dt.timedelta(days=6)) == 0
    assert retention.flag_unanswered(later) == 1
    assert retention.flag_unanswered(later) == 0
    db.session.commit()
    recipients = db.session.scalars(
        sa.select(MailMessage.to_address).where(MailMessage.template == "referral_waiting")
    ).all()
    assert sorted(recipients) == ["frivillig@example.org", "laege@example.org"]
    assert referral.flagged_at is not None


def test_access_request_and_erasure(make_referral, offer, gp, member, make_user) -> None:
    referral = make_referral(offer, gp, email="anne@example.org")
    make_referral(offer, gp, name="Bente Hansen", phone="87654321")
    access.get_referral_or_404(referral.id, member)
    admin = make_user(email="admin@example.org", is_admin=True)

    found = retention.find_citizen("Anne Hansen", None, "ANNE@example.org ")
    assert [r.id for r in found] == [referral.id]
    report = retention.access_report(found, admin, "Indsigtsanmodning 2026-7")
    trail = report["trail"][referral.id]
    assert {line.action for line in trail} >= {AuditAction.CREATE, AuditAction.VIEW}
    assert all("Frivillig" not in line.who and "Jensen" not in line.who for line in trail)

    retention.erase(referral, admin, "Sletteanmodning 2026-8")
    db.session.commit()
    assert referral.citizen_name is None and referral.citizen_email is None
    assert retention.find_citizen("Anne Hansen", None, "anne@example.org") == []
    tombstone = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == AuditAction.ERASURE)
    ).one()
    assert tombstone.referral_id == referral.id
