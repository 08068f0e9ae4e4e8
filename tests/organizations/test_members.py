"""Members and invitations: invite, join, change roles, remove, and keep an owner."""

from __future__ import annotations

import re
import time

import pytest
import sqlalchemy as sa
from itsdangerous import URLSafeTimedSerializer

from portal.accounts.models import Invitation, MemberRole, Membership
from portal.extensions import db
from portal.organizations import services
from tests.organizations.conftest import mails_to, text


@pytest.fixture
def organization(make_organization):
    return make_organization(name="Fællesspisning Thy")


@pytest.fixture
def owner(make_user, organization):
    return make_user(email="ejer@example.org", organization=organization, name="Ejer Ejersen")


def members_path(organization) -> str:
    return f"/forening/{organization.id}/medlemmer"


def invite(client, post, organization, email="ny@example.org", role="editor"):
    return post(
        client,
        members_path(organization),
        {"action": "invite", "invite-email": email, "invite-role": role},
    )


def roles(organization) -> dict[str, MemberRole]:
    rows = db.session.execute(
        sa.select(Membership.user_id, Membership.role).where(
            Membership.organization_id == organization.id
        )
    )
    return {str(user_id): role for user_id, role in rows}


def invitation_link(address: str) -> str:
    [mail] = mails_to(address)
    match = re.search(r"http://[^\s]+/invitation/([^\s]+)", mail.body_text)
    assert match, mail.body_text
    return "/invitation/" + match.group(1)


def test_owner_invites_by_email_and_a_signed_link_is_mailed(
    client, login, post, organization, owner
) -> None:
    login(owner)

    response = invite(client, post, organization, email="Ny@Example.org", role="owner")

    assert response.status_code == 302
    [invitation] = db.session.scalars(sa.select(Invitation)).all()
    assert (invitation.email, invitation.role) == ("Ny@Example.org", MemberRole.OWNER)
    assert invitation.invited_by_id == owner.id
    [mail] = mails_to("Ny@Example.org")
    assert "Fællesspisning Thy" in mail.subject
    assert "Ejer Ejersen har inviteret dig" in mail.body_text
    assert "14 dage" in mail.body_text
    page = text(client.get(members_path(organization)))
    assert "Ny@Example.org" in page
    assert "Inviteret som ejer" in page


def test_inviting_again_replaces_the_earlier_link(client, login, post, organization, owner):
    login(owner)
    invite(client, post, organization)
    first = invitation_link("ny@example.org")

    invite(client, post, organization)

    invitations = db.session.scalars(sa.select(Invitation).order_by(Invitation.created_at)).all()
    assert [i.revoked_at is not None for i in invitations] == [True, False]
    assert client.get(first).status_code == 410


def test_bad_invitation_input_is_explained(client, login, post, organization, owner) -> None:
    login(owner)

    response = invite(client, post, organization, email="ikke en adresse")

    assert response.status_code == 422
    page = text(response)
    assert "Skriv en e-mailadresse" in page
    assert 'value="ikke en adresse"' in page
    assert db.session.scalars(sa.select(Invitation)).all() == []


def test_members_cannot_be_invited_twice(client, login, post, organization, owner) -> None:
    login(owner)

    response = invite(client, post, organization, email="EJER@example.org")

    assert response.status_code == 422
    assert "er allerede medlem" in text(response)


def test_the_invited_person_joins_with_a_button(
    client, login, make_user, post, organization, owner
) -> None:
    login(owner)
    invite(client, post, organization, email="ny@example.org", role="editor")
    link = invitation_link("ny@example.org")
    newcomer = make_user(email="NY@example.org")
    login(newcomer)

    page = client.get(link)
    assert page.status_code == 200
    assert "Bliv medlem af Fællesspisning Thy" in text(page)
    assert str(newcomer.id) not in roles(organization), "GET changes nothing"

    response = post(client, link)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/forening/{organization.id}"
    assert roles(organization)[str(newcomer.id)] is MemberRole.EDITOR
    # The link works once.
    assert client.get(link).status_code == 410
    assert "allerede brugt" in text(client.get(link))
    assert post(client, link).status_code == 410


def test_someone_signed_in_with_another_address_is_told_so(
    client, login, make_user, post, organization, owner
) -> None:
    login(owner)
    invite(client, post, organization, email="ny@example.org")
    link = invitation_link("ny@example.org")
    stranger = make_user(email="fremmed@example.org")
    login(stranger)

    page = client.get(link)
    response = post(client, link)

    assert page.status_code == 200
    assert "invitationen er sendt til en anden e-mailadresse" in text(page)
    assert "Bliv medlem" not in text(page)
    assert response.status_code == 403
    assert str(stranger.id) not in roles(organization)


def test_visitors_are_asked_to_sign_in_or_sign_up(client, login, post, organization, owner) -> None:
    login(owner)
    invite(client, post, organization)
    link = invitation_link("ny@example.org")
    with client.session_transaction() as session:
        session.clear()

    page = client.get(link)

    assert page.status_code == 200
    html = page.get_data(as_text=True)
    from flask import url_for

    with client.application.test_request_context():
        login_url = url_for("accounts.login", next=link)
        signup_url = url_for("accounts.signup", next=link)
    assert f'href="{login_url}"'.replace("&", "&amp;") in html
    assert f'href="{signup_url}"'.replace("&", "&amp;") in html
    assert client.get(login_url).status_code == 200
    assert client.get(signup_url).status_code == 200
    assert post(client, link).status_code == 403


