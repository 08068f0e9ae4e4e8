"""Reading the CSV template: encodings, delimiters, headings, limits and hostile cells."""

from __future__ import annotations

import codecs

import sqlalchemy as sa

from portal.extensions import db
from portal.moderation.models import ServiceVersion
from portal.offers.models import LocationType, Service, ServiceStatus
from tests.imports.conftest import HEADINGS, csv_file, csv_row, problems


def _offers(organization) -> list[Service]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Service)
            .where(Service.organization_id == organization.id)
            .order_by(Service.external_id)
        )
    )


def test_the_template_downloads_for_excel_and_imports_as_it_is(
    client, member, organization, upload
) -> None:
    response = client.get(f"/forening/{organization.id}/import/skabelon.csv")

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.data
    assert data.startswith(codecs.BOM_UTF8), "Excel needs the BOM to read æ, ø and å"
    headings, example = data.decode("utf-8-sig").splitlines()
    assert headings.split(";")[:3] == ["ekstern_id", "titel", "beskrivelse"]
    assert "målgrupper" in headings and "landsdækkende" in headings

    result = upload(organization, data, "skabelon.csv")

    assert result.status_code == 200, result.get_data(as_text=True)
    page = result.get_data(as_text=True)
    assert "Tilbuddene er importeret" in page
    [offer] = _offers(organization)
    assert offer.external_id == "thisted-spis-1"
    assert offer.name == "Fællesspisning i Medborgerhuset"
    assert offer.status is ServiceStatus.PUBLISHED
    assert offer.is_free is False and offer.price_text == "40 kr. for maden"
    assert {t.code for t in offer.terms_of("maalgruppe")} == {"aeldre", "alle"}
    assert {t.code for t in offer.terms_of("praktisk")} >= {"koerestolsadgang", "vaert"}
    [link] = offer.service_at_locations
    assert link.location.city == "Thisted" and link.location.municipality_code == "787"
    assert link.location.latitude is not None
    assert sorted(s.byday for s in offer.schedules) == ["1SU", "TU"]
    assert [(c.name, c.email) for c in offer.contacts] == [("Karen Jensen", "karen@example.dk")]
    assert [p.number for p in offer.phones] == ["+45 20 30 40 50"]
    assert offer.url == "https://www.example.dk/spisning"


def test_windows_1252_with_semicolons_from_danish_excel(member, organization, upload) -> None:
    text = "\r\n".join(
        [HEADINGS, csv_row("å1", "Strikkeklub på Æblegården", målgrupper="ældre; Pårørende")]
    )

    result = upload(organization, text.encode("cp1252"))

    assert result.status_code == 200, result.get_data(as_text=True)
    [offer] = _offers(organization)
    assert offer.name == "Strikkeklub på Æblegården"
    assert offer.external_id == "å1"
    assert {t.code for t in offer.terms_of("maalgruppe")} == {"aeldre", "paaroerende"}


def test_commas_and_a_byte_order_mark_work_too(member, organization, upload) -> None:
    headings = "Ekstern_ID,Titel,Beskrivelse,postnummer,by"
    rows = ['k1,"Gåtur, hver uge",Vi går en tur.,7100,Vejle']

    result = upload(organization, codecs.BOM_UTF8 + csv_file(*rows, headings=headings))

    assert result.status_code == 200, result.get_data(as_text=True)
    [offer] = _offers(organization)
    assert offer.name == "Gåtur, hver uge"
    assert offer.service_at_locations[0].location.municipality_code == "630"


def test_bytes_that_are_no_text_get_a_clear_error(member, organization, upload) -> None:
    undefined_in_cp1252 = b"ekstern_id;titel\r\n\x81\x8d\x8f\x90\x9d;x\r\n"
    utf16_without_bom = csv_file(csv_row("a", "Spis")).decode().encode("utf-16-le")
    binary = bytes(range(256)) * 20

    for data in (undefined_in_cp1252, utf16_without_bom, binary):
        result = upload(organization, data)

        assert result.status_code == 422
        assert "Filen er ikke en CSV-fil i UTF-8" in result.get_data(as_text=True)
    assert _offers(organization) == []


def test_an_excel_workbook_is_recognised(member, organization, upload) -> None:
    result = upload(organization, b"PK\x03\x04" + b"\x00" * 100, "tilbud.xlsx")

    assert result.status_code == 422
    assert "Excel-regneark, ikke en CSV-fil" in result.get_data(as_text=True)


def test_a_nul_byte_is_refused(member, organization, upload) -> None:
    data = csv_file(csv_row("a", "Spis"), csv_row("b", "Snak\x00 sammen"))

    result = upload(organization, data)

    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "NUL-tegn" in page and "linje 3" in page
    assert _offers(organization) == []


def test_missing_columns_are_named_in_one_error(member, organization, upload) -> None:
    result = upload(organization, csv_file("x1;7700", headings="ekstern_id;postnummer"))

    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Filen mangler 2 påkrævede kolonner: titel, beskrivelse" in page
    assert page.count("påkrævede kolonner") == 1


