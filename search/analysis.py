"""Turn Danish text and coordinates into index terms, the same way for documents and queries.

Pure Python and engine-neutral; the stemmer is passed in (the Tantivy engine hands over
tantivy's Snowball Danish stemmer), so documents and queries always meet in one form.

Text
    ``fold`` lowercases and spells æ/ä as "ae", ø/ö as "oe", å as "aa" and drops other
    accents (é → e), so "Århus", "Aarhus" and "AARHUS" are one word and "aeldre" is
    "ældre". Words are runs of letters and digits; anything else (quotes, brackets,
    colons, emoji, NUL) only separates words, so user text is never query syntax.

Compound words
    Danish glues words together ("strikkeklubben", "fællesspisning"). ``split_compound``
    decomposes a word into pieces from ``COMPOUND_PARTS`` (a hand-written list of common
    modifiers and heads of offer titles), allowing the linking letters "s"/"e" between
    pieces, one unknown modifier in front of a known head of four or more letters
    ("kvindeklub") and an inflected last piece ("-klubben", "-grupper"). Unknown heads
    are never guessed, so "kultur" does not become "kul" + "tur" and "gården" is not "gå".
    Edge n-grams were rejected: they only help with prefixes, which the engines already
    match on the last query word, and they bloat the index.

Typos
    Meilisearch's defaults: words of 1–4 characters must be exact, 5–8 allow one typo,
    9 or more allow two; a transposition counts as one typo.

Grid cells
    Every located document carries one cell term per level (level 0 cells are 4° of
    latitude by 8° of longitude, each level halves both, level 14 is about 27 m). A circle
    splits into the coarsest cells lying entirely inside it, the coarsest cells of its
    bounding box lying entirely outside it (the corners), and a thin band of fine cells
    (about 1/32 of the radius) across its edge, whose documents need an exact distance
    check. The cover is computed row by row from the circle's exact width on the sphere.
"""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from search.base import EARTH_RADIUS_KM, GeoPoint, bounding_box, haversine_km

MAX_WORD_LENGTH = 40  # longer "words" are not indexed (and so never match)
MAX_QUERY_WORDS = 10  # like Meilisearch, later words are ignored
MIN_PREFIX_LENGTH = 2

_FOLD = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "ä": "ae", "ö": "oe", "ß": "ss"})
WORD_RE = re.compile(r"[^\W_]+")

# fmt: off
# Words too common to be required; they still add to the score when present.
STOPWORDS = frozenset((
    "af", "alle", "at", "da", "de", "dem", "den", "denne", "der", "deres", "det", "dette",
    "dig", "din", "du", "efter", "eller", "en", "end", "er", "et", "for", "fra", "ham",
    "han", "har", "hun", "hvad", "hvis", "hvor", "i", "ikke", "ind", "jeg", "jer", "jo",
    "kan", "man", "med", "meget", "men", "mig", "min", "mit", "mod", "ned", "noget",
    "nogle", "nu", "og", "om", "op", "os", "over", "paa", "sig", "sin", "sine", "sit",
    "skal", "som", "til", "ud", "under", "var", "vi", "vil", "vor",
))

# Common pieces of Danish compound words in offer titles, folded (see module docstring).
COMPOUND_PARTS = frozenset((
    "klub", "cafe", "gruppe", "tur", "vaerksted", "faellesskab", "spisning", "mad",
    "strik", "strikke", "haekle", "syning", "sorg", "gaa", "ven", "veninde", "venne",
    "hold", "aften", "aftens", "morgen", "formiddag", "eftermiddag", "frokost", "brunch",
    "kaffe", "middag", "kor", "sang", "dans", "danse", "musik", "spil", "bog", "boeger",
    "laese", "film", "teater", "kunst", "male", "tegne", "foto", "motion", "gymnastik",
    "yoga", "svoemme", "svoemning", "loeb", "loebe", "cykel", "cykle", "vandre",
    "vandring", "stav", "stavgang", "bold", "fodbold", "krolf", "petanque", "golf",
    "natur", "skov", "have", "snak", "snakke", "samtale", "stoette", "selvhjaelp",
    "netvaerk", "besoeg", "ledsager", "telefon", "mentor", "raad", "raadgivning", "kreds",
    "laug", "forening", "selskab", "stue", "hus", "hjem", "sted", "moede", "samvaer",
    "bord", "bar", "faelles", "senior", "aeldre", "unge", "boern", "familie", "mand",
    "maend", "mande", "kvinde", "kvinder", "mor", "moedre", "far", "faedre", "enke",
    "pensionist", "nabo", "mandag", "tirsdag", "onsdag", "torsdag", "fredag", "loerdag",
    "soendag", "weekend",
))
_ENDINGS = frozenset((
    "e", "en", "er", "et", "ene", "erne", "ens", "ers", "ets", "enes", "ernes", "ne",
    "nes", "rne", "s", "r", "n",
))
# fmt: on
_PART_LENGTHS = sorted({len(part) for part in COMPOUND_PARTS}, reverse=True)
_LINKS = ("s", "e")
_VOWELS = frozenset("aeiouy")


