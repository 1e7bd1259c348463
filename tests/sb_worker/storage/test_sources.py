"""Entity sources as plug-ins: chosen by SB_SOURCES, refused clearly when misconfigured."""

from __future__ import annotations

import pytest

from sb_worker import service
from sb_worker.errors import BadInput, ConfigError
from sb_worker.settings import Settings
from sb_worker.storage.sources import SOURCES, build_sources

from tests.helpers import add_token, query


def test_sb_sources_picks_the_sources_in_its_order():
    settings = Settings.from_env({"SB_SOURCES": "edit, editor"})
    sources = build_sources(settings)
    assert list(sources) == ["edit", "editor"]
    assert [(s.kind, s.shape, s.site) for s in sources.values()] == [
        ("edit", "edit", "MusicBrainz"), ("editor", "editor", "MusicBrainz")]
    assert list(build_sources(Settings())) == ["editor", "edit"]


def test_an_unknown_source_is_a_configuration_error_naming_the_known_ones():
    with pytest.raises(ConfigError, match=r"SB_SOURCES: unknown source\(s\) editors; known: " + ", ".join(SOURCES)):
        build_sources(Settings(sources=("editors",)))


def test_a_source_of_contributions_needs_the_source_of_their_accounts():
    with pytest.raises(ConfigError, match="'edit' needs 'editor' too"):
        build_sources(Settings(sources=("edit",)))


@pytest.mark.integration
def test_a_chunk_of_a_source_not_configured_is_refused_by_name(settings, rt):
    with pytest.raises(BadInput, match=r"unknown kind 'bookbrainz_editor'; configured sources \(SB_SOURCES\): "
                                       r"editor, edit"):
        service.scan_chunk(rt, "bookbrainz_editor", [1])
    with pytest.raises(BadInput, match="unknown kind 'nope'"):
        service.scan_chunk(rt, "nope", [1])
    assert query(settings.dsn, "SELECT count(*) FROM score")[0][0] == 0


@pytest.mark.integration
def test_the_store_refuses_a_kind_that_is_not_a_source_name(settings, rt):
    import psycopg2

    with pytest.raises(psycopg2.errors.CheckViolation):
        query(settings.dsn, "INSERT INTO score (kind, entity_id, model_version, score, reasons) "
                            "VALUES ('Robert''); DROP', 1, 'h', 1, '[]')")


@pytest.mark.integration
def test_the_api_reads_a_score_of_any_configured_source(settings, rt):
    from sb_worker.web.app import create_app

    ids = [i for (i,) in query(settings.mb_dsn, "SELECT id FROM musicbrainz.editor ORDER BY id LIMIT 20")]
    service.scan_chunk(rt, "editor", ids)
    token = add_token(rt.store, "reader", [])
    client = create_app(settings).test_client()
    auth = {"Authorization": f"Bearer {token}"}
    generic = client.get(f"/v1/scores/editor/{ids[-1]}", headers=auth)
    assert generic.status_code == 200 and generic.json == client.get(f"/v1/editors/{ids[-1]}", headers=auth).json
    assert generic.json["kind"] == "editor" and generic.json["entity_id"] == ids[-1]
    unknown = client.get(f"/v1/scores/bookbrainz_editor/{ids[-1]}", headers=auth)
    assert unknown.status_code == 404 and "configured sources (SB_SOURCES): editor, edit" in unknown.json["error"]
