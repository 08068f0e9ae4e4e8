"""The synonym list lives in the database and reaches the engine."""

from __future__ import annotations

import pytest

from portal.extensions import db
from portal.find.sync import rebuild
from portal.find.synonyms import SynonymError, add_group, all_groups, normalise_group
from search import DEFAULT_SYNONYMS
from tests.find.fakes import DictEngine


class RecordingEngine(DictEngine):
    def set_synonyms(self, groups):
        self.synonyms = [list(g) for g in groups]


def test_starting_list_is_seeded(app) -> None:
    assert len(all_groups(db.session)) == len(DEFAULT_SYNONYMS)
    assert any("pensionist" in g.word_list for g in all_groups(db.session))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Gåtur,  Vandretur ", "gåtur, vandretur"), ("a, b, a", "a, b")],
)
def test_groups_are_normalised(text, expected) -> None:
    assert normalise_group(text) == expected


@pytest.mark.parametrize("text", ["", "ensom", ",,,", "a, " + "x" * 41])
def test_unusable_groups_are_refused(text) -> None:
    with pytest.raises(SynonymError):
        normalise_group(text)


def test_rebuild_hands_the_list_to_the_engine(app) -> None:
    add_group(db.session, "strikkecafé, strikkeklub")
    db.session.commit()
    engine = RecordingEngine()

    rebuild(db.session, engine)

    assert ["strikkecafé", "strikkeklub"] in engine.synonyms


def test_cli_adds_and_removes_groups(runner, app) -> None:
    app.extensions["search"] = RecordingEngine()

    added = runner.invoke(args=["search", "synonyms", "--add", "kor, sang, korsang"])
    assert added.exit_code == 0, added.output
    assert "kor, sang, korsang" in added.output
    assert ["kor", "sang", "korsang"] in app.extensions["search"].synonyms

    group_id = next(g.id for g in all_groups(db.session) if g.words == "kor, sang, korsang")
    removed = runner.invoke(args=["search", "synonyms", "--remove", str(group_id)])
    assert removed.exit_code == 0
    assert "korsang" not in removed.output

    refused = runner.invoke(args=["search", "synonyms", "--add", "alene"])
    assert refused.exit_code == 1
    assert "at least two words" in refused.output
