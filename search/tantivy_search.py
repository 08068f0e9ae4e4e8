"""Answer a SearchQuery from one Tantivy searcher snapshot, in one pass or several.

A radius search with words or filters that term frequencies suggest is small is answered
in one pass: the matches within the circle's exact bounds (fast-field ranges, cheap next to
a selective clause) are fetched, those beyond the radius dropped, and the rest ordered,
paged and counted by facet in Python (facet values are also stored hashed in numeric fast
fields). Otherwise Tantivy counts and pages: one aggregation pass for the facets, one for
the page, with the place translated to cells and ranges (see ``search.tantivy_geo``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import tantivy

from search.analysis import QueryWord, SynonymMap, box_cover, clean, query_words
from search.base import GeoPoint, SearchQuery, SearchResult, Sort
from search.tantivy_geo import (
    Found,
    beyond,
    by_distance_from,
    measured,
    near_bonus_query,
    near_steps,
    nearest,
    place_query,
    remote_and_local,
    with_near_bonus,
)
from search.tantivy_query import (
    FacetNames,
    Matcher,
    aggregate,
    all_of,
    filter_query,
    one_of,
    term,
    text_query,
    to_hit,
    total,
)
from search.tantivy_schema import stem

FETCH_ALL = 1000  # fetch a result this small whole and finish it in Python
_Q = tantivy.Query

_Page = list[tuple[tantivy.DocAddress, float]]
_Answer = tuple[_Page, int, dict[str, dict[str, int]]]  # page, total, facets


@dataclass(frozen=True)
class _Plan:
    """A query translated for Tantivy."""

    query: SearchQuery
    words: list[QueryWord]
    final: tantivy.Query  # everything: text, filters, place
    unplaced: tantivy.Query  # located offers matching all but the radius


def run_search(
    searcher: tantivy.Searcher, query: SearchQuery, synonyms: SynonymMap, names: FacetNames
) -> SearchResult:
    """Answer ``query`` from one searcher snapshot."""
    words = query_words(query.text, stem)
    text, filters = text_query(searcher, words, synonyms), filter_query(query)
    municipality = one_of("municipality", query.municipality) if query.municipality else None
    answer = None
    selective = words or filters is not None
    if (
        query.radius_km is not None
        and selective
        and _estimate(searcher, query, words) <= 2 * FETCH_ALL
    ):
        answer = _small_circle(searcher, query, words, all_of(text, filters), municipality, names)
    if answer is None:
        answer = _multi_pass(searcher, query, words, text, filters, municipality)
    page, count, facets = answer
    matcher = Matcher(words, synonyms) if words else None
    hits = [to_hit(searcher, address, score, query.point, matcher) for address, score in page]
    return SearchResult(count, hits, facets, query.page, query.per_page)


def _multi_pass(
    searcher: tantivy.Searcher,
    query: SearchQuery,
    words: list[QueryWord],
    text: tantivy.Query | None,
    filters: tantivy.Query | None,
    municipality: tantivy.Query | None,
) -> _Answer:
    """Count and page in Tantivy: one aggregation pass (facets), one for the page.

    Without words and a point the order is the next meeting; with a point, distance
    (when asked, or without words) or relevance with a nearness bonus; else relevance.
    """
    place = place_query(searcher, query, filters, municipality)
    if not query.include_remote:
        place.exclude.append(term("flag", "remote"))
    must = _Q.const_score_query(place.must, 0.0) if place.must is not None else None
    final = all_of(text, filters, must, exclude=place.exclude)
    located = term("kind", "located")
    plan = _Plan(query, words, final, all_of(text, filters, municipality, located))
    point = query.point
    by_distance = point is not None and (query.sort is Sort.DISTANCE or not words)
    kinds: dict[str, int] = {}
    facets: dict[str, dict[str, int]] = {}
    if query.facets or (by_distance and query.sort is not Sort.NEXT_MEETING):
        kinds, facets = aggregate(searcher, final, query.facets)
    if query.sort is Sort.NEXT_MEETING or (not words and point is None):
        page, count = _by_next_meeting(searcher, final, query.offset, query.per_page)
    elif by_distance and point is not None:
        page, count = _by_distance(searcher, plan, point, kinds)
    elif point is not None:
        known = sum(kinds.values()) if query.facets else None
        page, count = _by_relevance_near(searcher, plan, point, known)
    else:
        result = searcher.search(final, limit=query.per_page, offset=query.offset)
        page, count = [(address, score) for score, address in result.hits], total(result)
    return page, count, facets


def _small_circle(
    searcher: tantivy.Searcher,
    query: SearchQuery,
    words: Sequence[QueryWord],
    wanted: tantivy.Query,
    municipality: tantivy.Query | None,
    names: FacetNames,
) -> _Answer | None:
    """Answer a radius search with words or filters in one pass, if it finds few offers.

    The matches within the circle's exact bounds (fast-field ranges, cheap next to a
    selective clause) are fetched, those beyond the radius dropped, and the rest
    ordered, paged and counted by facet here. None when there are more than FETCH_ALL.
    """
    point, radius_km = query.point, query.radius_km
    if point is None or radius_km is None:
        return None
    exclude = [*beyond(point, radius_km), term("kind", "elsewhere")]
    remote, local = remote_and_local(query, municipality)
    if remote is None:
        exclude.append(term("flag", "remote"))
    result = searcher.search(all_of(wanted, local, exclude=exclude), limit=max(1, FETCH_ALL))
    if total(result) > FETCH_ALL:
        return None
    kept: list[Found] = [
        found
        for found in measured(searcher, result, point)
        if found[2] is None or found[2] <= radius_km
    ]
    ordered = _order(searcher, query, words, kept)[query.offset : query.offset + query.per_page]
    facets = names.count([address for _, address, _ in kept], query.facets)
    return [(address, score) for score, address, _ in ordered], len(kept), facets


def _estimate(searcher: tantivy.Searcher, query: SearchQuery, words: Sequence[QueryWord]) -> float:
    """Guess how many offers a radius search finds, from term frequencies alone.

    Assumes independent conditions; a wrong guess only picks the slower way to answer.
    """
    documents = max(1, searcher.num_docs)

    def share(field_name: str, values: Iterable[str]) -> float:
        return min(1.0, sum(searcher.doc_freq(field_name, clean(v)) for v in values) / documents)

    estimate = float(documents)
    for word in words:
        if not word.optional:
            estimate *= share("all_stem", [word.stem])
    for name in ("activity", "target_group", "life_situation", "weekday", "time_of_day"):
        values = getattr(query, name)
        if values:
            estimate *= share(name, values)
    for feature in query.features:
        estimate *= share("feature", [feature])
    if query.free_only:
        estimate *= share("flag", ["free"])
    if query.point is not None and query.radius_km is not None:
        box = box_cover(query.point.lat, query.point.lon, query.radius_km, cells_per_radius=1)
        estimate *= share("cell", box)
    return estimate


def _order(
    searcher: tantivy.Searcher, query: SearchQuery, words: Sequence[QueryWord], found: list[Found]
) -> list[Found]:
    """Order fetched matches as the multi-pass searches would (see _multi_pass)."""

    def by_meeting(items: list[Found]) -> list[Found]:
        meetings = searcher.fast_field_values("next_meeting", [item[1] for item in items])
        pairs = sorted(zip(meetings, items, strict=True), key=lambda p: (p[0] is None, p[0] or 0))
        return [item for _, item in pairs]

    if query.sort is Sort.NEXT_MEETING:
        return by_meeting(found)
    if query.sort is Sort.DISTANCE or not words:
        located = sorted((f for f in found if f[2] is not None), key=lambda f: f[2] or 0.0)
        others = [f for f in found if f[2] is None]
        return located + (others if words else by_meeting(others))
    steps, step = near_steps(searcher, query, words)
    return with_near_bonus(found, steps, step)


def _by_next_meeting(
    searcher: tantivy.Searcher, query: tantivy.Query, offset: int, limit: int
) -> tuple[_Page, int]:
    result = searcher.search(
        query, limit=limit, offset=offset, order_by_field="next_meeting", order=tantivy.Order.Asc
    )
    return [(address, 0.0) for _, address in result.hits], total(result)


def _by_relevance_near(
    searcher: tantivy.Searcher, plan: _Plan, point: GeoPoint, known_total: int | None
) -> tuple[_Page, int]:
    """Order by score plus a bonus for being near, so nearer wins among similar scores.

    The bonus is a constant for lying within each of 1, 3, 10, 30 and 100 km (steps
    every result within the radius reaches are left out), together at most NEAR_BONUS
    of an estimated good text score; remote offers count as 25 km away. A result known
    to be small is fetched whole and measured exactly; otherwise Tantivy adds the bonus,
    from boxes of grid cells.
    """
    query = plan.query
    steps, step = near_steps(searcher, query, plan.words)
    if known_total is not None and known_total <= FETCH_ALL:
        result = searcher.search(plan.final, limit=max(1, known_total))
        scored = with_near_bonus(measured(searcher, result, point), steps, step)
        page = scored[query.offset : query.offset + query.per_page]
        return [(address, score) for score, address, _ in page], known_total
    bonus_query = near_bonus_query(plan.final, point, steps, step)
    result = searcher.search(bonus_query, limit=query.per_page, offset=query.offset)
    return [(address, score) for score, address in result.hits], total(result)


def _by_distance(
    searcher: tantivy.Searcher, plan: _Plan, point: GeoPoint, kinds: Mapping[str, int]
) -> tuple[_Page, int]:
    """Nearest located offers first, then remote and unlocated ones."""
    query = plan.query
    located = all_of(plan.final, term("kind", "located"))
    located_total = kinds.get("located", 0)
    others_total = sum(kinds.values()) - located_total
    start, stop = query.offset, query.offset + query.per_page
    page: _Page = []
    if start < located_total:
        need = min(stop, located_total)
        if located_total <= FETCH_ALL:
            closest = by_distance_from(searcher, located, point, located_total)[:need]
        else:
            cap = max(FETCH_ALL, 4 * need)
            closest = nearest(
                searcher,
                located,
                point,
                need,
                located_total,
                radius_km=query.radius_km,
                unplaced=plan.unplaced,
                cap=cap,
            )
        page += [(address, 0.0) for _, address in closest[start:stop]]
    if stop > located_total and others_total:
        others = all_of(plan.final, exclude=[term("kind", "located")])
        skip, take = max(0, start - located_total), stop - max(start, located_total)
        if plan.words:
            result = searcher.search(others, limit=take, offset=skip)
            page += [(address, score) for score, address in result.hits]
        else:
            page += _by_next_meeting(searcher, others, skip, take)[0]
    return page, located_total + others_total
