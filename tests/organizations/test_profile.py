"""Creating and editing an organisation's profile."""

from __future__ import annotations

import re

import sqlalchemy as sa

from portal.accounts.models import MemberRole, Membership
from portal.extensions import db
from portal.organizations.models import Organization
from tests.organizations.conftest import text

VALID_CVR = "13585628"


def profile(**overrides: str) -> dict[str, str]:
    """Return a complete, valid profile form."""
    values = {
        "name": "Strikkeklubben Thy",
        "cvr": "",
        "description": "Vi strikker og drikker kaffe.",
        "website": "",
        "email": "",
        "phone": "",
        "address": "Skolevej 12",
        "postal_code": "7700",
        "city": "",
    }
    return {**values, **overrides}


def organizations_named(name: str) -> list[Organization]:
    return list(db.session.scalars(sa.select(Organization).where(Organization.name == name)))


def test_creator_becomes_owner_and_the_postcode_gives_city_and_kommune(
    client, login, make_user, post, postcodes
) -> None:
    user = make_user()
    login(user)

    response = post(
        client,
        "/forening/ny",
        profile(
            cvr="1358 5628",
            website="www.strikkeklubben.dk",
            email="kontakt@strikkeklubben.dk",
            phone="20 12 34 56",
        ),
    )

    [organization] = organizations_named("Strikkeklubben Thy")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/forening/{organization.id}"
    assert organization.cvr == VALID_CVR
    assert organization.website == "https://www.strikkeklubben.dk"
    assert organization.city == "Thisted"
    assert organization.municipality_code == "787"
    assert [phone.number for phone in organization.phones] == ["+4520123456"]
    membership = db.session.scalar(
        sa.select(Membership).where(Membership.organization_id == organization.id)
    )
    assert membership.user_id == user.id
    assert membership.role is MemberRole.OWNER
    dashboard = client.get(response.headers["Location"])
    assert dashboard.status_code == 200
    assert "Strikkeklubben Thy" in text(dashboard)


def test_phone_is_shown_as_people_write_it(client, login, make_user, post, postcodes) -> None:
    login(make_user())
    post(client, "/forening/ny", profile(phone="+45 20123456"))
    [organization] = organizations_named("Strikkeklubben Thy")

    page = text(client.get(f"/forening/{organization.id}/profil"))

    assert 'value="20 12 34 56"' in page


def test_bad_input_is_explained_next_to_each_field_and_kept(
    client, login, make_user, post, postcodes
) -> None:
    login(make_user())

    response = post(
        client,
        "/forening/ny",
        profile(
            name="Strikkeklubben Thy",
            cvr="13585627",
            website="javascript:alert(1)",
            phone="12 34",
            email="ikke-en-adresse",
            postal_code="77",
        ),
    )

    page = text(response)
    assert response.status_code == 422
    assert organizations_named("Strikkeklubben Thy") == []
    assert "Der er noget, der skal rettes" in page
    assert "CVR-nummeret findes ikke" in page
    assert "Skriv en adresse, der begynder med https://" in page
    assert "Telefonnummeret findes ikke" in page
    assert "Skriv en e-mailadresse" in page
    assert "Et postnummer har 4 cifre" in page
    # What was typed stays, and each message is tied to its field.
    assert 'value="13585627"' in page
    assert 'value="javascript:alert(1)"' in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="cvr-hint cvr-error"' in page
    assert '<a href="#cvr">' in page


def test_data_and_ftp_addresses_are_refused(client, login, make_user, post, postcodes) -> None:
    login(make_user())
    for website in ("data:text/html,<b>hej</b>", "ftp://forening.dk", "JAVASCRIPT:alert(1)"):
        response = post(client, "/forening/ny", profile(website=website))
        assert response.status_code == 422, website
    assert organizations_named("Strikkeklubben Thy") == []


def test_name_is_required(client, login, make_user, post, postcodes) -> None:
    login(make_user())

    response = post(client, "/forening/ny", profile(name="   "))

    assert response.status_code == 422
    assert "Skriv foreningens navn." in text(response)


def test_unknown_postcode_is_refused_once_the_postcode_list_is_imported(
    client, login, make_user, post, postcodes
) -> None:
    login(make_user())

    response = post(client, "/forening/ny", profile(postal_code="0999"))

    assert response.status_code == 422
    assert "Postnummeret 0999 findes ikke." in text(response)
    assert organizations_named("Strikkeklubben Thy") == []


def test_without_a_postcode_list_the_typed_city_is_kept(client, login, make_user, post) -> None:
    login(make_user())

    post(client, "/forening/ny", profile(postal_code="7700", city="Thisted"))

    [organization] = organizations_named("Strikkeklubben Thy")
    assert organization.city == "Thisted"
    assert organization.municipality_code is None


def test_html_in_the_name_is_shown_as_text(client, login, make_user, post, postcodes) -> None:
    login(make_user())
    name = '<script>alert("x")</script> Klub'

    response = post(client, "/forening/ny", profile(name=name))
    page = client.get(response.headers["Location"]).get_data(as_text=True)

    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Klub" in page


