"""Offers: browsing the directory and reading one offer."""

from flask import Blueprint

bp = Blueprint("offers", __name__)

from portal.offers import views  # noqa: E402,F401
