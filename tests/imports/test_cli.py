"""`portal import offers FILE --organization ID`: the same import from the command line."""

from __future__ import annotations

import sqlalchemy as sa

from portal.extensions import db
from portal.imports.csv_format import template_csv
from portal.offers.models import Service, ServiceStatus
from tests.imports.conftest import csv_file, csv_row


def _offers(organization) -> list[Service]:  # type: ignore[no-untyped-def]
    db.session.expire_all()
    return list(
        db.session.scalars(sa.select(Service).where(Service.organization_id == organization.id))
    )


def test_dry_run_then_import_prints_the_report(runner, organization, tmp_path) -> None:
    path = tmp_path / "skabelon.csv"
    path.write_bytes(template_csv())
    args = ["import", "offers", str(path), "--organization", str(organization.id)]

    dry = runner.invoke(args=[*args, "--dry-run"])

    assert dry.exit_code == 0, dry.output
    assert "Række 2: Ny – Fællesspisning i Medborgerhuset (thisted-spis-1)" in dry.output
    assert "Prøvekørsel: intet er gemt." in dry.output
    assert _offers(organization) == []

    real = runner.invoke(args=[*args, "--as-drafts"])

    assert real.exit_code == 0, real.output
    assert "1 nye, 0 ændrede, 0 uændrede." in real.output
    [offer] = _offers(organization)
    assert offer.status is ServiceStatus.DRAFT
    assert "uændrede" in runner.invoke(args=args).output
    assert "Række 2: Uændret" in runner.invoke(args=args).output


def test_errors_fail_the_command_and_save_nothing(runner, organization, tmp_path) -> None:
    path = tmp_path / "fejl.csv"
    path.write_bytes(csv_file(csv_row("a", "Spis"), csv_row("b", "Gå", postnummer="12")))

    result = runner.invoke(
        args=["import", "offers", str(path), "--organization", str(organization.id)]
    )

    assert result.exit_code == 1
    assert "Fejl: Række 3, postnummer: »12« er ikke et postnummer." in result.output
    assert "Intet er importeret: 1 fejl." in result.output
    assert _offers(organization) == []


def test_an_unknown_organisation_is_refused(runner, tmp_path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(template_csv())

    for organization_id in ("ikke-et-id", "00000000-0000-0000-0000-000000000000"):
        result = runner.invoke(
            args=["import", "offers", str(path), "--organization", organization_id]
        )

        assert result.exit_code == 1
        assert "no organisation with id" in result.output
