"""Only knowledge-centre editors and admins reach the editor pages; others get 404."""

from __future__ import annotations

import pytest
from flask import Flask

from portal.accounts.models import MemberRole
from portal.extensions import db
from portal.knowledge.attachments import store_attachment
from portal.knowledge.models import KnowledgeKind
from tests.knowledge.conftest import fetch
from tests.knowledge.files import PDF


@pytest.fixture
def item_with_file(app: Flask, make_item):
    item = make_item(kind=KnowledgeKind.TOOL, title="Tjekliste")
    store_attachment(
        db.session,
        item,
        PDF,
        "tjekliste.pdf",
        "Ti punkter om velkomst.",
        None,
        app.config["KNOWLEDGE_UPLOAD_DIR"],
    )
    db.session.commit()
    return item


def editor_urls(item) -> list[tuple[str, str]]:
    attachment = item.attachments[0]
    base = f"/viden/redaktion/{item.id}"
    return [
        ("GET", "/viden/redaktion/"),
        ("GET", "/viden/redaktion/ny?type=concept"),
        ("POST", "/viden/redaktion/ny?type=article"),
        ("GET", base),
        ("POST", base),
        ("GET", f"{base}/versioner"),
        ("GET", f"{base}/versioner/1"),
        ("POST", f"{base}/versioner/1/gendan"),
        ("GET", f"{base}/filer"),
        ("POST", f"{base}/filer"),
        ("POST", f"{base}/filer/{attachment.id}/slet"),
    ]


@pytest.mark.parametrize("who", ["member of an association", "signed-in citizen"])
def test_editor_pages_do_not_exist_for_other_users(
    who, item_with_file, make_user, make_organization, switch_user
) -> None:
    if who == "member of an association":
        user = make_user(organization=make_organization(), role=MemberRole.OWNER)
    else:
        user = make_user()
    client = switch_user(user)

    for method, url in editor_urls(item_with_file):
        response = client.open(url, method=method, data={"title": "Hacket"})
        assert response.status_code == 404, (method, url)
    assert item_with_file.title == "Tjekliste"
    assert len(item_with_file.attachments) == 1


def test_visitors_who_are_not_signed_in_never_see_the_editor_pages(
    item_with_file, switch_user
) -> None:
    client = switch_user(None)

    for method, url in editor_urls(item_with_file):
        response = client.open(url, method=method, data={"title": "Hacket"})
        assert response.status_code in (302, 404), (method, url)
        if response.status_code == 302:
            assert "/viden/redaktion" not in response.headers["Location"].split("?")[0]


@pytest.mark.parametrize("role", ["editor", "admin"])
def test_editors_and_admins_reach_every_page(role, item_with_file, make_user, switch_user) -> None:
    user = make_user(is_editor=role == "editor", is_admin=role == "admin")
    client = switch_user(user)

    for method, url in editor_urls(item_with_file):
        if method == "GET":
            assert fetch(client, url).status_code == 200, url
