"""Read Open Referral HSDS 3.0 JSON into offers: a list of services, or {"services": [...]}.

The nested objects are flattened by the open-data import's own collector
(``portal.api.dataset.collect_json``), so both read HSDS the same way;
``hsds_offers`` then gathers each service's places, times, terms and contacts
back into one offer. The HSDS id becomes the offer's external id. Only what
makes an offer unusable is an error; values another system got wrong are
left out with a warning.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from portal.api.dataset import collect_json
from portal.imports.csv_format import MAX_ROWS
from portal.imports.hsds_offers import OfferReader
from portal.imports.report import ParsedFile, Problem
from portal.imports.values import Vocabulary

Row = dict[str, Any]


def looks_like_json(text: str) -> bool:
    """Return whether decoded file text is JSON rather than CSV."""
    return text.lstrip("\ufeff \t\r\n")[:1] in ("[", "{")


def read_hsds(text: str, vocabulary: Vocabulary) -> ParsedFile:
    """Read an HSDS JSON document into offers, with every problem found on the way."""
    parsed = ParsedFile("hsds")
    try:
        document = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        parsed.errors.append(
            Problem(
                None,
                "",
                _(
                    "Filen er ikke gyldig JSON: fejl i linje %(line)d, kolonne %(column)d.",
                    line=error.lineno,
                    column=error.colno,
                ),
            )
        )
        return parsed
    except RecursionError:
        parsed.errors.append(Problem(None, "", _("Filen er ikke gyldig JSON: den er for dyb.")))
        return parsed
    services = _services(document, parsed)
    if parsed.errors:
        return parsed
    dataset: Row = {"services": services}
    if isinstance(document, dict):
        for name in ("taxonomies", "taxonomy_terms"):
            if isinstance(document.get(name), list):
                dataset[name] = document[name]
    tables, _problems, _ignored = collect_json(dataset)
    reader = OfferReader(tables, vocabulary, parsed)
    for position, service in enumerate(services, start=1):
        offer = reader.offer(position, service)
        if offer is not None:
            parsed.offers.append(offer)
    if any(("organization" in s or "organization_id" in s or "status" in s) for s in services):
        parsed.warnings.append(
            Problem(
                None,
                "organization, status",
                _(
                    "Felterne organization og status i filen bruges ikke: tilbuddene hører til "
                    "foreningen, du importerer for, og deres status følger portalens regler."
                ),
            )
        )
    return parsed


def _services(document: Any, parsed: ParsedFile) -> list[Row]:
    """Return the list of service objects, checking the shape the import needs."""
    if isinstance(document, dict) and isinstance(document.get("services"), list):
        items = document["services"]
    elif isinstance(document, dict) and "id" in document and "name" in document:
        items = [document]
    elif isinstance(document, list):
        items = document
    else:
        parsed.errors.append(
            Problem(
                None,
                "",
                _(
                    "JSON-filen skal være en liste af tilbud (HSDS-services) eller et objekt "
                    "med en liste »services«."
                ),
            )
        )
        return []
    if not items:
        parsed.errors.append(Problem(None, "services", _("Listen af tilbud er tom.")))
    if len(items) > MAX_ROWS:
        parsed.errors.append(
            Problem(
                None,
                "services",
                _(
                    "Filen har %(count)d tilbud; der kan højst være %(limit)d ad gangen.",
                    count=len(items),
                    limit=MAX_ROWS,
                ),
            )
        )
        return []
    seen: dict[str, int] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            parsed.errors.append(
                Problem(position, "", _("Tilbuddet skal være et JSON-objekt med id og name."))
            )
            continue
        key = item.get("id")
        if not isinstance(key, str | int) or isinstance(key, bool) or not str(key).strip():
            parsed.errors.append(Problem(position, "id", _("Tilbuddet mangler et id.")))
        elif len(str(key)) > 100:
            parsed.errors.append(Problem(position, "id", _("Id'et er længere end 100 tegn.")))
        elif str(key) in seen:
            parsed.errors.append(
                Problem(
                    position,
                    "id",
                    _("Id'et står også ved tilbud %(row)d.", row=seen[str(key)]),
                )
            )
        else:
            seen[str(key)] = position
        name = item.get("name")
        if not isinstance(name, str) or not name.strip():
            parsed.errors.append(Problem(position, "name", _("Tilbuddet mangler et navn.")))
        elif len(name) > 200:
            parsed.errors.append(Problem(position, "name", _("Navnet er længere end 200 tegn.")))
    return items
