"""The admins' list of organisations: search, members, verification."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal.extensions import db
from portal.organizations.models import Organization
from tests.organizations.conftest import text


@pytest.fixture
def admin(make_user):
    return make_user(email="admin@example.org", is_admin=True)


def test_search_by_name_or_cvr(client, login, make_organization, admin) -> None:
    make_organization(name="Strikkeklubben Thy", cvr="13585628")
    make_organization(name="Gåklubben Vejle")
    make_organization(name="100% Fællesskab")
    login(admin)

    by_name = text(client.get("/admin/foreninger?q=strikke"))
    by_cvr = text(client.get("/admin/foreninger?q=1358 5628"))
    by_percent = text(client.get("/admin/foreninger?q=100%25"))
    everyone = text(client.get("/admin/foreninger"))

    assert "Strikkeklubben Thy" in by_name and "Gåklubben Vejle" not in by_name
    assert "Strikkeklubben Thy" in by_cvr and "Gåklubben Vejle" not in by_cvr
    assert "100% Fællesskab" in by_percent and "Gåklubben" not in by_percent
    assert all(name in everyone for name in ("Strikkeklubben", "Gåklubben", "100%"))
    assert "3 foreninger" in everyone


def test_member_counts_and_pages(client, login, make_organization, make_user, admin) -> None:
    for number in range(30):
        make_organization(name=f"Forening {number:02d}")
    busy = db.session.scalars(
        sa.select(Organization).where(Organization.name == "Forening 00")
    ).one()
    make_user(organization=busy)
    make_user(organization=busy)
    login(admin)

    first = text(client.get("/admin/foreninger"))
    second = text(client.get("/admin/foreninger?page=2"))
    beyond = client.get("/admin/foreninger?page=abc")

    assert "Forening 00" in first and "Forening 24" in first and "Forening 25" not in first
    assert "Forening 25" in second and "Forening 29" in second and "Forening 00" not in second
    assert "2 medlemmer" in first
    assert "Side 1 af 2" in first and "Side 2 af 2" in second
    assert beyond.status_code == 200


def test_the_list_takes_a_constant_number_of_queries(
    client, login, make_organization, make_user, admin, count_queries
) -> None:
    login(admin)

    def queries() -> int:
        with count_queries() as statements:
            assert client.get("/admin/foreninger").status_code == 200
        return len(statements)

    make_user(organization=make_organization(name="Første"))
    few = queries()
    for number in range(20):
        make_user(organization=make_organization(name=f"Forening {number}", cvr="13585628"))
    assert queries() == few


def test_admin_verifies_and_unverifies(client, login, make_organization, post, admin) -> None:
    organization = make_organization(name="Strikkeklubben Thy")
    login(admin)

    response = post(
        client,
        f"/admin/foreninger/{organization.id}/verificering",
        {"verified": "1", "q": "strik", "page": "1"},
    )

    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/foreninger?q=strik"
    db.session.refresh(organization)
    assert organization.is_verified is True
    page = text(client.get("/admin/foreninger"))
    assert "Strikkeklubben Thy er nu verificeret." in page
    assert "Fjern verificering" in page

    post(client, f"/admin/foreninger/{organization.id}/verificering", {"verified": "0"})
    db.session.refresh(organization)
    assert organization.is_verified is False


def test_only_admins_see_the_list_or_verify(
    client, login, make_organization, make_user, post
) -> None:
    organization = make_organization(name="Strikkeklubben Thy")
    owner = make_user(organization=organization)
    for person in (owner, make_user(is_editor=True)):
        login(person)
        assert client.get("/admin/foreninger").status_code == 404
        verify = post(
            client, f"/admin/foreninger/{organization.id}/verificering", {"verified": "1"}
        )
        assert verify.status_code == 404
    db.session.refresh(organization)
    assert organization.is_verified is False


def test_verifying_an_unknown_organisation_is_not_found(client, login, post, admin) -> None:
    login(admin)
    for organization_id in ("00000000-0000-0000-0000-000000000000", "nej"):
        response = post(
            client, f"/admin/foreninger/{organization_id}/verificering", {"verified": "1"}
        )
        assert response.status_code == 404
