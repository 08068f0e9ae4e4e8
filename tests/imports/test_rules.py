"""What an import does: all or nothing, idempotent by external id, dry runs, who may import."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.extensions import db
from portal.mail.models import MailMessage
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.offers.models import Service, ServiceStatus
from tests.helpers import csrf_token
from tests.imports.conftest import csv_file, csv_row, outcomes, problems


def _offers(organization) -> list[Service]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(
        db.session.scalars(
            sa.select(Service)
            .where(Service.organization_id == organization.id)
            .order_by(Service.external_id)
        )
    )


def _versions(service: Service) -> list[VersionEvent]:
    return list(
        db.session.scalars(
            sa.select(ServiceVersion.event)
            .where(ServiceVersion.service_id == service.id)
            .order_by(ServiceVersion.number)
        )
    )


def _confirm(client, organization, token: str):  # type: ignore[no-untyped-def]
    """Press "Importér nu" for the upload kept under ``token``."""
    path = f"/forening/{organization.id}/import"
    return client.post(
        f"{path}/gem", data={"csrf_token": csrf_token(client, path), "upload": token}
    )


def test_a_second_run_changes_nothing_and_a_changed_row_updates_its_offer(
    member, organization, upload
) -> None:
    rows = [csv_row("a", "Fællesspisning"), csv_row("b", "Gåtur", aktiviteter="motion-gaature")]
    first = upload(organization, csv_file(*rows))
    assert first.status_code == 200, first.get_data(as_text=True)
    offers = _offers(organization)
    updated_at = {o.external_id: o.updated_at for o in offers}
    versions = {o.external_id: _versions(o) for o in offers}

    again = upload(organization, csv_file(*rows))

    assert outcomes(again.get_data(as_text=True)) == [("a", "Uændret"), ("b", "Uændret")]
    assert "0 nye tilbud" in again.get_data(as_text=True)
    offers = _offers(organization)
    assert {o.external_id: o.updated_at for o in offers} == updated_at
    assert {o.external_id: _versions(o) for o in offers} == versions

    changed = [rows[0], csv_row("b", "Gåtur ved fjorden", aktiviteter="motion-gaature")]
    third = upload(organization, csv_file(*changed))

    assert outcomes(third.get_data(as_text=True)) == [("a", "Uændret"), ("b", "Ændret")]
    a, b = _offers(organization)
    assert b.name == "Gåtur ved fjorden"
    assert _versions(b) == [*versions["b"], VersionEvent.IMPORTED]
    assert _versions(a) == versions["a"]
    assert len(_offers(organization)) == 2


def test_changing_times_place_and_terms_updates_only_those(member, organization, upload) -> None:
    upload(organization, csv_file(csv_row("a", "Spis")))
    [before] = _offers(organization)
    first_location = before.service_at_locations[0].location_id

    changed_row = csv_row(
        "a",
        "Spis",
        tidspunkter="2. torsdag 12-14; efter aftale",
        målgrupper="Ældre; Efterladte",
        postnummer="7100",
        by="Vejle",
    )

    result = upload(organization, csv_file(changed_row))

    assert outcomes(result.get_data(as_text=True)) == [("a", "Ændret")]
    [after] = _offers(organization)
    assert sorted(s.byday or "" for s in after.schedules) == ["", "2TH"]
    assert {t.code for t in after.terms_of("maalgruppe")} == {"aeldre", "efterladte"}
    [link] = after.service_at_locations
    assert link.location.city == "Vejle" and link.location.municipality_code == "630"
    assert link.location_id != first_location
    same_again = upload(organization, csv_file(changed_row)).get_data(as_text=True)
    assert outcomes(same_again) == [("a", "Uændret")]


def test_an_error_in_row_3_of_5_saves_nothing(member, organization, upload) -> None:
    rows = [csv_row(f"r{n}", f"Tilbud {n}") for n in range(1, 6)]
    rows[2] = csv_row("r3", "Tilbud 3", postnummer="77")

    result = upload(organization, csv_file(*rows))

    page = result.get_data(as_text=True)
    assert result.status_code == 422
    assert problems(page) == [("4", "postnummer", "»77« er ikke et postnummer. Skriv 4 cifre.")]
    assert "Der er én fejl i filen. Intet er gemt." in page
    assert _offers(organization) == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceVersion)) == 0


def test_an_error_found_while_writing_also_saves_nothing(
    member, organization, upload, make_offer
) -> None:
    upload(organization, csv_file(csv_row("keep", "Beholdes")))
    rows = [
        csv_row("keep", "Ændret titel"),
        csv_row("new", "Ny", postnummer="9990", by="Ingensteds"),
    ]

    result = upload(organization, csv_file(*rows))

    assert result.status_code == 422
    assert "kan ikke finde »9990 Ingensteds« på kortet" in result.get_data(as_text=True)
    assert [o.name for o in _offers(organization)] == ["Beholdes"]


def test_a_dry_run_saves_nothing_then_imports_the_same_file_on_request(
    client, member, organization, upload
) -> None:
    result = upload(organization, csv_file(csv_row("a", "Spis"), csv_row("b", "Gå")), dry_run=True)

    page = result.get_data(as_text=True)
    assert result.status_code == 200
    assert "Prøvekørsel: intet er gemt endnu" in page
    assert outcomes(page) == [("a", "Ny"), ("b", "Ny")]
    assert _offers(organization) == []
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', page)[1]

    confirm = _confirm(client, organization, token)

    assert confirm.status_code == 200
    assert "Tilbuddene er importeret" in confirm.get_data(as_text=True)
    assert [o.external_id for o in _offers(organization)] == ["a", "b"]
    again = _confirm(client, organization, token)
    assert again.status_code == 302, "the kept copy is gone once imported"


def test_the_kept_copy_belongs_to_its_uploader(
    client, make_user, switch_user, member, organization, upload
) -> None:
    page = upload(organization, csv_file(csv_row("a", "Spis")), dry_run=True).get_data(as_text=True)
    token = re.search(r'name="upload" type="hidden" value="([^"]+)"', page)[1]
    switch_user(make_user(organization=organization))

    result = _confirm(client, organization, token)

    assert result.status_code == 302
    assert _offers(organization) == []
    for bad in ("../../secret_key", "x" * 43):
        response = _confirm(client, organization, bad)
        assert response.status_code == 302


def test_unverified_associations_go_to_review_with_one_mail_per_admin(
    make_organization, make_user, login, upload
) -> None:
    organization = make_organization(name="Ny forening", is_verified=False)
    make_user(email="admin@example.org", is_admin=True)
    login(make_user(organization=organization))

    result = upload(organization, csv_file(*(csv_row(f"n{n}", f"Tilbud {n}") for n in range(3))))

    assert result.status_code == 200, result.get_data(as_text=True)
    assert "Venter på godkendelse" in result.get_data(as_text=True)
    offers = _offers(organization)
    assert {o.status for o in offers} == {ServiceStatus.PENDING_REVIEW}
    assert _versions(offers[0]) == [VersionEvent.SUBMITTED]
    mails = list(db.session.scalars(sa.select(MailMessage.to_address)))
    assert mails == ["admin@example.org"]


def test_verified_associations_publish_and_drafts_stay_drafts(member, organization, upload) -> None:
    upload(organization, csv_file(csv_row("live", "Offentlig")))
    upload(organization, csv_file(csv_row("draft", "Kladde")), as_drafts=True)

    live, draft = sorted(_offers(organization), key=lambda o: o.external_id != "live")
    assert live.status is ServiceStatus.PUBLISHED and live.last_confirmed_at is not None
    assert _versions(live) == [VersionEvent.PUBLISHED]
    assert draft.status is ServiceStatus.DRAFT
    assert _versions(draft) == [VersionEvent.IMPORTED]


def test_only_members_and_admins_may_import(
    client, make_organization, make_user, switch_user, member, organization
) -> None:
    other = make_organization(name="Naboforeningen")
    for path in (f"/forening/{other.id}/import", f"/forening/{other.id}/import/skabelon.csv"):
        assert client.get(path).status_code == 404
    token = csrf_token(client, f"/forening/{organization.id}/import")
    posted = client.post(f"/forening/{other.id}/import", data={"csrf_token": token})
    assert posted.status_code == 404
    assert client.get("/forening/ikke-et-id/import").status_code == 404

    switch_user(make_user(is_admin=True))
    assert client.get(f"/forening/{other.id}/import").status_code == 200


def test_signed_out_visitors_are_sent_to_sign_in(client, organization) -> None:
    response = client.get(f"/forening/{organization.id}/import")

    assert response.status_code == 302
    assert "/log-ind" in response.headers["Location"] or "login" in response.headers["Location"]


def test_the_form_asks_for_a_file_next_to_the_field(client, member, organization) -> None:
    path = f"/forening/{organization.id}/import"
    page = client.get(path).get_data(as_text=True)
    assert 'id="dry_run" name="dry_run" value="y" aria-describedby="dry_run-hint" checked' in page

    response = client.post(path, data={"csrf_token": csrf_token(client, path)})

    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert '<a href="#file">Vælg den fil, du vil importere.</a>' in page
    assert 'aria-invalid="true"' in page and 'aria-describedby="file-hint file-error"' in page
    assert "checked" not in page.split('id="dry_run"')[1].split(">")[0], "the choice is kept"


def test_a_missing_csrf_token_is_refused(client, member, organization) -> None:
    response = client.post(f"/forening/{organization.id}/import", data={})

    assert response.status_code == 400


def test_columns_left_out_keep_what_the_offer_has(member, organization, upload) -> None:
    upload(organization, csv_file(csv_row("a", "Spis", praktisk="Høreslynge")))
    [before] = _offers(organization)
    kept = (
        [s.byday for s in before.schedules],
        [link.location_id for link in before.service_at_locations],
        [c.email for c in before.contacts],
    )
    short = "ekstern_id;titel;beskrivelse"

    same = upload(organization, csv_file("a;Spis;Vi mødes og hygger os.", headings=short))
    renamed = upload(organization, csv_file("a;Spis sammen;Vi mødes og hygger os.", headings=short))

    assert outcomes(same.get_data(as_text=True)) == [("a", "Uændret")]
    assert outcomes(renamed.get_data(as_text=True)) == [("a", "Ændret")]
    [after] = _offers(organization)
    assert after.name == "Spis sammen"
    assert {t.code for t in after.terms_of("praktisk")} == {"hoereslynge", "gratis"}
    assert kept == (
        [s.byday for s in after.schedules],
        [link.location_id for link in after.service_at_locations],
        [c.email for c in after.contacts],
    )


def test_online_alone_adds_a_virtual_place_and_keeps_the_address(
    member, organization, upload
) -> None:
    upload(organization, csv_file(csv_row("a", "Spis")))
    headings = "ekstern_id;titel;beskrivelse;online"

    result = upload(organization, csv_file("a;Spis;Vi mødes og hygger os.;ja", headings=headings))

    assert outcomes(result.get_data(as_text=True)) == [("a", "Ændret")]
    [offer] = _offers(organization)
    places = sorted(
        (link.location.location_type.value, link.location.city or link.location.name)
        for link in offer.service_at_locations
    )
    assert places == [("physical", "Thisted"), ("virtual", "Online")]
    assert "online" in {t.code for t in offer.terms_of("praktisk")}

    new = upload(organization, csv_file("b;Snak;Vi snakker.;nej", headings=headings))

    assert problems(new.get_data(as_text=True)) == [
        (
            "2",
            "postnummer",
            "Et nyt tilbud skal have et sted: tilføj kolonnerne postnummer og by – eller "
            "online, telefon eller landsdækkende.",
        )
    ]
