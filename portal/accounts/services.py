"""Account changes: sign-up, confirming addresses, sign-in with throttling, passwords, roles.

Functions here take the session and everything they need as arguments, add
and flush, queue mail in the same transaction, and never commit.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import gettext as _

from portal.accounts import tokens
from portal.accounts.models import User
from portal.accounts.passwords import hash_password, needs_rehash, verify_password
from portal.accounts.sessions import end_all_sessions
from portal.mail.models import MailMessage
from portal.mail.services import queue_mail
from portal.urls import public_url_for

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
FIRST_BLOCK = dt.timedelta(minutes=1)
LONGEST_BLOCK = dt.timedelta(minutes=15)
# One address gets at most one link of a kind per window, however many
# addresses (IPs) ask, so nobody can flood someone else's inbox.
MAIL_COOLDOWN = dt.timedelta(minutes=1)


class AccountError(Exception):
    """A request about an account that cannot be carried out; the message says why."""


class EmailTakenError(AccountError):
    """The address already belongs to another account."""


class LoginOutcome(enum.Enum):
    """How a sign-in attempt ended."""

    SIGNED_IN = "signed_in"
    WRONG = "wrong"
    BLOCKED = "blocked"
    UNVERIFIED = "unverified"
    DISABLED = "disabled"


@dataclass(frozen=True)
class LoginResult:
    """A sign-in attempt's outcome, the user if the password was right, and any wait."""

    outcome: LoginOutcome
    user: User | None = None
    wait: dt.timedelta | None = None


def normalise_email(value: str | None) -> str:
    """Return the address as it is stored: without surrounding space, in lower case."""
    return (value or "").strip().lower()


def find_user(session: so.Session, email: str) -> User | None:
    """Return the account with this address, if any."""
    return session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _recently_mailed(session: so.Session, to: str, template: str, now: dt.datetime) -> bool:
    """Return whether the address got a mail of this kind within the cooldown."""
    return bool(
        session.scalar(
            sa.select(sa.func.count())
            .select_from(MailMessage)
            .where(
                MailMessage.to_address == to,
                MailMessage.template == template,
                MailMessage.created_at > now - MAIL_COOLDOWN,
            )
        )
    )


def _reset_link(user: User) -> str:
    """Return the absolute link for choosing a new password."""
    return public_url_for("accounts.reset_password", token=tokens.make_reset_token(user))


def send_verification(user: User, next_path: str | None = None) -> None:
    """Queue a mail with a link that confirms the account's address.

    ``next_path`` (a path on the site, e.g. an invitation) is where the person
    goes after confirming and signing in.
    """
    link = public_url_for(
        "accounts.verify_email",
        token=tokens.make_verify_token(user, user.email),
        **({"next": next_path} if next_path else {}),
    )
    queue_mail(user.email, _("Bekræft din e-mailadresse"), "account_verify", link=link)


def sign_up(
    session: so.Session,
    name: str,
    email: str,
    password: str,
    now: dt.datetime,
    next_path: str | None = None,
) -> User | None:
    """Create an unconfirmed account and mail a link, or tell the owner of a known address.

    Both cases look the same to the visitor, so the form cannot be used to find
    out who has an account.
    """
    # Hash in both cases, so that a known address takes as long to answer.
    password_hash = hash_password(password)
    existing = find_user(session, email)
    if existing is not None:
        if not existing.is_disabled and not _recently_mailed(
            session, existing.email, "account_exists", now
        ):
            queue_mail(
                existing.email,
                _("Der findes allerede en konto med din e-mailadresse"),
                "account_exists",
                reset_link=_reset_link(existing),
                login_link=public_url_for(
                    "accounts.login", **({"next": next_path} if next_path else {})
                ),
            )
        return None
    user = User(email=email, name=name, password_hash=password_hash, password_changed_at=now)
    session.add(user)
    session.flush()
    send_verification(user, next_path)
    logger.info("account created id=%s", user.id)
    return user


