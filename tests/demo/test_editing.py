"""Demo data passes the offer editor: a demo association can save what it was given."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.demo import OWNER, ensure_demo_accounts
from portal.accounts.models import User
from portal.demo.generator import generate_offers
from portal.demo.phones import demo_phone_number
from portal.extensions import db
from portal.models import Phone, Service, ServiceStatus
from portal.organizations.validators import clean_phone, international_phone
from tests.offers.test_editor import edit_url, error_summary, form_values

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _demo_numbers() -> list[str]:
    return list(
        db.session.scalars(
            sa.select(Phone.number).join(Service, Phone.service_id == Service.id).order_by(Phone.id)
        )
    )


def test_every_generated_phone_number_passes_the_editor(app) -> None:
    generate_offers(db.session.connection(), count=300, seed=17, now=NOW)
    db.session.commit()

    numbers = _demo_numbers()
    assert len(numbers) == 300
    for number in numbers:
        # Stored exactly as the editor would store it, so saving changes nothing.
        assert international_phone(clean_phone(number)) == number


def test_the_whole_demo_block_passes_the_editor(app) -> None:
    for last_two in range(100):
        number = demo_phone_number(last_two)

        assert international_phone(clean_phone(number)) == number


def test_the_demo_association_saves_its_offers_unchanged(app, client, login) -> None:
    generate_offers(db.session.connection(), count=60, seed=2026, now=NOW)
    db.session.commit()
    ensure_demo_accounts(db.session, NOW)
    db.session.commit()
    owner = db.session.scalar(sa.select(User).where(User.email == OWNER))
    offers = list(
        db.session.scalars(
            sa.select(Service)
            .where(
                Service.organization_id == owner.memberships[0].organization_id,
                Service.status == ServiceStatus.PUBLISHED,
            )
            .order_by(Service.name)
        )
    )
    assert offers, "the demo association has published offers"
    numbers = {offer.id: [phone.number for phone in offer.phones] for offer in offers}
    login(owner)

    for offer in offers:
        values = form_values(client.get(edit_url(offer.id)).get_data(as_text=True))
        values["action"] = "save"
        response = client.post(edit_url(offer.id), data=values)

        assert response.status_code == 302, error_summary(response)
    db.session.expire_all()
    assert {offer.id: [phone.number for phone in offer.phones] for offer in offers} == numbers
