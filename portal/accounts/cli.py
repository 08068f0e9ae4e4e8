"""Command line for accounts: create the first admin, give and take away roles.

A fresh install has no accounts at all; the first admin is made here.
"""

from __future__ import annotations

import os

import click
from flask.cli import with_appcontext
from flask_babel import force_locale

from portal.accounts import services
from portal.accounts.policy import password_problems
from portal.db import utcnow

PASSWORD_VARIABLE = "PORTAL_ADMIN_PASSWORD"  # noqa: S105 (a variable name)


@click.group("admin")
def admin_group() -> None:
    """Create admin accounts and give or take away roles."""


def _password(email: str, name: str) -> str:
    """Return the new admin's password from the environment or a prompt, if it is good."""
    password = os.environ.get(PASSWORD_VARIABLE)
    if password is None:
        password = click.prompt(
            "Password", hide_input=True, confirmation_prompt=True, show_default=False
        )
    # The policy's messages are Danish, like everything the portal says.
    with force_locale("da"):
        problems = password_problems(password, email=email, name=name)
    if problems:
        raise click.ClickException("The password is refused: " + " ".join(problems))
    return password


@admin_group.command("create")
@click.option("--email", required=True, help="The admin's email address.")
@click.option("--name", required=True, help="The admin's name, as shown in the portal.")
@with_appcontext
def create(email: str, name: str) -> None:
    """Create a confirmed admin account (password from a prompt or PORTAL_ADMIN_PASSWORD)."""
    from portal.extensions import db

    email = services.normalise_email(email)
    name = name.strip()
    if not name:
        raise click.ClickException("The name must not be empty.")
    if services.find_user(db.session, email) is not None:
        raise click.ClickException(
            f"An account with the address {email} already exists; "
            "use `portal admin grant --email ... --role admin` to make it an admin."
        )
    password = _password(email, name)
    try:
        with db.transaction() as session:
            services.create_admin(session, email, name, password, utcnow())
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Created the admin account {email}. Sign in at /log-ind.")


ROLE_CHOICE = click.Choice(services.ROLES)


def _set_role(email: str, role: str, granted: bool) -> None:
    """Give or take away a role and say so."""
    from portal.extensions import db

    try:
        with db.transaction() as session:
            user = services.set_role(session, email, role, granted)
    except services.AccountError as error:
        raise click.ClickException(str(error)) from None
    verb = "is now" if granted else "is no longer"
    click.echo(f"{user.email} {verb} {'an admin' if role == 'admin' else 'an editor'}.")


@admin_group.command("grant")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--role", required=True, type=ROLE_CHOICE, help="admin or editor.")
@with_appcontext
def grant(email: str, role: str) -> None:
    """Make an account an admin or a knowledge-centre editor."""
    _set_role(email, role, granted=True)


@admin_group.command("revoke")
@click.option("--email", required=True, help="The account's email address.")
@click.option("--role", required=True, type=ROLE_CHOICE, help="admin or editor.")
@with_appcontext
def revoke(email: str, role: str) -> None:
    """Take the admin or knowledge-centre editor role away from an account."""
    _set_role(email, role, granted=False)


def seed_demo_accounts() -> None:
    """Create or refresh the demo accounts and list them (called after demo offers exist)."""
    from portal.accounts.demo import DEMO_PASSWORD, ensure_demo_accounts
    from portal.extensions import db
    from portal.referrals.demo import ensure_demo_referral_side

    with db.transaction() as session:
        accounts = ensure_demo_accounts(session, utcnow())
        secrets = dict(ensure_demo_referral_side(session, utcnow()))
    click.echo(f"Demo accounts (password: {DEMO_PASSWORD}):")
    for email, role in [*accounts, ("laege@demo.example", "verified GP (refers citizens)")]:
        secret = f"  authenticator key {secrets[email]}" if email in secrets else ""
        click.echo(f"  {email:28} {role}{secret}")
