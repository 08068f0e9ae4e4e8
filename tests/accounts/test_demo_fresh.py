"""`portal demo` on a brand-new SQLite database: the demo accounts exist and can sign in."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from portal import create_app
from portal.accounts.demo import ADMIN, DEMO_PASSWORD, EDITOR, NEW_OWNER, OWNER
from portal.accounts.models import User
from portal.extensions import db
from portal.referrals.demo import GP
from portal.referrals.models import Referral
from portal.twofactor.models import TwoFactor
from tests.helpers import post_from_page

pytestmark = pytest.mark.slow


def test_demo_on_a_fresh_database_creates_demo_accounts_that_sign_in(tmp_path, monkeypatch) -> None:
    instance = tmp_path / "instance"
    monkeypatch.setenv("PORTAL_INSTANCE_PATH", str(instance))
    for name in ("DATABASE_URL", "SECRET_KEY", "PORTAL_ENV", "SEARCH_ENGINE", "MEILI_URL"):
        monkeypatch.delenv(name, raising=False)
    served = []
    monkeypatch.setattr("portal.cli.run_simple", lambda *args, **kwargs: served.append(args))
    demo_app = create_app()
    assert demo_app.config["SQLALCHEMY_DATABASE_URI"].startswith(f"sqlite:///{instance}")

    result = demo_app.test_cli_runner().invoke(args=["demo", "--port", "5099"])

    assert result.exit_code == 0, result.output
    assert served, "the server would have started"
    with demo_app.app_context():
        emails = set(db.session.scalars(sa.select(User.email).where(User.is_demo.is_(True))))
        enrolled = set(
            db.session.scalars(sa.select(User.email).join(TwoFactor, TwoFactor.user_id == User.id))
        )
        referrals = db.session.scalar(sa.select(sa.func.count()).select_from(Referral))
        db.engine.dispose()
    assert emails == {ADMIN, EDITOR, OWNER, NEW_OWNER, GP}
    # Everyone who can see personal data has an authenticator (keys in the README).
    assert enrolled == {ADMIN, OWNER, NEW_OWNER, GP}
    assert referrals == 1
    assert "authenticator key" in result.output
    client = demo_app.test_client()
    response = post_from_page(client, "/log-ind", {"email": OWNER, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    assert client.get("/konto").status_code == 200
    with demo_app.app_context():
        db.engine.dispose()
