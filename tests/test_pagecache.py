"""The page cache: anonymous visitors get the same page again without the work, nobody else does."""

from __future__ import annotations

import gzip
import os
import time

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from werkzeug.wrappers import Response

from portal.config import ConfigError, from_environment
from portal.extensions import db
from portal.find.engine import search_engine
from portal.find.models import directory_version
from portal.find.sync import drain, rebuild
from portal.offers.models import ServiceStatus, ServiceViewDay
from portal.pagecache import CachedPage, PageCache
from portal.statistics.models import SearchDemandDay
from search import EngineUnavailable, SearchQuery
from tests.find.fakes import DictEngine
from tests.main.test_pages import index_everything

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0"


@pytest.fixture
def cached(app):
    """Turn the page cache on, as in production."""
    app.config["PAGE_CACHE_SECONDS"] = 300
    return app


class BrokenEngine:
    """An engine that is down."""

    name = "broken"

    def search(self, query: SearchQuery):
        raise EngineUnavailable("the engine is switched off")


def rename(service, name: str) -> None:
    service.name = name
    db.session.commit()


def test_a_repeated_anonymous_visit_is_answered_without_the_database(
    cached, client, make_offer, count_queries
) -> None:
    # Three results: a search finding fewer is counted as unmet demand every time.
    offer = make_offer(name="Strikkeklub i Vejle")
    make_offer(name="Strikkecafé i Vejle")
    make_offer(name="Strik og snak i Vejle")
    index_everything()
    for url in ("/", "/search?q=strik", "/search.json?q=strik"):
        first = client.get(url)
        with count_queries() as statements:
            again = client.get(url)
        assert again.status_code == 200
        assert again.data == first.data
        assert again.content_type == first.content_type
        # At most a look at the directory's change counter (once a second).
        assert [s for s in statements if "directory_version" not in s] == [], url
    # The security headers are added to the cached answer as to any other.
    assert "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]
    assert offer.name in client.get("/search?q=strik").text


def test_pages_go_compressed_to_clients_that_accept_it(cached, client, make_offer) -> None:
    offer = make_offer(name="Strikkeklub i Vejle")
    plain = client.get(f"/tilbud/{offer.id}")
    for _ in range(2):  # stored, then served from the cache
        packed = client.get(f"/tilbud/{offer.id}", headers={"Accept-Encoding": "gzip, br"})
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
        assert int(packed.headers["Content-Length"]) == len(packed.data)
        assert "Accept-Encoding" in packed.headers["Vary"]
    refused = client.get(f"/tilbud/{offer.id}", headers={"Accept-Encoding": "gzip;q=0"})
    assert "Content-Encoding" not in refused.headers
    assert refused.data == plain.data
    assert "Accept-Encoding" in plain.headers["Vary"]


def later(monkeypatch, seconds: float) -> None:
    """Move the page cache's clock ``seconds`` on."""
    moved = time.monotonic() + seconds
    monkeypatch.setattr("portal.pagecache.time.monotonic", lambda: moved)


def test_a_change_to_the_directory_reaches_anonymous_visitors_within_a_second(
    cached, client, make_offer, monkeypatch
) -> None:
    offer = make_offer(name="Strikkeklub i Vejle")
    for _ in range(2):
        make_offer(name="Strikkecafé i Vejle")
    index_everything()
    assert "Strikkeklub i Vejle" in client.get(f"/tilbud/{offer.id}").text
    assert "Strikkeklub i Vejle" in client.get("/search?q=strik").text

    rename(offer, "Strik og hygge i Vejle")
    # The outbox is drained as after the editor's request or by the sync worker.
    drain(db.session, search_engine())
    later(monkeypatch, 1.5)

    assert "Strik og hygge i Vejle" in client.get(f"/tilbud/{offer.id}").text
    assert "Strik og hygge i Vejle" in client.get("/search?q=strik").text


def test_a_failed_index_update_still_refreshes_the_offer_page(
    cached, client, make_offer, monkeypatch
) -> None:
    offer = make_offer(name="Strikkeklub i Vejle")
    assert "Strikkeklub i Vejle" in client.get(f"/tilbud/{offer.id}").text
    rename(offer, "Strikkeværksted i Vejle")
    engine = DictEngine()
    engine.down = True

    assert drain(db.session, engine).failed
    later(monkeypatch, 1.5)

    assert "Strikkeværksted i Vejle" in client.get(f"/tilbud/{offer.id}").text


