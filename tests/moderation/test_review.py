"""The review cycle: submit, queue, approve or reject, changes after approval, unpublish."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from flask import url_for

from portal.extensions import db
from portal.find.engine import search_engine
from portal.moderation.models import ServiceVersion, VersionEvent
from portal.moderation.publication import apply_edit, submit
from portal.moderation.versions import record_version
from portal.offers.models import ServiceStatus
from tests.helpers import session_csrf_token
from tests.main.test_pages import index_everything
from tests.moderation.conftest import clear_outbox, mails_to, outbox_ids, text, visible


def _events(service) -> list[tuple[VersionEvent, bool]]:
    rows = db.session.execute(
        sa.select(ServiceVersion.event, ServiceVersion.is_published)
        .where(ServiceVersion.service_id == service.id)
        .order_by(ServiceVersion.number)
    )
    return [tuple(row) for row in rows]


@pytest.fixture
def pending(people, make_offer):
    """Return a new organisation's offer, sent for review by its owner."""
    offer = make_offer(
        organization=people.organization, name="Strikkecafé i Hurup", status=ServiceStatus.DRAFT
    )
    submit(offer, people.owner)
    db.session.commit()
    return offer


def test_a_new_organisations_offer_waits_in_the_queue_and_admins_hear_of_it(
    pending, people, client, login
) -> None:
    assert pending.status is ServiceStatus.PENDING_REVIEW
    assert _events(pending) == [(VersionEvent.SUBMITTED, False)]
    [mail] = mails_to(people.admin.email)
    assert "Strikkecafé i Hurup" in mail.body_text
    assert f"/admin/tilbud/{pending.id}" in mail.body_text

    login(people.admin)
    page = text(client.get("/admin/godkendelse"))

    assert "Venter på godkendelse (1)" in page
    assert "Strikkecafé i Hurup" in page
    assert "Nye Venner Thy" in page
    assert "Thisted" in page  # the municipality of its place
    assert "har ventet" in page


def test_the_queue_lists_the_longest_waiting_first(people, make_offer, client, login) -> None:
    for name in ("Først sendt", "Sidst sendt"):
        offer = make_offer(organization=people.organization, name=name, status=ServiceStatus.DRAFT)
        submit(offer, people.owner)
        db.session.commit()

    login(people.admin)
    page = text(client.get("/admin/godkendelse"))

    assert page.index("Først sendt") < page.index("Sidst sendt")


def test_verified_organisations_and_admins_publish_directly(
    make_organization, make_offer, make_user
) -> None:
    verified = make_organization(name="Gammel Forening", is_verified=True)
    member = make_user(organization=verified)
    offer = make_offer(organization=verified, status=ServiceStatus.DRAFT)
    admin = make_user(is_admin=True)
    new_org_offer = make_offer(status=ServiceStatus.DRAFT)

    submit(offer, member)
    submit(new_org_offer, admin)
    db.session.commit()

    assert offer.status is ServiceStatus.PUBLISHED
    assert new_org_offer.status is ServiceStatus.PUBLISHED
    assert mails_to(admin.email) == []


def test_an_admin_approves_and_the_offer_is_published_searchable_and_announced(
    pending, people, client, login, post
) -> None:
    clear_outbox()
    login(people.admin)
    review = text(client.get(f"/admin/tilbud/{pending.id}"))
    assert "Nyt tilbud" in review
    assert "Sådan ser borgerne tilbuddet" in review

    response = post(f"/admin/tilbud/{pending.id}/godkend", {"approve-version": pending.version})

    assert response.status_code == 302
    assert response.location.endswith("/admin/godkendelse")
    db.session.refresh(pending)
    assert pending.status is ServiceStatus.PUBLISHED
    assert pending.last_confirmed_at is not None
    assert _events(pending)[-1] == (VersionEvent.PUBLISHED, True)
    for member in (people.owner, people.editor):
        [mail] = mails_to(member.email)
        assert "er godkendt" in mail.body_text
        assert f"/tilbud/{pending.id}" in mail.body_text
    assert "Strikkecafé i Hurup er godkendt" in text(client.get("/admin/godkendelse"))


def test_approval_reaches_the_search_index_through_the_outbox(pending, people, post, login) -> None:
    clear_outbox()
    login(people.admin)
    assert str(pending.id) not in search_engine().ids()

    post(f"/admin/tilbud/{pending.id}/godkend", {"approve-version": pending.version})

    # The request wrote an outbox row with the change and applied it after the commit.
    assert str(pending.id) in search_engine().ids()
    assert outbox_ids() == set()