def test_unknown_columns_are_a_warning_and_the_portal_decides_organisation_and_status(
    make_organization, member, organization, upload
) -> None:
    other = make_organization(name="En anden forening")
    headings = HEADINGS + ";organisation_id;status;published_at;id;farve"
    row = csv_row("s1", "Spis") + f";{other.id};published;2020-01-01;{other.id};blå"
    organization.is_verified = False
    db.session.commit()

    result = upload(organization, csv_file(row, headings=headings))

    page = result.get_data(as_text=True)
    assert result.status_code == 200, page
    assert "Kolonnen »status« bruges ikke" in page
    assert "Kolonnen »organisation_id« bruges ikke" in page
    assert "Portalen kender ikke kolonnen »farve«" in page
    [offer] = _offers(organization)
    assert offer.status is ServiceStatus.PENDING_REVIEW, "an unverified association is reviewed"
    assert offer.published_at is None
    assert _offers(other) == []


def test_a_file_over_the_size_limit_gets_a_clear_413_page(member, organization, upload) -> None:
    too_big = csv_file(csv_row("a", "Spis")) + b" " * (5 * 1024 * 1024)

    result = upload(organization, too_big)

    assert result.status_code == 413
    page = result.get_data(as_text=True)
    assert "Filen er for stor" in page and "5 MB" in page
    assert _offers(organization) == []


def test_files_above_the_site_wide_limit_are_read_on_this_page(
    app, member, organization, upload
) -> None:
    assert app.config["MAX_CONTENT_LENGTH"] < 1_500_000
    padding = "\r\n".join([";" * 10] * 140_000)
    data = csv_file(csv_row("a", "Spis")) + padding.encode()
    assert len(data) > 1_500_000

    result = upload(organization, data)

    assert result.status_code == 200, result.get_data(as_text=True)[:2000]
    assert len(_offers(organization)) == 1


def test_more_than_2000_rows_are_refused(member, organization, upload) -> None:
    rows = [f"id{n};Tilbud {n};Tekst" for n in range(2001)]

    result = upload(organization, csv_file(*rows, headings="ekstern_id;titel;beskrivelse"))

    assert result.status_code == 422
    assert "2.001 rækker med tilbud; der kan højst være 2.000" in result.get_data(as_text=True)


def test_a_cell_over_its_length_says_how_long_it_may_be(member, organization, upload) -> None:
    result = upload(organization, csv_file(csv_row("a", "x" * 201)))

    assert result.status_code == 422
    assert "Teksten er 201 tegn lang; der er plads til 200" in result.get_data(as_text=True)


def test_formula_like_cells_are_stored_as_text_and_shown_escaped(
    client, member, organization, upload
) -> None:
    title = '=HYPERLINK("https://evil.example","Klik her")'
    description = '<script>alert("hej")</script> og <b>fed</b>'
    row = csv_row("f1", title, beskrivelse=description)

    result = upload(organization, csv_file(row))

    page = result.get_data(as_text=True)
    assert result.status_code == 200, page
    assert "ligner en regnearksformel" in page
    assert "=HYPERLINK(&#34;https://evil.example&#34;,&#34;Klik her&#34;)" in page
    [offer] = _offers(organization)
    assert offer.name == title
    assert offer.description == description
    public = client.get(f"/tilbud/{offer.id}").get_data(as_text=True)
    assert '<script>alert("hej")' not in public
    assert "&lt;script&gt;" in public
    assert '<a href="https://evil.example"' not in public


def test_row_errors_name_the_row_the_column_and_what_to_do(member, organization, upload) -> None:
    rows = [
        csv_row("a", "Spis"),
        csv_row("b", "", gratis="måske"),
        csv_row("c", "Gå", målgrupper="Ældre; Strikkere", tidspunkter="tirsdag 16-14"),
        csv_row("a", "Spis igen"),
    ]

    result = upload(organization, csv_file(*rows))

    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Der er 5 fejl i filen. Intet er gemt." in page
    listed = [(row, column, message.split(".")[0]) for row, column, message in problems(page)]
    assert listed == [
        ("3", "titel", "Skal udfyldes"),
        ("3", "gratis", "Skriv ja eller nej, ikke »måske«"),
        ("4", "målgrupper", "»Strikkere« er ikke en målgruppe, portalen kender"),
        ("4", "tidspunkter", "Sluttidspunktet skal være efter starttidspunktet i »tirsdag 16-14«"),
        ("5", "ekstern_id", "»a« står også i række 2"),
    ]
    assert _offers(organization) == []


def test_a_new_offer_needs_a_place_the_map_knows(member, organization, upload) -> None:
    rows = [csv_row("a", "Spis", postnummer="9999", by="Atlantis")]

    result = upload(organization, csv_file(*rows))

    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert "Portalen kan ikke finde »9999 Atlantis« på kortet" in page
    assert _offers(organization) == []


def test_online_offers_get_a_virtual_place(member, organization, upload) -> None:
    headings = "ekstern_id;titel;beskrivelse;online;landsdækkende"

    result = upload(
        organization, csv_file("n1;Snak online;Vi ses på video.;ja;ja", headings=headings)
    )

    assert result.status_code == 200, result.get_data(as_text=True)
    [offer] = _offers(organization)
    [link] = offer.service_at_locations
    assert link.location.location_type is LocationType.VIRTUAL
    assert link.location.name == "Online"
    assert {t.code for t in offer.terms_of("praktisk")} >= {"online", "landsdaekkende"}
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceVersion)) >= 1


def test_strangers_keep_the_site_wide_size_limit(client, organization) -> None:
    response = client.post(
        f"/forening/{organization.id}/import", data={"file": "x" * (2 * 1024 * 1024)}
    )

    assert response.status_code == 413
    assert _offers(organization) == []