def test_cached_pages_still_serve_when_the_version_cannot_be_read(
    cached, client, make_offer, monkeypatch
) -> None:
    offer = make_offer(name="Strikkeklub i Vejle")
    assert client.get(f"/tilbud/{offer.id}").status_code == 200

    def unreachable(session):
        raise OperationalError("SELECT", {}, Exception("server closed the connection"))

    monkeypatch.setattr("portal.pagecache.directory_version", unreachable)
    later(monkeypatch, 1.5)

    assert "Strikkeklub i Vejle" in client.get(f"/tilbud/{offer.id}").text


def test_the_directory_version_grows_with_every_drain_and_rebuild(app, make_offer) -> None:
    before = directory_version(db.session)
    offer = make_offer()
    drain(db.session, search_engine())
    after_drain = directory_version(db.session)
    rebuild(db.session, search_engine())

    assert before < after_drain < directory_version(db.session)
    assert offer.id


def test_a_change_reaches_anonymous_visitors_after_the_period(
    cached, client, make_offer, monkeypatch
) -> None:
    offer = make_offer(name="Strikkeklub i Vejle")
    assert "Strikkeklub i Vejle" in client.get(f"/tilbud/{offer.id}").text
    rename(offer, "Hækleklub i Vejle")

    assert "Strikkeklub i Vejle" in client.get(f"/tilbud/{offer.id}").text
    later(monkeypatch, 301)
    assert "Hækleklub i Vejle" in client.get(f"/tilbud/{offer.id}").text


def test_every_visit_to_a_cached_offer_page_is_counted(cached, client, make_offer) -> None:
    offer = make_offer()
    for _ in range(3):
        assert client.get(f"/tilbud/{offer.id}", headers={"User-Agent": BROWSER}).status_code == 200
    client.get(f"/tilbud/{offer.id}", headers={"User-Agent": "Googlebot/2.1"})

    db.session.expire_all()
    views = db.session.scalar(
        sa.select(sa.func.sum(ServiceViewDay.views)).where(ServiceViewDay.service_id == offer.id)
    )
    assert views == 3


def test_signed_in_users_never_get_the_anonymous_copy(
    cached, client, make_offer, make_user, login
) -> None:
    offer = make_offer(name="Strikkeklub i Vejle")
    user = make_user(name="Bodil Sørensen")
    assert "Bodil Sørensen" not in client.get(f"/tilbud/{offer.id}").text
    login(user)

    page = client.get(f"/tilbud/{offer.id}").text

    assert "Bodil Sørensen" in page
    assert "Log ud" in page


def test_a_signed_in_users_page_is_not_kept_for_others(
    cached, app, client, make_offer, make_user, login
) -> None:
    offer = make_offer()
    login(make_user(name="Bodil Sørensen"))
    client.get(f"/tilbud/{offer.id}")

    anonymous = app.test_client()
    assert "Bodil Sørensen" not in anonymous.get(f"/tilbud/{offer.id}").text


def test_each_language_has_its_own_copy(cached, client, make_offer) -> None:
    danish = client.get("/").text
    english = client.get("/", headers={"Accept-Language": "en"}).text

    assert 'lang="da"' in danish
    assert 'lang="en"' in english
    assert 'lang="da"' in client.get("/").text


def test_a_waiting_message_is_shown_not_skipped(cached, client) -> None:
    client.get("/")
    with client.session_transaction() as session:
        session["_flashes"] = [("success", "Tak for din besked")]

    assert "Tak for din besked" in client.get("/").text


def test_missing_offers_and_hidden_ones_are_not_kept(cached, client, make_offer) -> None:
    offer = make_offer()
    assert client.get(f"/tilbud/{offer.id}").status_code == 200
    assert client.get("/tilbud/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/tilbud/ikke-et-id").status_code == 404

    # Only the one good page is stored.
    assert len(cached.extensions["page_cache"]) == 1