def test_a_reason_is_required_to_reject(pending, people, client, login, post) -> None:
    login(people.admin)

    response = post(f"/admin/tilbud/{pending.id}/afvis", {"reject-version": pending.version})

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Skriv en begrundelse" in page
    assert 'aria-invalid="true"' in page
    assert 'href="#reject-reason"' in page  # the error summary links to the field
    db.session.refresh(pending)
    assert pending.status is ServiceStatus.PENDING_REVIEW
    assert mails_to(people.owner.email) == []


def test_a_reason_longer_than_1000_characters_is_refused_and_kept(
    pending, people, login, post
) -> None:
    login(people.admin)
    reason = "for langt " * 101

    response = post(
        f"/admin/tilbud/{pending.id}/afvis",
        {"reject-version": pending.version, "reject-reason": reason},
    )

    assert response.status_code == 400
    assert "Begrundelsen må højst være 1000 tegn." in response.get_data(as_text=True)
    assert reason.strip() in response.get_data(as_text=True)  # nothing typed is lost
    db.session.refresh(pending)
    assert pending.status is ServiceStatus.PENDING_REVIEW


def test_rejecting_sends_the_offer_back_as_a_draft_with_the_reason(
    pending, people, login, post
) -> None:
    login(people.admin)

    response = post(
        f"/admin/tilbud/{pending.id}/afvis",
        {"reject-version": pending.version, "reject-reason": "Skriv venligst, hvor I mødes."},
    )

    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status is ServiceStatus.DRAFT
    version = db.session.scalars(
        sa.select(ServiceVersion)
        .where(ServiceVersion.service_id == pending.id)
        .order_by(ServiceVersion.number.desc())
    ).first()
    assert (
        version.event is VersionEvent.REJECTED and version.note == "Skriv venligst, hvor I mødes."
    )
    for member in (people.owner, people.editor):
        [mail] = mails_to(member.email)
        assert "Skriv venligst, hvor I mødes." in mail.body_text


def test_an_approval_made_on_an_outdated_page_is_refused(
    pending, people, login, post, client
) -> None:
    login(people.admin)
    seen = pending.version
    pending.name = "Strikkecafé i Hurup og Thisted"
    apply_edit(pending, people.owner)
    db.session.commit()

    response = post(f"/admin/tilbud/{pending.id}/godkend", {"approve-version": seen})

    assert response.status_code == 302
    db.session.refresh(pending)
    assert pending.status is ServiceStatus.PENDING_REVIEW
    assert "ændret, efter du åbnede siden" in text(client.get(response.location))


def test_a_change_after_approval_stays_live_and_is_listed_with_its_differences(
    pending, people, client, login, post
) -> None:
    login(people.admin)
    post(f"/admin/tilbud/{pending.id}/godkend", {"approve-version": pending.version})
    db.session.refresh(pending)

    pending.description = "Vi strikker og drikker kaffe hver tirsdag."
    pending.schedules[0].byday = "WE"
    submit(pending, people.owner)
    db.session.commit()

    assert pending.status is ServiceStatus.PUBLISHED  # citizens keep the listing
    queue = text(client.get("/admin/godkendelse"))
    assert "Ændret efter godkendelse (1)" in queue
    assert "Strikkecafé i Hurup" in queue
    review = text(client.get(f"/admin/tilbud/{pending.id}"))
    assert "Ændringer siden en administrator sidst godkendte tilbuddet" in review
    assert "Beskrivelse" in review and "Mødetider" in review
    assert "onsdag" in review

    response = post(f"/admin/tilbud/{pending.id}/set", {"check-version": pending.version})

    assert response.status_code == 302
    queue = text(client.get(response.location))
    assert "Ændringerne i Strikkecafé i Hurup er markeret som set" in queue
    assert "Ændret efter godkendelse (0)" in queue
    assert _events(pending)[-1] == (VersionEvent.PUBLISHED, True)
    # A later change is listed again, compared with the version the admin saw.
    pending.how_to_join = "Ring først til Ole."
    apply_edit(pending, people.editor)
    db.session.commit()
    assert "Ændret efter godkendelse (1)" in text(client.get("/admin/godkendelse"))
    review = text(client.get(f"/admin/tilbud/{pending.id}"))
    assert "Ring først til Ole." in review
    assert "hver tirsdag" not in review.split("Sådan ser borgerne tilbuddet")[0]


def test_an_edit_that_is_undone_leaves_nothing_to_check(
    pending, people, client, login, post
) -> None:
    login(people.admin)
    post(f"/admin/tilbud/{pending.id}/godkend", {"approve-version": pending.version})
    db.session.refresh(pending)
    original = pending.name

    pending.name = "Midlertidigt navn"
    apply_edit(pending, people.owner)
    pending.name = original
    apply_edit(pending, people.owner)
    db.session.commit()

    assert "Ændret efter godkendelse (0)" in text(client.get("/admin/godkendelse"))