def test_posted_verification_and_ids_are_ignored(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    other = make_organization(name="Anden forening")
    login(make_user())

    post(
        client,
        "/forening/ny",
        {**profile(), "is_verified": "1", "id": str(other.id), "organization_id": str(other.id)},
    )

    [organization] = organizations_named("Strikkeklubben Thy")
    assert organization.is_verified is False
    assert organization.id != other.id


def test_an_unconfirmed_email_address_cannot_create(client, login, make_user, post) -> None:
    login(make_user(email_verified_at=None))

    page = client.get("/forening/ny")
    response = post(client, "/forening/ny", profile())

    assert page.status_code == 403
    assert "Bekræft din e-mailadresse først" in text(page)
    assert response.status_code == 403
    assert organizations_named("Strikkeklubben Thy") == []


def test_visitors_are_sent_to_sign_in(client) -> None:
    response = client.get("/forening/ny")

    assert response.status_code == 302
    assert "next=" in response.headers["Location"]


# ---------- A listing nobody manages ----------


def test_same_cvr_without_members_offers_a_claim_link(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    listed = make_organization(name="Strikkeklubben i Thy", cvr=VALID_CVR)
    login(make_user())

    response = post(client, "/forening/ny", profile(cvr=VALID_CVR))

    page = text(response)
    assert "Findes foreningen allerede?" in page
    assert f'href="/forening/{listed.id}/overtag"' in page
    assert organizations_named("Strikkeklubben Thy") == []
    assert 'value="Strikkeklubben Thy"' in page


def test_same_name_in_the_same_kommune_offers_a_claim_link(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    listed = make_organization(name="STRIKKEKLUBBEN THY", municipality_code="787")
    make_organization(name="Strikkeklubben Thy", municipality_code="751")
    login(make_user())

    page = text(post(client, "/forening/ny", profile()))

    assert page.count("/overtag") == 1
    assert f'href="/forening/{listed.id}/overtag"' in page


def test_the_claim_offer_can_be_declined(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    make_organization(name="Strikkeklubben Thy", municipality_code="787")
    login(make_user())

    response = post(
        client, "/forening/ny", {**profile(), "create_anyway": "Nej, opret en ny forening"}
    )

    assert response.status_code == 302
    assert len(organizations_named("Strikkeklubben Thy")) == 2


def test_a_match_that_has_members_is_not_offered(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    managed = make_organization(name="Strikkeklubben Thy", cvr=VALID_CVR)
    make_user(organization=managed)
    login(make_user())

    response = post(client, "/forening/ny", profile(cvr=VALID_CVR))

    assert response.status_code == 302
    assert len(organizations_named("Strikkeklubben Thy")) == 2


# ---------- Editing ----------


def edit_form(organization: Organization, **overrides: str) -> dict[str, str]:
    return {**profile(name=organization.name), "version": str(organization.version), **overrides}


def test_owner_edits_the_profile(client, login, make_user, make_organization, post, postcodes):
    organization = make_organization(name="Gammelt navn")
    login(make_user(organization=organization))

    response = post(
        client,
        f"/forening/{organization.id}/profil",
        edit_form(organization, name="Nyt navn", postal_code="8000", phone="33 12 34 56"),
    )

    assert response.status_code == 302
    db.session.refresh(organization)
    assert organization.name == "Nyt navn"
    assert organization.city == "Aarhus C"
    assert organization.municipality_code == "751"
    assert [phone.number for phone in organization.phones] == ["+4533123456"]


def test_clearing_the_phone_removes_it(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    organization = make_organization(name="Forening")
    login(make_user(organization=organization))
    post(client, f"/forening/{organization.id}/profil", edit_form(organization, phone="20123456"))
    db.session.refresh(organization)

    post(client, f"/forening/{organization.id}/profil", edit_form(organization, phone=""))

    db.session.refresh(organization)
    assert organization.phones == []


def test_a_change_made_meanwhile_is_shown_and_what_was_typed_is_kept(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    organization = make_organization(name="Forening", description="Før")
    login(make_user(organization=organization))
    stale = edit_form(organization, name="Min udgave", description="Min tekst")
    # Someone else saves first.
    organization.description = "Den andens tekst"
    db.session.commit()

    response = post(client, f"/forening/{organization.id}/profil", stale)

    page = text(response)
    assert response.status_code == 409
    assert "Profilen er ændret af en anden, mens du skrev" in page
    assert "Den andens tekst" in page
    assert 'value="Min udgave"' in page
    assert "Min tekst</textarea>" in page
    db.session.refresh(organization)
    assert organization.name == "Forening"
    # Saving the page again, as it now stands, keeps the person's own version.
    version = re.search(r'name="version"[^>]*value="(\d+)"', page) or re.search(
        r'value="(\d+)"[^>]*name="version"', page
    )
    assert version.group(1) == str(organization.version)
    again = post(
        client,
        f"/forening/{organization.id}/profil",
        {**stale, "version": version.group(1)},
    )
    assert again.status_code == 302
    db.session.refresh(organization)
    assert (organization.name, organization.description) == ("Min udgave", "Min tekst")


def test_verification_cannot_be_posted_into_the_profile(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    organization = make_organization(name="Forening")
    login(make_user(organization=organization))

    post(
        client,
        f"/forening/{organization.id}/profil",
        edit_form(organization, is_verified="1", cvr=VALID_CVR),
    )

    db.session.refresh(organization)
    assert organization.cvr == VALID_CVR
    assert organization.is_verified is False


def test_editors_cannot_edit_the_profile(
    client, login, make_user, make_organization, post, postcodes
) -> None:
    organization = make_organization(name="Forening")
    login(make_user(organization=organization, role=MemberRole.EDITOR))

    page = client.get(f"/forening/{organization.id}/profil")
    response = post(client, f"/forening/{organization.id}/profil", edit_form(organization))

    assert page.status_code == 404
    assert response.status_code == 404
    db.session.refresh(organization)
    assert organization.description == "Lokal forening."
