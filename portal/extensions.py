"""Extensions, created unbound here and bound to the app in create_app()."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf import CSRFProtect

from portal.db import db

babel = Babel()
csrf = CSRFProtect()
# The client address comes from request.remote_addr, which ProxyFix sets from
# exactly PROXY_COUNT trusted proxies, so a forged X-Forwarded-For cannot
# choose the key.
limiter = Limiter(key_func=get_remote_address)

__all__ = ["babel", "csrf", "db", "limiter"]
