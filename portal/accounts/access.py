"""Who may do what: one helper per entity, used by every view that touches it.

A visitor who may not see an object gets 404, as if it did not exist, so ids
cannot be probed.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from portal.accounts.models import MemberRole, User
from portal.db import db
from portal.offers.models import Service
from portal.offers.services import get_published_service
from portal.organizations.models import Organization

F = TypeVar("F", bound=Callable[..., Any])


def uuid_or_404(value: str | uuid.UUID | None) -> uuid.UUID:
    """Return an id from a URL or form as a UUID, or 404 if it is not one."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value)
    except (ValueError, TypeError, AttributeError):
        abort(404)


def can_manage_organization(user: User, organization_id: uuid.UUID, owner: bool = False) -> bool:
    """Return whether the user is an admin or a member (an owner, if asked) of the organisation."""
    if user.is_admin:
        return True
    role = user.role_in(organization_id)
    if owner:
        return role is MemberRole.OWNER
    return role is not None


def get_organization_or_404(
    organization_id: str | uuid.UUID, user: User, owner: bool = False
) -> Organization:
    """Return an organisation the user may manage (as an owner, if asked), else 404."""
    organization = db.session.get(Organization, uuid_or_404(organization_id))
    if organization is None or not can_manage_organization(user, organization.id, owner):
        abort(404)
    return organization


def get_service_for_editing_or_404(service_id: str | uuid.UUID, user: User) -> Service:
    """Return an offer the user may edit (admin or member of its organisation), else 404."""
    service = db.session.get(Service, uuid_or_404(service_id))
    if service is None or not can_manage_organization(user, service.organization_id):
        abort(404)
    return service


def get_published_service_or_404(service_id: str | uuid.UUID) -> Service:
    """Return a published offer with what its page shows, else 404."""
    service = get_published_service(db.session, uuid_or_404(service_id))
    if service is None:
        abort(404)
    return service


def admin_required(view: F) -> F:
    """Let only signed-in admins who passed the second factor through; others get 404.

    Admins can reach personal data (user accounts, and referrals by break glass),
    so every admin page asks for the authenticator code first.
    """
    from portal.twofactor.guard import second_factor_required

    guarded = second_factor_required(view)

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(404)
        return guarded(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def editor_required(view: F) -> F:
    """Let only signed-in knowledge-centre editors (or admins) through; others get 404."""

    @functools.wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not (current_user.is_editor or current_user.is_admin):
            abort(404)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