def test_a_search_counted_as_unmet_demand_is_counted_every_time(cached, client, make_offer) -> None:
    make_offer(name="Strikkeklub i Vejle")
    index_everything()

    def searches_counted() -> int:
        db.session.expire_all()
        return db.session.scalar(sa.select(sa.func.sum(SearchDemandDay.searches))) or 0

    before = searches_counted()
    for _ in range(3):
        assert client.get("/search?q=xylofon").status_code == 200

    assert searches_counted() - before == 3


def test_a_degraded_answer_does_not_outlive_the_outage(
    cached, client, make_offer, monkeypatch
) -> None:
    for name in ("Strikkeklub i Vejle", "Strikkecafé i Vejle", "Strik og snak i Vejle"):
        make_offer(name=name)
    index_everything()
    monkeypatch.setattr("portal.find.views.search_engine", lambda: BrokenEngine())
    assert "enklere udgave" in client.get("/search?q=strik").text

    monkeypatch.undo()
    assert "enklere udgave" not in client.get("/search?q=strik").text


def test_cached_answers_still_count_against_the_rate_limit(cached, client) -> None:
    cached.config["RATELIMIT_ENABLED"] = True
    cached.config["RATELIMIT_SEARCH"] = "2 per minute"
    statuses = [client.get("/search.json?q=strik").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_an_answer_that_sets_a_cookie_is_not_kept(cached, client) -> None:
    # Choosing a language stores it in the session; the page that follows is
    # rendered for that visitor and carries their cookie, so it is not shared.
    client.get("/sprog/en?next=/")
    response = client.get("/")
    assert 'lang="en"' in response.text
    assert 'lang="da"' in cached.test_client().get("/").text


def test_the_store_forgets_old_pages_and_stays_within_its_size() -> None:
    cache = PageCache(max_bytes=3 * (1000 + 600))
    now = time.monotonic()

    def page(made: float = now) -> CachedPage:
        return CachedPage(200, (("Content-Type", "text/html"),), os.urandom(1000), made)

    for number in range(5):
        cache.put(("page", str(number)), page())
    assert len(cache) == 3
    assert cache.get(("page", "0"), 30) is None
    assert cache.get(("page", "4"), 30) is not None

    cache.put(("old",), page(now - 60))
    assert cache.get(("old",), 30) is None

    cache.put(("huge",), CachedPage(200, (), os.urandom(10_000), now))
    assert cache.get(("huge",), 30) is None
    cache.clear()
    assert len(cache) == 0


def test_the_cache_settings_are_checked(tmp_path) -> None:
    defaults = from_environment({"PORTAL_ENV": "development"}, tmp_path)
    assert defaults["PAGE_CACHE_SECONDS"] == 300
    assert from_environment({"PORTAL_ENV": "testing"}, tmp_path)["PAGE_CACHE_SECONDS"] == 0
    assert from_environment({"PAGE_CACHE_SECONDS": "0"}, tmp_path)["PAGE_CACHE_SECONDS"] == 0
    with pytest.raises(ConfigError, match="PAGE_CACHE_SECONDS"):
        from_environment({"PAGE_CACHE_SECONDS": "-1"}, tmp_path)
    with pytest.raises(ConfigError, match="PAGE_CACHE_MEGABYTES"):
        from_environment({"PAGE_CACHE_MEGABYTES": "a lot"}, tmp_path)


def test_hidden_offers_leave_the_cache_when_the_period_ends(
    cached, client, make_offer, monkeypatch
) -> None:
    offer = make_offer()
    assert client.get(f"/tilbud/{offer.id}").status_code == 200
    offer.status = ServiceStatus.DRAFT
    db.session.commit()

    later(monkeypatch, 301)
    assert client.get(f"/tilbud/{offer.id}").status_code == 404


def test_pages_made_together_do_not_all_expire_together(monkeypatch) -> None:
    cache = PageCache(max_bytes=10 * 1024**2)
    response = Response("<p>Strikkeklub</p>", mimetype="text/html")
    for number in range(50):
        cache.put(("page", str(number)), CachedPage.of(response, version=1))
    start = time.monotonic()

    def alive_after(seconds: float) -> int:
        monkeypatch.setattr("portal.pagecache.time.monotonic", lambda: start + seconds)
        return sum(cache.get(("page", str(n)), 300, version=1) is not None for n in range(50))

    assert alive_after(0.74 * 300) == 50
    assert 0 < alive_after(0.9 * 300) < 50
    assert alive_after(300) == 0