def resend_verification(session: so.Session, email: str, now: dt.datetime) -> None:
    """Mail a new confirmation link if an unconfirmed account has the address; else nothing."""
    user = find_user(session, email)
    if user is None or user.is_verified or user.is_disabled:
        return
    if not _recently_mailed(session, user.email, "account_verify", now):
        send_verification(user)


def email_token_user(
    session: so.Session, token: str, max_age: int = tokens.VERIFY_MAX_AGE
) -> tuple[User, tokens.EmailToken]:
    """Return the account and request of a confirmation link that can still be used.

    Raises TokenError when the link is forged, too old or already used, and
    EmailTakenError when a new address has meanwhile gone to another account.
    """
    data = tokens.read_verify_token(token, max_age)
    user = session.get(User, data.user_id)
    if user is None or user.is_disabled:
        raise tokens.TokenError()
    if data.purpose == tokens.SIGNUP:
        if user.is_verified or user.email != data.email:
            raise tokens.TokenError()
    elif data.purpose == tokens.CHANGE:
        if user.email != data.previous_email or user.email == data.email:
            raise tokens.TokenError()
        if find_user(session, data.email) is not None:
            raise EmailTakenError(_("Adressen bruges allerede af en anden konto."))
    else:
        raise tokens.TokenError()
    return user, data


def confirm_email(
    session: so.Session, token: str, now: dt.datetime, max_age: int = tokens.VERIFY_MAX_AGE
) -> tuple[User, str]:
    """Confirm the address a link was sent to; return the account and the link's purpose."""
    user, data = email_token_user(session, token, max_age)
    if data.purpose == tokens.CHANGE:
        old_address = user.email
        user.email = data.email
        queue_mail(
            old_address,
            _("Din e-mailadresse er ændret"),
            "account_email_changed",
            user=user,
            reset_link=public_url_for("accounts.forgot_password"),
        )
        logger.info("account email changed id=%s", user.id)
    user.email_verified_at = now
    session.flush()
    return user, data.purpose


def authenticate(session: so.Session, email: str, password: str, now: dt.datetime) -> LoginResult:
    """Check a sign-in attempt, count failures and block the account for a while after many."""
    user = find_user(session, email)
    if user is not None and user.login_blocked_until and user.login_blocked_until > now:
        return LoginResult(LoginOutcome.BLOCKED, wait=user.login_blocked_until - now)
    if user is None:
        # Compared against a dummy hash, so an unknown address takes as long.
        verify_password(None, password)
        return LoginResult(LoginOutcome.WRONG)
    if not verify_password(user.password_hash, password):
        return _record_failure(user, now)
    user.failed_login_count = 0
    user.login_blocked_until = None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    if user.is_disabled:
        return LoginResult(LoginOutcome.DISABLED)
    if not user.is_verified:
        return LoginResult(LoginOutcome.UNVERIFIED, user=user)
    return LoginResult(LoginOutcome.SIGNED_IN, user=user)


