"""Claiming a listing nobody manages, and the admins' decision."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.accounts.models import MemberRole, Membership
from portal.extensions import db
from portal.organizations.models import ClaimRequest, ClaimStatus
from tests.organizations.conftest import mails_to, text


@pytest.fixture
def listed(make_organization):
    """An organisation imported into the directory that nobody manages yet."""
    return make_organization(name="Søndagscafeen", cvr="13585628")


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", is_admin=True)


def claims() -> list[ClaimRequest]:
    return list(db.session.scalars(sa.select(ClaimRequest)))


def test_the_offer_page_invites_to_claim_only_when_nobody_manages_it(
    client, make_offer, make_organization, make_user
) -> None:
    unmanaged = make_offer(organization=make_organization(name="Uden medlemmer"))
    managed_organization = make_organization(name="Med medlemmer")
    make_user(organization=managed_organization)
    managed = make_offer(organization=managed_organization)

    unmanaged_page = text(client.get(f"/tilbud/{unmanaged.id}"))
    managed_page = text(client.get(f"/tilbud/{managed.id}"))

    assert "Er det jeres forening?" in unmanaged_page
    assert f'href="/forening/{unmanaged.organization_id}/overtag"' in unmanaged_page
    assert "Er det jeres forening?" not in managed_page


def test_a_claim_is_sent_to_the_admins(client, login, make_user, post, listed, admin) -> None:
    make_user(email="gammel-admin@example.org", is_admin=True, is_disabled=True)
    claimant = make_user(email="formand@example.org")
    login(claimant)

    page = client.get(f"/forening/{listed.id}/overtag")
    response = post(
        client, f"/forening/{listed.id}/overtag", {"message": "Jeg er formand for caféen."}
    )

    assert page.status_code == 200
    assert "Send ønsket" in text(page)
    assert response.status_code == 302
    [claim] = claims()
    assert (claim.user_id, claim.status) == (claimant.id, ClaimStatus.PENDING)
    assert claim.message == "Jeg er formand for caféen."
    [mail] = mails_to("admin@example.org")
    assert "Søndagscafeen" in mail.subject
    assert "/admin/foreninger" in mail.body_text
    assert mails_to("gammel-admin@example.org") == []
    after = text(client.get(f"/forening/{listed.id}/overtag"))
    assert "Du har bedt om at overtage foreningen" in after
    assert "Send ønsket" not in after


def test_one_pending_claim_per_person(client, login, make_user, post, listed, admin) -> None:
    login(make_user())

    post(client, f"/forening/{listed.id}/overtag", {"message": "Første gang"})
    post(client, f"/forening/{listed.id}/overtag", {"message": "Anden gang"})

    assert [claim.message for claim in claims()] == ["Første gang"]
    assert len(mails_to("admin@example.org")) == 1


def test_a_claim_needs_a_message(client, login, make_user, post, listed) -> None:
    login(make_user())

    response = post(client, f"/forening/{listed.id}/overtag", {"message": "  "})

    assert response.status_code == 422
    assert "Skriv kort, hvem du er i foreningen." in text(response)
    assert claims() == []


def test_an_organisation_with_members_cannot_be_claimed(
    client, login, make_user, post, listed
) -> None:
    make_user(organization=listed)
    login(make_user())

    page = client.get(f"/forening/{listed.id}/overtag")
    post(client, f"/forening/{listed.id}/overtag", {"message": "Må jeg?"})

    assert "Foreningen har allerede medlemmer" in text(page)
    assert claims() == []


def test_claiming_needs_a_confirmed_address_and_a_real_organisation(
    client, login, make_user, post, listed
) -> None:
    login(make_user(email_verified_at=None))
    assert post(client, f"/forening/{listed.id}/overtag", {"message": "Hej"}).status_code == 403
    login(make_user())
    assert client.get("/forening/00000000-0000-0000-0000-000000000000/overtag").status_code == 404
    assert client.get("/forening/ikke-et-id/overtag").status_code == 404
    assert claims() == []


def decide(client, post, claim, **fields):
    prefix = f"claim-{claim.id}-"
    data = {prefix + name: value for name, value in fields.items()}
    return post(client, f"/admin/overtagelser/{claim.id}", data)


def make_claim(make_user, listed, email="formand@example.org") -> ClaimRequest:
    claimant = make_user(email=email)
    claim = ClaimRequest(organization_id=listed.id, user_id=claimant.id, message="Formand")
    db.session.add(claim)
    db.session.commit()
    return claim


def test_admin_approves_and_the_claimant_becomes_owner(
    client, login, make_user, post, listed, admin
) -> None:
    claim = make_claim(make_user, listed)
    login(admin)

    listing = text(client.get("/admin/foreninger"))
    response = decide(client, post, claim, approve="Godkend")

    assert "Formand" in listing and "formand@example.org" in listing
    assert response.status_code == 302
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.APPROVED
    assert claim.decided_by_id == admin.id
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.organization_id == listed.id)
    )
    assert (membership.user_id, membership.role) == (claim.user_id, MemberRole.OWNER)
    [mail] = mails_to("formand@example.org")
    assert f"/forening/{listed.id}" in mail.body_text
    assert "Ingen ønsker venter." in text(client.get("/admin/foreninger"))


def test_a_rejection_needs_a_reason_which_is_mailed(
    client, login, make_user, post, listed, admin
) -> None:
    claim = make_claim(make_user, listed)
    login(admin)

    without = decide(client, post, claim, reject="Afvis", reason="")
    assert without.status_code == 422
    assert "Skriv en begrundelse for afvisningen." in text(without)
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.PENDING

    decide(client, post, claim, reject="Afvis", reason="Vi kunne ikke se din rolle.")

    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED
    assert claim.reason == "Vi kunne ikke se din rolle."
    [mail] = mails_to("formand@example.org")
    assert "Vi kunne ikke se din rolle." in mail.body_text
    assert db.session.scalars(sa.select(Membership)).all() == []


def test_a_claim_is_decided_once(client, login, make_user, post, listed, admin) -> None:
    claim = make_claim(make_user, listed)
    login(admin)
    decide(client, post, claim, reject="Afvis", reason="Nej")

    decide(client, post, claim, approve="Godkend")

    db.session.refresh(claim)
    assert claim.status is ClaimStatus.REJECTED
    assert db.session.scalars(sa.select(Membership)).all() == []


def test_only_admins_decide_claims(client, login, make_user, post, listed) -> None:
    claim = make_claim(make_user, listed)
    for person in (make_user(organization=listed), make_user()):
        login(person)
        assert decide(client, post, claim, approve="Godkend").status_code == 404
    db.session.refresh(claim)
    assert claim.status is ClaimStatus.PENDING
