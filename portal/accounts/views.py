"""Account pages: sign-up, confirming the address, sign-in and out, passwords, settings."""

from __future__ import annotations

import datetime as dt

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from portal.accounts import services
from portal.accounts.forms import (
    ConfirmForm,
    EmailChangeForm,
    EmailOnlyForm,
    EndSessionsForm,
    LoginForm,
    NameForm,
    PasswordChangeForm,
    ResetPasswordForm,
    SignupForm,
)
from portal.accounts.models import User
from portal.accounts.services import LoginOutcome, LoginResult
from portal.accounts.sessions import end_session, leave_session, start_session
from portal.accounts.tokens import CHANGE, TokenError
from portal.db import utcnow
from portal.extensions import db, limiter
from portal.urls import safe_next

bp = Blueprint("accounts", __name__)

DEFAULT_LOGIN_LIMIT = "10 per minute; 100 per hour"
DEFAULT_MAIL_LIMIT = "5 per minute; 30 per hour"


def _login_limit() -> str:
    """Return the per-address limit on sign-in attempts."""
    return current_app.config.get("RATELIMIT_LOGIN") or DEFAULT_LOGIN_LIMIT


def _mail_limit() -> str:
    """Return the per-address limit on forms that send mail."""
    return current_app.config.get("RATELIMIT_ACCOUNT_MAIL") or DEFAULT_MAIL_LIMIT


def _check_inbox(kind: str, email: str) -> Response:
    """Remember what was mailed to whom and show the check-your-inbox page."""
    session["inbox"] = {"kind": kind, "email": email}
    return redirect(url_for("accounts.check_inbox"))


def _current_user() -> User:
    """Return the signed-in user itself, not the proxy."""
    return current_user._get_current_object()  # type: ignore[attr-defined,no-any-return]


