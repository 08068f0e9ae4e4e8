"""Command line: the first admin, roles, and the demo accounts."""

from __future__ import annotations

import sqlalchemy as sa
from flask.testing import FlaskCliRunner

from portal.accounts.demo import ADMIN, DEMO_PASSWORD, EDITOR, NEW_OWNER, OWNER
from portal.accounts.models import MemberRole, Membership, User
from portal.accounts.passwords import verify_password
from portal.accounts.services import find_user
from portal.extensions import db
from portal.organizations.models import Organization
from portal.referrals.demo import GP
from tests.conftest import TEST_PASSWORD
from tests.helpers import post_from_page

CREATE = ["admin", "create", "--email", " Admin@Kommune.example ", "--name", "Anne Admin"]


def _count_users() -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(User))


def test_a_fresh_database_has_no_accounts(app) -> None:
    assert _count_users() == 0


def test_create_admin_with_the_password_from_the_environment(runner, client, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", TEST_PASSWORD)

    result = runner.invoke(args=CREATE)

    assert result.exit_code == 0, result.output
    assert "Created the admin account admin@kommune.example" in result.output
    assert TEST_PASSWORD not in result.output
    user = find_user(db.session, "admin@kommune.example")
    assert user.is_admin and user.is_verified and not user.is_demo
    assert user.name == "Anne Admin"
    assert verify_password(user.password_hash, TEST_PASSWORD)
    response = post_from_page(
        client, "/log-ind", {"email": "admin@kommune.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


def test_create_admin_asks_twice_for_a_hidden_password(runner, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_ADMIN_PASSWORD", raising=False)

    result = runner.invoke(args=CREATE, input=f"{TEST_PASSWORD}\n{TEST_PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert TEST_PASSWORD not in result.output
    assert find_user(db.session, "admin@kommune.example").is_admin


def test_create_admin_refuses_two_different_passwords(runner, monkeypatch) -> None:
    monkeypatch.delenv("PORTAL_ADMIN_PASSWORD", raising=False)

    result = runner.invoke(args=CREATE, input=f"{TEST_PASSWORD}\nnoget andet her\n")

    assert result.exit_code != 0
    assert "do not match" in result.output
    assert _count_users() == 0


def test_create_admin_enforces_the_password_policy(runner, monkeypatch) -> None:
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", "sommer2024")

    result = runner.invoke(args=CREATE)

    assert result.exit_code == 1
    assert "The password is refused" in result.output
    assert "Adgangskoden er for let at gætte." in result.output
    assert _count_users() == 0


def test_create_admin_refuses_an_existing_address(runner, make_user, monkeypatch) -> None:
    make_user(email="admin@kommune.example", name="Someone")
    monkeypatch.setenv("PORTAL_ADMIN_PASSWORD", TEST_PASSWORD)

    result = runner.invoke(args=CREATE)

    assert result.exit_code == 1
    assert "already exists" in result.output
    assert "portal admin grant" in result.output
    assert _count_users() == 1
    assert not find_user(db.session, "admin@kommune.example").is_admin


def test_grant_and_revoke_roles(runner, make_user) -> None:
    user = make_user(email="redaktoer@kommune.example")

    granted = runner.invoke(
        args=["admin", "grant", "--email", "Redaktoer@kommune.example", "--role", "editor"]
    )
    assert granted.exit_code == 0, granted.output
    assert "redaktoer@kommune.example is now an editor" in granted.output
    db.session.expire_all()
    assert user.is_editor and not user.is_admin

    runner.invoke(args=["admin", "grant", "--email", user.email, "--role", "admin"])
    revoked = runner.invoke(args=["admin", "revoke", "--email", user.email, "--role", "editor"])

    assert revoked.exit_code == 0, revoked.output
    assert "is no longer an editor" in revoked.output
    db.session.expire_all()
    assert user.is_admin and not user.is_editor


def test_grant_to_an_unknown_address_fails_clearly(runner) -> None:
    result = runner.invoke(args=["admin", "grant", "--email", "ingen@x.example", "--role", "admin"])

    assert result.exit_code == 1
    assert "No account has the address ingen@x.example" in result.output


def test_grant_refuses_an_unknown_role(runner, make_user) -> None:
    user = make_user()

    result = runner.invoke(args=["admin", "grant", "--email", user.email, "--role", "owner"])

    assert result.exit_code == 2
    assert not user.is_admin


def _demo_accounts() -> dict[str, User]:
    db.session.expire_all()
    users = db.session.scalars(sa.select(User).where(User.is_demo.is_(True)))
    return {user.email: user for user in users}


def _assert_demo_accounts_work() -> None:
    accounts = _demo_accounts()
    assert set(accounts) == {ADMIN, EDITOR, OWNER, NEW_OWNER, GP}
    for user in accounts.values():
        assert user.is_verified
        assert verify_password(user.password_hash, DEMO_PASSWORD)
    assert accounts[ADMIN].is_admin
    assert accounts[EDITOR].is_editor and not accounts[EDITOR].is_admin
    [owned] = accounts[OWNER].memberships
    assert owned.role is MemberRole.OWNER
    assert owned.organization.is_verified and owned.organization.is_demo
    assert owned.organization.services
    [new] = accounts[NEW_OWNER].memberships
    assert new.role is MemberRole.OWNER
    assert not new.organization.is_verified and new.organization.is_demo


def test_seed_demo_creates_one_account_of_each_kind(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["seed-demo", "--count", "40"])

    assert result.exit_code == 0, result.output
    assert f"Demo accounts (password: {DEMO_PASSWORD})" in result.output
    assert ADMIN in result.output
    _assert_demo_accounts_work()


def test_seed_demo_twice_keeps_one_set_of_demo_accounts(runner: FlaskCliRunner) -> None:
    runner.invoke(args=["seed-demo", "--count", "30"])
    first = {email: user.id for email, user in _demo_accounts().items()}

    result = runner.invoke(args=["seed-demo", "--count", "30", "--seed", "7"])

    assert result.exit_code == 0, result.output
    assert {email: user.id for email, user in _demo_accounts().items()} == first
    _assert_demo_accounts_work()
    memberships = db.session.scalar(sa.select(sa.func.count()).select_from(Membership))
    assert memberships == 2
    new_orgs = db.session.scalar(
        sa.select(sa.func.count()).where(Organization.name == "Nyt Fællesskab i Thisted")
    )
    assert new_orgs == 1


def test_demo_accounts_get_their_password_back(runner: FlaskCliRunner) -> None:
    from portal.accounts.passwords import hash_password

    runner.invoke(args=["seed-demo", "--count", "30"])
    admin = _demo_accounts()[ADMIN]
    admin.password_hash = hash_password("changed while trying the demo")
    admin.is_admin = False
    db.session.commit()

    runner.invoke(args=["seed-demo", "--count", "30"])

    _assert_demo_accounts_work()