def _record_failure(user: User, now: dt.datetime) -> LoginResult:
    """Count a failed sign-in and block the account after too many."""
    user.failed_login_count += 1
    beyond = user.failed_login_count - MAX_FAILURES
    if beyond < 0:
        return LoginResult(LoginOutcome.WRONG)
    # 1, 2, 4, 8 and then 15 minutes: slow enough for guessing, never permanent.
    block = min(FIRST_BLOCK * 2 ** min(beyond, 4), LONGEST_BLOCK)
    user.login_blocked_until = now + block
    logger.info("sign-in blocked id=%s minutes=%s", user.id, block.seconds // 60)
    return LoginResult(LoginOutcome.BLOCKED, wait=block)


def set_password(user: User, password: str, now: dt.datetime) -> None:
    """Store a new password for the user."""
    user.password_hash = hash_password(password)
    user.password_changed_at = now


def request_password_reset(session: so.Session, email: str, now: dt.datetime) -> None:
    """Mail a reset link if an account has the address; otherwise do nothing, silently."""
    user = find_user(session, email)
    if user is None or user.is_disabled:
        return
    if _recently_mailed(session, user.email, "account_reset", now):
        return
    queue_mail(
        user.email,
        _("Vælg en ny adgangskode"),
        "account_reset",
        user=user,
        link=_reset_link(user),
    )


def reset_token_user(session: so.Session, token: str, max_age: int = tokens.RESET_MAX_AGE) -> User:
    """Return the account a reset link is for; raise TokenError if it cannot be used."""
    data = tokens.read_reset_token(token, max_age)
    user = session.get(User, data.user_id)
    if (
        user is None
        or user.is_disabled
        or tokens.password_fingerprint(user.password_hash) != data.fingerprint
    ):
        raise tokens.TokenError()
    return user


def reset_password(user: User, password: str, now: dt.datetime) -> None:
    """Set the new password from a reset link and end every session of the account."""
    set_password(user, password, now)
    # The link reached the inbox, which is what confirming the address proves.
    if not user.is_verified:
        user.email_verified_at = now
    user.failed_login_count = 0
    user.login_blocked_until = None
    end_all_sessions(user)
    _notify_password_changed(user)


def change_password(user: User, current: str, new: str, now: dt.datetime) -> bool:
    """Change the password if ``current`` is right and end the account's sessions."""
    if not verify_password(user.password_hash, current):
        return False
    set_password(user, new, now)
    end_all_sessions(user)
    _notify_password_changed(user)
    return True


def _notify_password_changed(user: User) -> None:
    """Tell the account's address that its password changed."""
    queue_mail(
        user.email,
        _("Din adgangskode er ændret"),
        "account_password_changed",
        user=user,
        reset_link=public_url_for("accounts.forgot_password"),
    )


def change_name(user: User, name: str) -> None:
    """Change the name shown for the account."""
    user.name = name


def request_email_change(session: so.Session, user: User, new_email: str, password: str) -> bool:
    """Mail a confirmation link to a new address if ``password`` is right; the change waits.

    If the address already has an account, its owner is told instead, and the
    person asking sees the same answer as always.
    """
    if not verify_password(user.password_hash, password):
        return False
    if find_user(session, new_email) is not None:
        queue_mail(
            new_email,
            _("Nogen forsøgte at bruge din e-mailadresse"),
            "account_email_taken",
            login_link=public_url_for("accounts.login"),
        )
        return True
    token = tokens.make_verify_token(user, new_email, purpose=tokens.CHANGE)
    queue_mail(
        new_email,
        _("Bekræft din nye e-mailadresse"),
        "account_verify_new_email",
        link=public_url_for("accounts.verify_email", token=token),
    )
    return True


def create_admin(
    session: so.Session, email: str, name: str, password: str, now: dt.datetime
) -> User:
    """Create a confirmed admin account; refuse an address that already has an account."""
    email = normalise_email(email)
    if find_user(session, email) is not None:
        raise AccountError(f"An account with the address {email} already exists.")
    user = User(
        email=email,
        name=name,
        password_hash=hash_password(password),
        password_changed_at=now,
        email_verified_at=now,
        is_admin=True,
    )
    session.add(user)
    session.flush()
    logger.info("admin account created id=%s", user.id)
    return user


ROLES = ("admin", "editor")


def set_role(session: so.Session, email: str, role: str, granted: bool) -> User:
    """Give or take away the admin or knowledge-centre editor role of an account."""
    if role not in ROLES:
        raise AccountError(f"Unknown role {role!r}; choose admin or editor.")
    user = find_user(session, email)
    if user is None:
        raise AccountError(f"No account has the address {normalise_email(email)}.")
    setattr(user, f"is_{role}", granted)
    session.flush()
    logger.info("role %s %s id=%s", role, "granted" if granted else "revoked", user.id)
    return user