def test_verified_organisations_changes_are_not_listed(
    make_organization, make_offer, make_user, client, login
) -> None:
    verified = make_organization(is_verified=True)
    member = make_user(organization=verified)
    offer = make_offer(organization=verified, name="Betroet tilbud")
    offer.name = "Betroet tilbud, nyt navn"
    apply_edit(offer, member)
    db.session.commit()

    login(make_user(is_admin=True))

    assert "Betroet tilbud" not in text(client.get("/admin/godkendelse"))


def test_unpublishing_takes_the_offer_out_of_search_and_tells_the_organisation(
    people, make_offer, login, post
) -> None:
    offer = make_offer(organization=people.organization, name="Gåtur ved Limfjorden")
    index_everything()
    assert str(offer.id) in search_engine().ids()
    login(people.admin)

    missing = post(f"/admin/tilbud/{offer.id}/afpubliser", {"unpublish-version": offer.version})
    assert missing.status_code == 400
    assert "Skriv en begrundelse" in missing.get_data(as_text=True)
    response = post(
        f"/admin/tilbud/{offer.id}/afpubliser",
        {"unpublish-version": offer.version, "unpublish-reason": "Foreningen findes ikke mere."},
    )

    assert response.status_code == 302
    db.session.refresh(offer)
    assert offer.status is ServiceStatus.DRAFT
    assert _events(offer)[-1] == (VersionEvent.UNPUBLISHED, False)
    assert str(offer.id) not in search_engine().ids()
    [mail] = mails_to(people.owner.email)
    assert "Foreningen findes ikke mere." in mail.body_text


def test_admin_home_counts_what_waits_and_links_to_every_queue(
    app, pending, people, client, login
) -> None:
    login(people.admin)

    response = client.get("/admin")

    assert response.status_code == 200
    page = visible(response)
    assert "1 tilbud venter på godkendelse" in page
    assert "0 tilbud er ændret efter godkendelse" in page
    with app.test_request_context():
        links = (url_for("reports.queue"), url_for("organizations.admin_list"))
    for link in links:
        assert f'href="{link}"' in text(response)
    assert "Sådan virker godkendelsen" in page
    assert "verificerede foreninger" in page.lower()


def test_every_link_of_the_admin_home_opens_a_page(pending, people, client, login) -> None:
    login(people.admin)

    html = client.get("/admin").get_data(as_text=True)

    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    links = set(re.findall(r'href="(/[^"#]*)', main))
    assert len(links) >= 3
    for link in sorted(links):
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/admin"),
        ("get", "/admin/godkendelse"),
        ("get", "/admin/tilbud/{id}"),
        ("post", "/admin/tilbud/{id}/godkend"),
        ("post", "/admin/tilbud/{id}/afvis"),
        ("post", "/admin/tilbud/{id}/afpubliser"),
        ("post", "/admin/tilbud/{id}/set"),
    ],
)
def test_non_admins_get_404_on_every_admin_route(
    pending, people, client, login, method, path
) -> None:
    url = path.format(id=pending.id)
    for user in (people.owner, people.outsider):
        login(user)
        data = {"csrf_token": session_csrf_token(client), "approve-version": pending.version}
        response = client.get(url) if method == "get" else client.post(url, data=data)
        assert response.status_code == 404, (user.email, url)
    client.get("/")  # a visitor who is not signed in is sent to sign in, never shown the page
    with client.session_transaction() as session:
        session.clear()
    anonymous = (
        client.get(url)
        if method == "get"
        else client.post(url, data={"csrf_token": session_csrf_token(client)})
    )
    assert anonymous.status_code in (302, 401)
    db.session.refresh(pending)
    assert pending.status is ServiceStatus.PENDING_REVIEW


def test_the_queue_reads_a_fixed_number_of_queries_however_long_it_is(
    people, make_offer, client, login, count_queries
) -> None:
    def add_offers(count: int) -> None:
        for number in range(count):
            waiting = make_offer(
                organization=people.organization, name=f"Ny {number}", status=ServiceStatus.DRAFT
            )
            submit(waiting, people.owner)
            live = make_offer(organization=people.organization, name=f"Ændret {number}")
            record_version(live, people.admin, VersionEvent.PUBLISHED, is_published=True)
            live.name = f"Ændret igen {number}"
            apply_edit(live, people.owner)
        db.session.commit()

    login(people.admin)
    add_offers(1)
    client.get("/admin/godkendelse")  # mail and search outboxes drain after this one
    with count_queries() as few:
        assert "Ændret efter godkendelse (1)" in text(client.get("/admin/godkendelse"))
    add_offers(4)
    client.get("/admin/godkendelse")  # mail and search outboxes drain after this one
    with count_queries() as many:
        assert "Ændret efter godkendelse (5)" in text(client.get("/admin/godkendelse"))

    assert len(many) == len(few)
