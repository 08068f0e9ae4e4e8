"""Who may open and post to each association page.

Outsiders get 404, as if the organisation did not exist, and the page shows
nothing of it; visitors are sent to sign in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from portal.accounts.models import Invitation, MemberRole
from portal.extensions import db
from portal.organizations.models import ClaimRequest
from tests.organizations.conftest import text

ROLES = ("visitor", "outsider", "editor", "owner", "admin")


@dataclass
class World:
    organization: Any
    unmanaged: Any
    claim: Any
    people: dict[str, Any]


@pytest.fixture
def world(make_organization, make_user, app) -> World:
    organization = make_organization(name="Hemmelig Forening Thy")
    elsewhere = make_organization(name="Anden forening")
    unmanaged = make_organization(name="Forening uden medlemmer")
    people = {
        "visitor": None,
        "outsider": make_user(organization=elsewhere),
        "editor": make_user(organization=organization, role=MemberRole.EDITOR),
        "owner": make_user(organization=organization),
        "admin": make_user(is_admin=True),
    }
    claim = ClaimRequest(
        organization_id=unmanaged.id, user_id=make_user().id, message="Jeg er kasserer"
    )
    db.session.add(claim)
    db.session.commit()
    return World(organization, unmanaged, claim, people)


def sign_in(client, login, world: World, role: str) -> None:
    person = world.people[role]
    if person is None:
        with client.session_transaction() as session:
            session.clear()
    else:
        login(person)


# Expected status per role: visitor, outsider, editor, owner, admin.
GET_PAGES = {
    "/forening/ny": (302, 200, 200, 200, 200),
    "/mine-foreninger": (302, 200, 200, 200, 200),
    "/forening/{org}": (302, 404, 200, 200, 200),
    "/forening/{org}/profil": (302, 404, 404, 200, 200),
    "/forening/{org}/medlemmer": (302, 404, 200, 200, 200),
    "/forening/{unmanaged}/overtag": (302, 200, 200, 200, 200),
    "/admin/foreninger": (302, 404, 404, 404, 200),
}


@pytest.mark.parametrize("path", GET_PAGES)
@pytest.mark.parametrize("role", ROLES)
def test_pages(client, login, world: World, path: str, role: str) -> None:
    sign_in(client, login, world, role)
    url = path.format(org=world.organization.id, unmanaged=world.unmanaged.id)

    response = client.get(url)

    assert response.status_code == GET_PAGES[path][ROLES.index(role)]
    if response.status_code == 302:
        assert "next=" in response.headers["Location"]
    if response.status_code == 404:
        assert "Hemmelig Forening" not in text(response)


def profile(world: World) -> dict[str, str]:
    return {
        "name": "Overtaget",
        "description": "",
        "version": str(world.organization.version),
    }


POSTS = {
    "edit": ("/forening/{org}/profil", (302, 404, 404, 302, 302)),
    "invite": ("/forening/{org}/medlemmer", (302, 404, 404, 302, 302)),
    "verify": ("/admin/foreninger/{org}/verificering", (302, 404, 404, 404, 302)),
    "decide": ("/admin/overtagelser/{claim}", (302, 404, 404, 404, 302)),
}


def form_for(action: str, world: World) -> dict[str, str]:
    return {
        "edit": profile(world),
        "invite": {"action": "invite", "invite-email": "ny@example.org", "invite-role": "owner"},
        "verify": {"verified": "1"},
        "decide": {f"claim-{world.claim.id}-approve": "Godkend"},
    }[action]


@pytest.mark.parametrize("action", POSTS)
@pytest.mark.parametrize("role", ROLES)
def test_posts(client, login, post, world: World, action: str, role: str) -> None:
    sign_in(client, login, world, role)
    path, expected = POSTS[action]
    url = path.format(org=world.organization.id, claim=world.claim.id)

    response = post(client, url, form_for(action, world))

    assert response.status_code == expected[ROLES.index(role)]
    db.session.expire_all()
    changed = {
        "edit": world.organization.name == "Overtaget",
        "invite": bool(db.session.scalars(sa.select(Invitation)).all()),
        "verify": world.organization.is_verified,
        "decide": world.claim.status.value != "pending",
    }[action]
    assert changed is (response.status_code == 302 and role != "visitor")


def test_unknown_and_malformed_ids_are_not_found(client, login, world: World) -> None:
    login(world.people["admin"])
    for path in (
        "/forening/00000000-0000-0000-0000-000000000000",
        "/forening/ikke-et-id/profil",
        "/forening/1/medlemmer",
    ):
        assert client.get(path).status_code == 404, path
