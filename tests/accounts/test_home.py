"""Where a signed-in user lands: the work that is theirs.

The targets belong to moderation and organisations, which must be installed
for these to pass.
"""

from __future__ import annotations

from flask import current_app
from flask import url_for as flask_url_for

from portal.accounts.models import MemberRole


def url_for(endpoint: str, **values) -> str:
    """Return the path of an endpoint, as the redirects give it."""
    with current_app.test_request_context():
        return flask_url_for(endpoint, **values)


def test_visitors_are_asked_to_sign_in(client) -> None:
    response = client.get("/min-side")

    assert response.status_code == 302
    assert response.location.startswith("/log-ind?next=")


def test_admins_land_on_the_admin_overview(client, make_user, login) -> None:
    login(make_user(is_admin=True))

    response = client.get("/min-side")

    assert response.location == url_for("moderation.admin_home")


def test_a_member_of_one_association_lands_on_its_dashboard(
    client, make_user, make_organization, login
) -> None:
    organization = make_organization()
    login(make_user(organization=organization, role=MemberRole.EDITOR))

    response = client.get("/min-side")

    assert response.location == url_for("organizations.dashboard", organization_id=organization.id)


def test_a_member_of_several_associations_chooses_among_them(
    client, make_user, make_organization, login
) -> None:
    from portal.accounts.models import Membership
    from portal.extensions import db

    user = make_user(organization=make_organization(name="Første forening"))
    db.session.add(Membership(user=user, organization_id=make_organization(name="Anden").id))
    db.session.commit()
    login(user)

    response = client.get("/min-side")

    assert response.location == url_for("organizations.mine")


def test_someone_without_an_association_is_offered_to_create_one(client, make_user, login) -> None:
    login(make_user())

    response = client.get("/min-side")

    assert response.location == url_for("organizations.new")


def test_signing_in_leads_to_the_overview(client, make_user) -> None:
    from tests.conftest import TEST_PASSWORD
    from tests.helpers import post_from_page

    user = make_user(is_admin=True)
    response = post_from_page(client, "/log-ind", {"email": user.email, "password": TEST_PASSWORD})

    assert client.get(response.location).location == url_for("moderation.admin_home")


def test_a_knowledge_centre_editor_without_an_association_lands_in_the_editor(
    client, make_user, login
) -> None:
    login(make_user(is_editor=True))

    response = client.get("/min-side")

    assert response.location == url_for("knowledge_editor.list")