@bp.route("/konto/opret", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def signup() -> Response | str:
    """Create an account; a known address gets the same answer and a mail to its owner."""
    if current_user.is_authenticated:
        return redirect(url_for("accounts.home"))
    form = SignupForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
    if form.validate_on_submit():
        services.sign_up(
            db.session,
            form.name.data,
            form.email.data,
            form.password.data,
            utcnow(),
            next_path=safe_next(form.next.data),
        )
        db.session.commit()
        return _check_inbox("signup", form.email.data)
    return render_template("accounts/signup.html", form=form)


@bp.get("/konto/tjek-din-indbakke")
def check_inbox() -> Response | str:
    """Say that a mail is on its way, and offer to send the confirmation link again."""
    inbox = session.get("inbox")
    if not isinstance(inbox, dict):
        return redirect(url_for("accounts.login"))
    resend_form = EmailOnlyForm(formdata=None, email=inbox.get("email", ""))
    return render_template(
        "accounts/check_inbox.html",
        kind=inbox.get("kind"),
        email=inbox.get("email", ""),
        resend_form=resend_form,
    )


def _link_problem(kind: str, expired: bool = False, message: str | None = None) -> tuple[str, int]:
    """Render the page for a link that is forged, too old or used."""
    form = EmailOnlyForm(formdata=None)
    page = render_template(
        "accounts/link_problem.html", kind=kind, expired=expired, message=message, form=form
    )
    return page, 400


@bp.route("/konto/bekraeft/<token>", methods=["GET", "POST"])
def verify_email(token: str) -> Response | str | tuple[str, int]:
    """Show a button that confirms the address; only pressing it (POST) changes anything.

    Mail scanners open links to check them, so opening the link must not use it.
    """
    try:
        _user, data = services.email_token_user(db.session, token)
    except TokenError as error:
        return _link_problem("verify", expired=error.expired)
    except services.EmailTakenError as error:
        return _link_problem("verify", message=str(error))
    next_path = safe_next(request.args.get("next"))
    form = ConfirmForm()
    if form.validate_on_submit():
        user, purpose = services.confirm_email(db.session, token, utcnow())
        db.session.commit()
        if purpose == CHANGE:
            flash(_("Din nye e-mailadresse er bekræftet."), "success")
            if current_user.is_authenticated and current_user.id == user.id:
                return redirect(url_for("accounts.settings"))
        else:
            flash(_("Din e-mailadresse er bekræftet. Du kan nu logge ind."), "success")
        return redirect(url_for("accounts.login", next=next_path))
    action = url_for("accounts.verify_email", token=token, next=next_path)
    return render_template("accounts/verify.html", form=form, purpose=data.purpose, action=action)


@bp.post("/konto/send-igen")
@limiter.limit(_mail_limit)
def resend_verification() -> Response | tuple[str, int]:
    """Send a new confirmation link; the answer is the same whether the address is known."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.resend_verification(db.session, form.email.data, utcnow())
        db.session.commit()
        return _check_inbox("verify", form.email.data)
    return render_template("accounts/resend.html", form=form), 400


def _wait_text(wait: dt.timedelta) -> str:
    """Return how long to wait, in whole minutes rounded up."""
    minutes = max(1, -(-int(wait.total_seconds()) // 60))
    return ngettext("%(num)s minut", "%(num)s minutter", minutes)


def _login_problem(result: LoginResult) -> str:
    """Return the message that explains a failed sign-in."""
    if result.outcome is LoginOutcome.BLOCKED and result.wait is not None:
        return _(
            "Der har været for mange forkerte forsøg. Vent %(wait)s, og prøv igen, "
            "eller vælg en ny adgangskode.",
            wait=_wait_text(result.wait),
        )
    if result.outcome is LoginOutcome.UNVERIFIED:
        return _(
            "Du skal bekræfte din e-mailadresse, før du kan logge ind. "
            "Klik på linket i den e-mail, vi har sendt dig, eller få et nyt link herunder."
        )
    if result.outcome is LoginOutcome.DISABLED:
        return _("Din konto er lukket. Kontakt portalens administratorer, hvis det er en fejl.")
    return _("Forkert e-mail eller adgangskode.")


@bp.route("/log-ind", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | str:
    """Sign in; repeated failures block the account for a while, never for good."""
    form = LoginForm()
    if request.method == "GET":
        form.next.data = safe_next(request.args.get("next")) or ""
        if current_user.is_authenticated:
            return redirect(form.next.data or url_for("accounts.home"))
    result = None
    if form.validate_on_submit():
        result = services.authenticate(db.session, form.email.data, form.password.data, utcnow())
        if result.outcome is LoginOutcome.SIGNED_IN and result.user is not None:
            start_session(result.user)
            db.session.commit()
            return redirect(safe_next(form.next.data) or url_for("accounts.home"))
        db.session.commit()
    return render_template(
        "accounts/login.html",
        form=form,
        problem=_login_problem(result) if result else None,
        unverified=result is not None and result.outcome is LoginOutcome.UNVERIFIED,
        resend_form=EmailOnlyForm(formdata=None, email=form.email.data),
    )


@bp.post("/log-ud")
def logout() -> Response:
    """Sign out for real: the old session cookie stops working, wherever it is."""
    if current_user.is_authenticated:
        end_session(_current_user())
        db.session.commit()
        flash(_("Du er logget ud."), "success")
    return redirect(url_for("main.index"))


@bp.route("/glemt-adgangskode", methods=["GET", "POST"])
@limiter.limit(_mail_limit, methods=["POST"])
def forgot_password() -> Response | str:
    """Mail a link for choosing a new password; the answer never tells if the address is known."""
    form = EmailOnlyForm()
    if form.validate_on_submit():
        services.request_password_reset(db.session, form.email.data, utcnow())
        db.session.commit()
        return _check_inbox("reset", form.email.data)
    return render_template("accounts/forgot.html", form=form)


@bp.route("/nulstil/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | str | tuple[str, int]:
    """Choose a new password from a mailed link; every session of the account ends."""
    try:
        user = services.reset_token_user(db.session, token)
    except TokenError as error:
        return _link_problem("reset", expired=error.expired)
    form = ResetPasswordForm(user)
    if form.validate_on_submit():
        services.reset_password(user, form.password.data, utcnow())
        db.session.commit()
        leave_session()
        flash(_("Din adgangskode er skiftet. Log ind med den nye adgangskode."), "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset.html", form=form)


@bp.get("/min-side")
@login_required
def home() -> Response:
    """Send a signed-in user to where their work is."""
    user = _current_user()
    if user.is_admin:
        return redirect(url_for("moderation.admin_home"))
    organization_ids = [membership.organization_id for membership in user.memberships]
    if len(organization_ids) == 1:
        return redirect(url_for("organizations.dashboard", organization_id=organization_ids[0]))
    if organization_ids:
        return redirect(url_for("organizations.mine"))
    if user.is_editor:
        return redirect(url_for("knowledge_editor.list"))
    return redirect(url_for("organizations.new"))


def _settings_forms(user: User, action: str | None) -> dict[str, object]:
    """Return the settings forms; only the one that was sent reads the request.

    The others show the account as it is, whatever else was posted.
    """

    def source(name: str) -> dict[str, object]:
        """Return the form arguments: the request's data only for the form sent."""
        return {} if action == name else {"formdata": None}

    return {
        "name": NameForm(**source("name"), name=user.name),
        "password": PasswordChangeForm(user, **source("password")),
        "email": EmailChangeForm(user, **source("email")),
        "sessions": EndSessionsForm(**source("sessions")),
    }


@bp.route("/konto", methods=["GET", "POST"])
@login_required
@limiter.limit(_login_limit, methods=["POST"])
def settings() -> Response | tuple[str, int] | str:
    """Change name, password or address, or sign out on every device."""
    user = _current_user()
    action = request.form.get("action") if request.method == "POST" else None
    forms = _settings_forms(user, action)
    form = forms.get(action or "")
    if form is not None and form.validate_on_submit():  # type: ignore[attr-defined]
        done = _apply_setting(user, action or "", form)
        if done is not None:
            return done
    status = 400 if request.method == "POST" else 200
    return render_template("accounts/settings.html", user=user, **forms), status


def _apply_setting(user: User, action: str, form: object) -> Response | None:
    """Carry out one settings form; return the redirect, or None if a field was wrong."""
    now = utcnow()
    if isinstance(form, NameForm):
        services.change_name(user, form.name.data)
        message = _("Dit navn er gemt.")
    elif isinstance(form, PasswordChangeForm):
        if not services.change_password(user, form.current_password.data, form.password.data, now):
            form.current_password.errors = [_("Adgangskoden er forkert.")]
            return None
        # Every other device is signed out; this one continues with a new session.
        start_session(user)
        message = _("Din adgangskode er skiftet. Du er logget ud på dine andre enheder.")
    elif isinstance(form, EmailChangeForm):
        if not services.request_email_change(
            db.session, user, form.email.data, form.email_password.data
        ):
            form.email_password.errors = [_("Adgangskoden er forkert.")]
            return None
        message = _(
            "Vi har sendt et link til %(email)s. Din adresse skifter, når du klikker på linket.",
            email=form.email.data,
        )
    else:
        end_session(user)
        db.session.commit()
        flash(_("Du er logget ud på alle enheder."), "success")
        return redirect(url_for("accounts.login"))
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("accounts.settings"))
