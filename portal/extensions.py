"""Extensions, created unbound here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_wtf import CSRFProtect

from portal.db import db

babel = Babel()
csrf = CSRFProtect()

__all__ = ["babel", "csrf", "db"]
