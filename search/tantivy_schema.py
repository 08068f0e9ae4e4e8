"""How the embedded engine stores an offer: the Tantivy schema, analyzers and documents.

Text is folded in Python (æ→ae, ø→oe, å→aa, accents dropped; the pure-Python half is
``search.analysis``), then indexed per field group (title; description + organisation +
town) as ``*_word`` (unstemmed words), ``*_stem`` (Snowball Danish stems) and ``*_part``
(stems of the pieces of compound words, so "klub" finds "strikkeklubben"), plus
``all_word``/``all_stem`` for prefix and typo matching.

Filter codes are raw terms. Each facet also gets a single-valued fast field (``fc_*``)
holding the document's sorted values joined by U+001F, because Tantivy aggregates
multi-valued columns ten times slower, and the same text hashed in a numeric fast field
(``fh_*``). Every located offer carries grid-cell terms at 15 levels (see
``search.analysis``) and its coordinates as fast fields.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

import tantivy

from search.analysis import MAX_WORD_LENGTH, cell_terms, clean, fold_text, split_compound
from search.base import FACET_FIELDS

SCHEMA_VERSION = 3  # bump when documents are indexed differently; old indexes need a rebuild
SEPARATOR = "\x1f"
LIST_FIELDS = ("activity", "target_group", "life_situation", "feature", "weekday", "time_of_day")
TEXT_FIELDS = ("title", "description", "organization", "city", "municipality", "municipality_name")


class InvalidDocument(ValueError):
    """A document the engine cannot index (no id)."""


def _analyzer(stem: bool) -> tantivy.TextAnalyzer:
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    builder = builder.filter(tantivy.Filter.lowercase())
    builder = builder.filter(tantivy.Filter.remove_long(MAX_WORD_LENGTH + 1))
    if stem:
        builder = builder.filter(tantivy.Filter.stemmer("danish"))
    return builder.build()


_STEMMER = _analyzer(stem=True)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Return the Danish stem of a folded word, exactly as the index holds it."""
    tokens = _STEMMER.analyze(word)
    return tokens[0] if len(tokens) == 1 else word


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", fast=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field("key", indexed=True, fast=True)
    builder.add_bytes_field("doc", stored=True)
    for group in ("title", "body"):
        builder.add_text_field(f"{group}_word", tokenizer_name="da_word", index_option="freq")
        builder.add_text_field(f"{group}_stem", tokenizer_name="da_stem", index_option="freq")
        builder.add_text_field(f"{group}_part", tokenizer_name="da_word", index_option="freq")
    builder.add_text_field("all_word", tokenizer_name="da_word", index_option="basic")
    builder.add_text_field("all_stem", tokenizer_name="da_stem", index_option="basic")
    builder.add_text_field("kind", fast=True, tokenizer_name="raw", index_option="basic")
    for name in (*LIST_FIELDS, "municipality", "flag", "cell"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    for name in FACET_FIELDS:
        builder.add_text_field(f"fc_{name}", fast=True, tokenizer_name="raw", index_option="basic")
        builder.add_unsigned_field(f"fh_{name}", fast=True)
    builder.add_float_field("lat", fast=True)
    builder.add_float_field("lon", fast=True)
    builder.add_integer_field("next_meeting", fast=True)
    builder.add_integer_field("updated_at", fast=True)
    return builder.build()


SCHEMA = _schema()


def prepare_index(index: tantivy.Index) -> tantivy.Index:
    """Register the analyzers on an opened index and leave reloading to the engine."""
    index.register_tokenizer("da_word", _analyzer(stem=False))
    index.register_tokenizer("da_stem", _analyzer(stem=True))
    index.config_reader(reload_policy="manual")
    return index


def hash_key(text: str) -> int:
    """Return a 64-bit hash (of an id, or of a facet's values)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def _number(value: Any, low: float, high: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and low <= value <= high else None


def normalise(document: Mapping[str, Any]) -> dict[str, Any]:
    """Return the document with every Document key, clean strings and checked numbers."""
    doc_id = document.get("id")
    if not isinstance(doc_id, str) or not clean(doc_id):
        raise InvalidDocument("a document needs a non-empty string id")
    doc: dict[str, Any] = {name: clean(str(document.get(name) or "")) for name in TEXT_FIELDS}
    doc["id"] = clean(doc_id)
    for name in LIST_FIELDS:
        doc[name] = sorted({clean(str(value)) for value in document.get(name) or ()})
    doc["is_free"] = bool(document.get("is_free"))
    doc["is_remote"] = bool(document.get("is_remote"))
    doc["lat"] = _number(document.get("lat"), -90, 90)
    doc["lon"] = _number(document.get("lon"), -180, 180)
    next_meeting = _number(document.get("next_meeting"), -2e18, 2e18)
    doc["next_meeting"] = None if next_meeting is None else int(next_meeting)
    doc["updated_at"] = int(_number(document.get("updated_at"), -2e18, 2e18) or 0)
    return doc


def is_located(doc: Mapping[str, Any]) -> bool:
    """Return whether a normalised document has a place a radius can cut."""
    return not doc["is_remote"] and doc["lat"] is not None and doc["lon"] is not None


def _parts(folded: str) -> str:
    return " ".join(stem(piece) for word in folded.split() for piece in split_compound(word))


def _facet_values(doc: Mapping[str, Any]) -> dict[str, str]:
    """Return each facet's values of a document, joined by SEPARATOR."""
    values = {name: SEPARATOR.join(doc[name]) for name in LIST_FIELDS}
    values["municipality"] = doc["municipality"]
    values["is_free"] = "true" if doc["is_free"] else "false"
    return values


def to_tantivy_document(doc: dict[str, Any]) -> tantivy.Document:
    """Return the Tantivy document for a normalised document."""
    result = tantivy.Document()
    result.add_text("id", doc["id"])
    result.add_unsigned("key", hash_key(doc["id"]))
    result.add_bytes("doc", json.dumps(doc, ensure_ascii=False).encode())
    _add_text(result, doc)
    for name in LIST_FIELDS:
        for value in doc[name]:
            result.add_text(name, value)
    result.add_text("municipality", doc["municipality"])
    for name, values in _facet_values(doc).items():
        result.add_text(f"fc_{name}", values)
        result.add_unsigned(f"fh_{name}", hash_key(values))
    if doc["is_free"]:
        result.add_text("flag", "free")
    _add_place(result, doc)
    if doc["next_meeting"] is not None:
        result.add_integer("next_meeting", doc["next_meeting"])
    result.add_integer("updated_at", doc["updated_at"])
    return result


def _add_text(result: tantivy.Document, doc: Mapping[str, Any]) -> None:
    """Add the title and body field groups (see the module docstring)."""
    body = " ".join(doc[name] for name in TEXT_FIELDS[1:] if name != "municipality")
    for group, text in (("title", fold_text(doc["title"])), ("body", fold_text(body))):
        result.add_text(f"{group}_word", text)
        result.add_text(f"{group}_stem", text)
        result.add_text(f"{group}_part", _parts(text))
        result.add_text("all_word", text)
        result.add_text("all_stem", text)


def _add_place(result: tantivy.Document, doc: Mapping[str, Any]) -> None:
    """Add the kind (located, remote or elsewhere), coordinates and grid cells."""
    if doc["is_remote"]:
        result.add_text("flag", "remote")
        result.add_text("cell", "remote")  # lets a circle and remote offers be one term set
    located = is_located(doc)
    result.add_text("kind", "located" if located else "remote" if doc["is_remote"] else "elsewhere")
    if located:
        result.add_float("lat", doc["lat"])
        result.add_float("lon", doc["lon"])
        for term in cell_terms(doc["lat"], doc["lon"]):
            result.add_text("cell", term)