def test_an_expired_invitation_is_refused(
    app, client, login, make_user, post, organization, owner, monkeypatch
) -> None:
    login(owner)
    invite(client, post, organization)
    [invitation] = db.session.scalars(sa.select(Invitation)).all()
    fifteen_days_ago = time.time() - 15 * 86400
    with monkeypatch.context() as clock:
        clock.setattr(time, "time", lambda: fifteen_days_ago)
        token = services.invitation_token(invitation)
    login(make_user(email="ny@example.org"))

    page = client.get(f"/invitation/{token}")
    response = post(client, f"/invitation/{token}")

    assert page.status_code == 410
    assert "Linket er udløbet" in text(page)
    assert response.status_code == 410
    assert len(roles(organization)) == 1


def test_a_tampered_or_foreign_token_is_not_found(app, client, organization, owner) -> None:
    with app.test_request_context():
        invitation = Invitation(organization=organization, email="x@example.org")
        db.session.add(invitation)
        db.session.commit()
        good = services.invitation_token(invitation)
    other_salt = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt="password-reset")

    assert client.get(f"/invitation/{good}x").status_code == 404
    assert client.get(f"/invitation/{other_salt.dumps(str(invitation.id))}").status_code == 404
    assert client.get(f"/invitation/{good}").status_code == 200


def test_a_revoked_invitation_stops_working(client, login, make_user, post, organization, owner):
    login(owner)
    invite(client, post, organization)
    link = invitation_link("ny@example.org")
    [invitation] = db.session.scalars(sa.select(Invitation)).all()

    post(client, members_path(organization), {"action": "revoke", "invitation_id": invitation.id})

    db.session.refresh(invitation)
    assert invitation.revoked_at is not None
    login(make_user(email="ny@example.org"))
    assert post(client, link).status_code == 410
    assert len(roles(organization)) == 1


def test_owner_changes_a_role_and_removes_a_member(
    client, login, make_user, post, organization, owner
) -> None:
    editor = make_user(organization=organization, role=MemberRole.EDITOR)
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == editor.id))
    login(owner)

    post(
        client,
        members_path(organization),
        {"action": "role", "member_id": membership.id, "role": "owner"},
    )
    assert roles(organization)[str(editor.id)] is MemberRole.OWNER

    response = post(
        client, members_path(organization), {"action": "remove", "member_id": membership.id}
    )
    assert response.status_code == 302
    assert str(editor.id) not in roles(organization)
    assert "Medlemmet er fjernet." in text(client.get(members_path(organization)))


def test_the_last_owner_can_be_neither_removed_nor_demoted(
    client, login, make_user, post, organization, owner
) -> None:
    make_user(organization=organization, role=MemberRole.EDITOR)
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == owner.id))
    login(owner)

    demote = post(
        client,
        members_path(organization),
        {"action": "role", "member_id": membership.id, "role": "editor"},
    )
    remove = post(
        client, members_path(organization), {"action": "remove", "member_id": membership.id}
    )

    assert roles(organization)[str(owner.id)] is MemberRole.OWNER
    assert demote.status_code == remove.status_code == 302
    page = text(client.get(members_path(organization)))
    assert "Foreningen skal have mindst én ejer." in page


def test_with_two_owners_one_may_leave(client, login, make_user, post, organization, owner):
    make_user(organization=organization, role=MemberRole.OWNER)
    membership = db.session.scalar(sa.select(Membership).where(Membership.user_id == owner.id))
    login(owner)

    response = post(
        client, members_path(organization), {"action": "remove", "member_id": membership.id}
    )

    assert response.headers["Location"] == "/mine-foreninger"
    assert str(owner.id) not in roles(organization)


def test_editors_see_the_members_but_cannot_change_anything(
    client, login, make_user, post, organization, owner
) -> None:
    editor = make_user(organization=organization, role=MemberRole.EDITOR)
    owner_membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == owner.id)
    )
    own = db.session.scalar(sa.select(Membership).where(Membership.user_id == editor.id))
    login(editor)

    page = client.get(members_path(organization))
    attempts = [
        invite(client, post, organization, role="owner"),
        post(
            client,
            members_path(organization),
            {"action": "role", "member_id": own.id, "role": "owner"},
        ),
        post(
            client,
            members_path(organization),
            {"action": "remove", "member_id": owner_membership.id},
        ),
    ]

    assert page.status_code == 200
    assert "Ejer Ejersen" in text(page)
    assert "Send invitation" not in text(page)
    assert [r.status_code for r in attempts] == [404, 404, 404]
    assert roles(organization)[str(editor.id)] is MemberRole.EDITOR
    assert str(owner.id) in roles(organization)
    assert db.session.scalars(sa.select(Invitation)).all() == []


def test_ids_of_another_organisation_are_not_found(
    client, login, make_user, make_organization, post, organization, owner
) -> None:
    elsewhere = make_organization(name="Anden forening")
    stranger = make_user(organization=elsewhere)
    their_membership = db.session.scalar(
        sa.select(Membership).where(Membership.user_id == stranger.id)
    )
    their_invitation = Invitation(organization=elsewhere, email="x@example.org")
    db.session.add(their_invitation)
    db.session.commit()
    login(owner)

    responses = [
        post(
            client,
            members_path(organization),
            {"action": "role", "member_id": their_membership.id, "role": "editor"},
        ),
        post(
            client,
            members_path(organization),
            {"action": "remove", "member_id": their_membership.id},
        ),
        post(
            client,
            members_path(organization),
            {"action": "revoke", "invitation_id": their_invitation.id},
        ),
        post(client, members_path(organization), {"action": "remove", "member_id": "nonsense"}),
    ]

    assert [r.status_code for r in responses] == [404, 404, 404, 404]
    assert roles(elsewhere) == {str(stranger.id): MemberRole.OWNER}
    db.session.refresh(their_invitation)
    assert their_invitation.revoked_at is None
    page = responses[0].get_data(as_text=True)
    assert "x@example.org" not in page and stranger.email not in page
