"""Revisions: full snapshots and readable diffs between them."""

from __future__ import annotations

from portal.knowledge.revisions import diff_snapshots


def test_a_diff_lists_only_changed_fields_with_labels_and_context() -> None:
    body = "\n".join(f"Linje {n}" for n in range(1, 11))
    old = {"title": "Besøgsven", "body": body, "evidence_level": "promising", "tags": ["ældre"]}
    new = {
        "title": "Besøgsven",
        "body": body.replace("Linje 8", "Linje otte"),
        "evidence_level": "documented",
        "tags": ["ældre", "frivillige"],
    }

    changes = {change.name: change for change in diff_snapshots(old, new)}

    assert set(changes) == {"body", "evidence_level", "tags"}
    body_lines = [(line.change, line.text) for line in changes["body"].lines]
    assert body_lines == [
        ("gap", "…"),
        ("same", "Linje 6"),
        ("same", "Linje 7"),
        ("removed", "Linje 8"),
        ("added", "Linje otte"),
        ("same", "Linje 9"),
        ("same", "Linje 10"),
    ]
    assert [(line.change, line.text) for line in changes["evidence_level"].lines] == [
        ("removed", "Lovende praksis"),
        ("added", "Dokumenteret effekt"),
    ]
    assert ("added", "frivillige") in [(line.change, line.text) for line in changes["tags"].lines]


def test_the_first_revision_shows_every_field_as_added() -> None:
    changes = diff_snapshots(None, {"title": "Telefonven", "is_featured": True})

    assert [(c.name, [line.change for line in c.lines]) for c in changes] == [
        ("title", ["added"]),
        ("is_featured", ["added"]),
    ]