def clean(text: str) -> str:
    """Return ``text`` without lone surrogates, which cannot be encoded as UTF-8."""
    return text.encode("utf-8", "ignore").decode("utf-8")


@lru_cache(maxsize=200_000)
def fold(text: str) -> str:
    """Lowercase and fold Danish letters (æ→ae, ø→oe, å→aa) and accents (é→e)."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFC", text).lower().translate(_FOLD)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_text(text: str) -> str:
    """Fold a whole text for indexing; words keep their boundaries."""
    return " ".join(fold(word) for word in WORD_RE.findall(text))


def typo_budget(word: str) -> int:
    """Return how many typos a query word may have (Meilisearch's defaults)."""
    if len(word) <= 4:
        return 0
    return 1 if len(word) <= 8 else 2


def _is_ending(rest: str, part: str) -> bool:
    """Return whether ``rest`` inflects ``part`` ("klub"+"ben", "gruppe"+"r")."""
    if not rest or rest in _ENDINGS:
        return True
    doubled = rest[0] == part[-1] and part[-1] not in _VOWELS
    return doubled and rest[1:] in _ENDINGS


def _segment(word: str, start: int) -> tuple[str, ...] | None:
    """Split word[start:] into known parts (last one possibly inflected), or None."""
    for length in _PART_LENGTHS:
        end = start + length
        part = word[start:end]
        if end > len(word) or part not in COMPOUND_PARTS:
            continue
        if _is_ending(word[end:], part):
            return (part,)
        for link in ("", *_LINKS):
            if link and not word.startswith(link, end):
                continue
            rest = _segment(word, end + len(link))
            if rest:
                return (part, *rest)
    return None


@lru_cache(maxsize=100_000)
def split_compound(word: str) -> tuple[str, ...]:
    """Return the pieces of a folded compound word, or () when it is not one.

    "strikkeklubben" → ("strikke", "klub"); "kvindeklub" → ("kvinde", "klub").
    """
    if not 6 <= len(word) <= MAX_WORD_LENGTH:
        return ()
    for length in _PART_LENGTHS:
        part = word[:length]
        if part not in COMPOUND_PARTS:
            continue
        for link in ("", *_LINKS):
            if link and not word.startswith(link, length):
                continue
            rest = _segment(word, length + len(link))
            if rest:
                return (part, *rest)
    return _split_unknown_modifier(word)


def _split_unknown_modifier(word: str) -> tuple[str, ...]:
    """Split "kvindeklub" into an unknown modifier and known parts with a long head."""
    for cut in range(3, len(word) - 3):
        rest = _segment(word, cut)
        if rest and len(rest[-1]) >= 4:
            return (word[:cut], *rest)  # a linking "s" stays; the stemmer drops it
    return ()


@lru_cache(maxsize=100_000)
def damerau_distance(a: str, b: str, limit: int) -> int:
    """Return the optimal-string-alignment distance of a and b, capped at limit + 1."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, 1):
            cost = 0 if char_a == char_b else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


@dataclass(frozen=True)
class QueryWord:
    """One word of a query, in the forms the index holds."""

    folded: str  # as in the unstemmed fields
    stem: str  # as in the stemmed and compound-part fields
    typos: int  # allowed edit distance
    prefix: bool  # the last word while typing: also match words starting with it
    optional: bool  # a stopword next to other words


def query_words(text: str, stem: Callable[[str], str]) -> list[QueryWord]:
    """Split query text into at most MAX_QUERY_WORDS distinct words."""
    text = clean(text)
    matches = list(WORD_RE.finditer(text))
    seen: set[str] = set()
    words: list[QueryWord] = []
    for number, match in enumerate(matches):
        original = match.group()
        folded = fold(original)
        if folded in seen:
            continue
        seen.add(folded)
        is_last = number == len(matches) - 1 and match.end() == len(text)
        words.append(
            QueryWord(
                folded=folded,
                stem=stem(folded),
                typos=typo_budget(original) if len(folded) <= MAX_WORD_LENGTH else 0,
                prefix=is_last and MIN_PREFIX_LENGTH <= len(folded) <= MAX_WORD_LENGTH,
                optional=False,
            )
        )
        if len(words) == MAX_QUERY_WORDS:
            break
    if any(word.folded not in STOPWORDS for word in words):
        words = [
            QueryWord(w.folded, w.stem, w.typos, w.prefix, w.folded in STOPWORDS) for w in words
        ]
    return words


class SynonymMap:
    """Synonym groups, looked up by a word's folded or stemmed form."""

    def __init__(self, groups: Iterable[Sequence[str]], stem: Callable[[str], str]) -> None:
        self.groups: list[list[str]] = []
        self._expansions: dict[str, set[tuple[str, ...]]] = {}
        for group in groups:
            members = [clean(str(member)).strip() for member in group]
            members = [member for member in members if WORD_RE.search(member)]
            if len(members) < 2:
                continue
            self.groups.append(members)
            forms = [tuple(stem(fold(w)) for w in WORD_RE.findall(m)) for m in members]
            for member, form in zip(members, forms, strict=True):
                keys = {fold(member), *form} if len(form) == 1 else {fold(member)}
                for key in keys:
                    self._expansions.setdefault(key, set()).update(forms)

    def expand(self, word: QueryWord) -> list[tuple[str, ...]]:
        """Return the stemmed forms (one tuple per synonym) the word also matches."""
        found = self._expansions.get(word.folded, set()) | self._expansions.get(word.stem, set())
        return sorted(form for form in found if form != (word.stem,))


@lru_cache(maxsize=2048)
def _marker(words: frozenset[str]) -> re.Pattern[str]:
    """Return a pattern finding these whole words in escaped text (never inside &...;)."""
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<![^\W_]|[&#])(?:{alternatives})(?![^\W_])")


def highlight(text: str, is_match: Callable[[str], bool]) -> str:
    """Return ``text`` HTML-escaped, with matched words wrapped in <mark>."""
    escaped = html.escape(text)
    matched = frozenset(word for word in set(WORD_RE.findall(text)) if is_match(word))
    return _marker(matched).sub(r"<mark>\g<0></mark>", escaped) if matched else escaped


# --- Grid cells ---------------------------------------------------------------------------

MAX_LEVEL = 14
COVER_DEPTH = 5  # finest cover level below the starting one: band cells are about r/32

_KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180
_BASE_DLAT = 4.0
_BASE_DLON = 8.0


def _cell_size(level: int) -> tuple[float, float]:
    """Return (dlat, dlon) in degrees of a cell at ``level``."""
    return _BASE_DLAT / 2**level, _BASE_DLON / 2**level


def cell_term(level: int, row: int, column: int) -> str:
    """Return the index term of a cell."""
    return f"{level}/{row}/{column}"


def cell_terms(lat: float, lon: float) -> list[str]:
    """Return the cell terms of a point, one per level."""
    terms = []
    for level in range(MAX_LEVEL + 1):
        dlat, dlon = _cell_size(level)
        terms.append(cell_term(level, math.floor(lat / dlat), math.floor(lon / dlon)))
    return terms


def _level_for(radius_km: float) -> int:
    """Return the finest level whose cells are at least ``radius_km`` tall."""
    level = math.floor(math.log2(_BASE_DLAT * _KM_PER_DEGREE / max(radius_km, 1e-3)))
    return max(0, min(MAX_LEVEL, level))


def circle_bounds(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """Return (min_lat, max_lat, min_lon, max_lon) of a circle on the sphere, exactly.

    The exact spherical box of ``search.base.bounding_box``, with the longitude reach
    widened by a hair: the engine excludes whatever lies beyond these bounds, and float
    rounding must never cut a point on the circle. A circle over a pole spans every
    longitude.
    """
    min_lat, max_lat, min_lon, max_lon = bounding_box(GeoPoint(lat, lon), radius_km)
    if min_lat <= -90 or max_lat >= 90:
        return max(-90.0, min_lat), min(90.0, max_lat), -180.0, 180.0
    dlon = (max_lon - lon) * 1.000001 + 1e-9
    return min_lat, max_lat, lon - dlon, lon + dlon


def box_cover(lat: float, lon: float, radius_km: float, cells_per_radius: int = 2) -> list[str]:
    """Return cells about radius/cells_per_radius wide covering a circle's bounding box."""
    level = _level_for(radius_km / cells_per_radius)
    dlat, dlon = _cell_size(level)
    dlat_km = radius_km / _KM_PER_DEGREE
    dlon_km = min(180.0, dlat_km / max(0.01, math.cos(math.radians(lat))))
    rows = range(math.floor((lat - dlat_km) / dlat), math.floor((lat + dlat_km) / dlat) + 1)
    columns = range(math.floor((lon - dlon_km) / dlon), math.floor((lon + dlon_km) / dlon) + 1)
    return [cell_term(level, row, column) for row in rows for column in columns]


_Row = tuple[int, int, int, int]  # inside columns (lo, hi), touching columns (lo, hi)


@dataclass(frozen=True)
class CircleCover:
    """A circle's cells: entirely inside, entirely outside (within its bounds), and the
    band of fine cells across its edge."""

    lat: float
    lon: float
    radius_km: float
    level: int  # of the band cells
    inside: list[str]
    outside: list[str]  # the corners of the bounding box
    band: list[tuple[int, int]]  # (row, column)

    def band_terms(self) -> list[str]:
        """Return the terms of all band cells."""
        return [cell_term(self.level, row, column) for row, column in self.band]

    def band_terms_by_centre(self, inside: bool) -> list[str]:
        """Return the band cells whose centre lies inside (or outside) the circle."""
        dlat, dlon = _cell_size(self.level)
        centre = GeoPoint(self.lat, self.lon)
        return [
            cell_term(self.level, row, column)
            for row, column in self.band
            if inside
            == (haversine_km(centre, (row + 0.5) * dlat, (column + 0.5) * dlon) <= self.radius_km)
        ]


def _half_width(lat0: float, lat: float, radius_km: float) -> float | None:
    """Return the circle's half-width in degrees of longitude at ``lat`` (None: outside)."""
    phi0, phi = math.radians(lat0), math.radians(lat)
    denominator = math.cos(phi0) * math.cos(phi)
    if denominator <= 1e-12:
        return 180.0
    cos_dlon = (
        math.cos(radius_km / EARTH_RADIUS_KM) - math.sin(phi0) * math.sin(phi)
    ) / denominator
    if cos_dlon > 1:
        return None
    return 180.0 if cos_dlon < -1 else math.degrees(math.acos(cos_dlon))


def _row_ranges(lat: float, lon: float, radius_km: float, level: int) -> dict[int, _Row]:
    """Return, per fine row, the columns entirely inside the circle and those touching it."""
    dlat, dlon = _cell_size(level)
    angle = radius_km / EARTH_RADIUS_KM
    reach = math.degrees(angle)
    # The circle is widest slightly poleward of its centre.
    widest = math.degrees(math.asin(min(1.0, math.sin(math.radians(lat)) / math.cos(angle))))
    ranges: dict[int, _Row] = {}
    for row in range(math.floor((lat - reach) / dlat), math.floor((lat + reach) / dlat) + 1):
        south, north = row * dlat, (row + 1) * dlat
        outer = _half_width(lat, min(max(widest, south), north), radius_km * 1.0001 + 0.001)
        if outer is None:
            continue
        edges = [_half_width(lat, edge, radius_km * 0.9999) for edge in (south, north)]
        out_lo, out_hi = math.floor((lon - outer) / dlon), math.floor((lon + outer) / dlon)
        if edges[0] is None or edges[1] is None:
            ranges[row] = (0, -1, out_lo, out_hi)
            continue
        inner = min(edges[0], edges[1])
        in_lo, in_hi = math.ceil((lon - inner) / dlon), math.floor((lon + inner) / dlon) - 1
        ranges[row] = (in_lo, in_hi, out_lo, out_hi)
    return ranges


@lru_cache(maxsize=512)
def circle_cover(lat: float, lon: float, radius_km: float) -> CircleCover:
    """Cover a circle with inside cells (coarsest possible) and fine band cells."""
    start = _level_for(radius_km)
    fine = min(MAX_LEVEL, start + COVER_DEPTH)
    if abs(lat) + math.degrees(radius_km / EARTH_RADIUS_KM) > 80:
        fine = start = 0  # near a pole: a few huge band cells, checked document by document
    rows = _row_ranges(lat, lon, radius_km, fine)
    inside = _merged_cells({row: r[:2] for row, r in rows.items()}, start, fine)
    band = [
        (row, column)
        for row, (in_lo, in_hi, out_lo, out_hi) in rows.items()
        for column in range(out_lo, out_hi + 1)
        if not in_lo <= column <= in_hi
    ]
    outside = _corner_cells(lat, lon, radius_km, rows, start, fine)
    return CircleCover(lat, lon, radius_km, fine, inside, outside, band)


def _corner_cells(
    lat: float, lon: float, radius_km: float, rows: dict[int, _Row], start: int, fine: int
) -> list[str]:
    """Return the cells within the circle's bounds that do not touch it."""
    min_lat, max_lat, min_lon, max_lon = circle_bounds(lat, lon, radius_km)
    dlat, dlon = _cell_size(fine)
    first, last = math.floor(min_lon / dlon), math.floor(max_lon / dlon)
    left: dict[int, tuple[int, int]] = {}
    right: dict[int, tuple[int, int]] = {}
    for row in range(math.floor(min_lat / dlat), math.floor(max_lat / dlat) + 1):
        touching = rows.get(row)
        left[row] = (first, touching[2] - 1) if touching else (first, last)
        right[row] = (touching[3] + 1, last) if touching else (0, -1)
    return _merged_cells(left, start, fine) + _merged_cells(right, start, fine)


def _merged_cells(rows: dict[int, tuple[int, int]], start: int, fine: int) -> list[str]:
    """Return the coarsest cells, from level ``start`` to ``fine``, covering given columns.

    ``rows`` maps each fine row to one range of columns. A block of rows at a coarser
    level covers a cell where all of its rows do; each level adds only the cells its
    parent level did not already cover.
    """
    levels: list[dict[int, tuple[int, int]]] = [rows]
    for _ in range(fine - start):
        finer, coarser = levels[-1], {}
        for row, (lo, hi) in finer.items():
            other = finer.get(row ^ 1)
            if other is not None:
                coarser[row >> 1] = (max(lo, other[0]), min(hi, other[1]))
        levels.append(coarser)
    terms: list[str] = []
    parent: dict[int, tuple[int, int]] = {}
    for depth in range(fine - start, -1, -1):
        level, scale = fine - depth, 2**depth
        current: dict[int, tuple[int, int]] = {}
        for block, (lo, hi) in levels[depth].items():
            first, last = -(-lo // scale), (hi + 1) // scale - 1
            current[block] = (first, last)
            taken_lo, taken_hi = parent.get(block >> 1, (0, -1))
            columns: Iterable[int]
            if taken_lo > taken_hi:
                columns = range(first, last + 1)
            else:  # only what the parent left: left and right of its cells
                left = range(first, min(last, 2 * taken_lo - 1) + 1)
                columns = [*left, *range(max(first, 2 * taken_hi + 2), last + 1)]
            terms += [cell_term(level, block, column) for column in columns]
        parent = current
    return terms
