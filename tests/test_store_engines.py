"""One store, three engines: Qdrant Edge (the embedded default), qdrant-client's local mode and a Qdrant
server (SEAL_QDRANT_URL), with the same tests; a three-node cluster with sharded, replicated collections.

The server and cluster tests need a real Qdrant server (tests/fixtures/qdrant_server.py says where one is
found) and are skipped with that reason on machines without one, such as the development machine.
"""

from __future__ import annotations

import os
import uuid

import pytest
from typer.testing import CliRunner

from app.settings import Settings
from fixtures.qdrant_server import NO_SERVER, qdrant_binary, run_qdrant
from fixtures.retrieval_kit import KB_SMALL, models
from retrieval.ingest import Deferred, ingest_paths, models_key
from retrieval.migrate import migrate
from retrieval.store import CollectionMissingError, KnowledgeStore, StoreConfig, StoreEngine

QUESTION = "when does the night train leave"


def test_the_store_s_config_comes_from_the_settings_with_the_key_unwrapped_and_unshown(tmp_path):
    settings = Settings(data_dir=tmp_path, qdrant_url="http://qdrant:6333", qdrant_api_key="sekrit",
                        qdrant_shard_number=3, qdrant_replication_factor=2, store_engine="local", edge_search_threads=2)
    config = StoreConfig.from_settings(settings)
    assert config.qdrant_api_key == "sekrit" and "sekrit" not in repr(config)  # the client gets it; logs do not
    assert (config.qdrant_url, config.store_engine, config.edge_search_threads) == ("http://qdrant:6333", "local", 2)
    assert (config.qdrant_shard_number, config.qdrant_replication_factor) == (3, 2)
    assert config.qdrant_path == tmp_path / "qdrant" == settings.qdrant_path
    assert StoreConfig.from_settings(config) is config


@pytest.mark.parametrize("engine", ["edge", "local"])
def test_each_engine_provides_every_operation_the_store_uses(tmp_path, engine):
    operations = [name for name in vars(StoreEngine) if not name.startswith("_")]
    with KnowledgeStore(Settings(data_dir=tmp_path, store_engine=engine)) as store:
        assert [name for name in operations if not callable(getattr(store.engine, name, None))] == []
        assert store.location == store.engine.location and tmp_path.as_posix() in store.location


@pytest.fixture(scope="module")
def qdrant_url(tmp_path_factory):
    """A real Qdrant server's URL, or a skip that says why there is none."""
    if os.environ.get("SEAL_TEST_QDRANT_URL"):
        yield os.environ["SEAL_TEST_QDRANT_URL"]
        return
    if qdrant_binary() is None:
        pytest.skip(NO_SERVER)
    with run_qdrant(tmp_path_factory.mktemp("qdrant")) as nodes:
        yield nodes.urls[0]


@pytest.fixture(params=["edge", "local", "server"])
def settings(request, tmp_path) -> Settings:
    """Settings for one engine; each test gets its own folder (embedded) or collection names (server)."""
    if request.param == "server":
        return Settings(data_dir=tmp_path / "data", qdrant_url=request.getfixturevalue("qdrant_url"))
    return Settings(data_dir=tmp_path / "data", store_engine=request.param)


@pytest.fixture
def name() -> str:
    return f"kb-{uuid.uuid4().hex[:8]}"  # unique on a shared server


def _ingest(store, collection, **kwargs):
    seal, text = models()
    return ingest_paths([KB_SMALL], collection, store, seal, text, progress=False, **kwargs)


def test_passages_survive_a_reopen(settings, name):
    _, text = models()
    query = text.encode([QUESTION])[0]
    with KnowledgeStore(settings) as store:
        _ingest(store, name)
        before = [hit.doc_id for hit in store.search(name, query, using="text", k=3)]
    with KnowledgeStore(settings) as store:  # a new client: what a restart of `seal serve` does
        after = [hit.doc_id for hit in store.search(name, query, using="text", k=3)]
        assert store.count(name) == 10
        store.drop(name)
    assert after == before and after[0] == "train"


def test_search_and_delete_by_source(settings, name, tmp_path):
    _, text = models()
    ferry = tmp_path / "ferry.txt"
    ferry.write_text("The night ferry leaves the harbour at eleven.")
    seal_model, _ = models()
    with KnowledgeStore(settings) as store:
        ingest_paths([KB_SMALL, ferry], name, store, seal_model, text, progress=False)
        hits = store.search(name, text.encode([QUESTION])[0], using="text", k=3, source="ferry.txt")
        assert [hit.source for hit in hits] == ["ferry.txt"]
        assert store.delete_source(name, "ferry.txt") == 1 and store.count(name) == 10
        store.drop(name)


def test_reingest_of_unchanged_files_loads_no_model(settings, name):
    seal, text = models()

    def refuse():
        raise AssertionError("nothing needed embedding")

    with KnowledgeStore(settings) as store:
        _ingest(store, name)
        again = ingest_paths([KB_SMALL], name, store, Deferred(refuse), Deferred(refuse), progress=False,
                             key=models_key(seal, text))
        store.drop(name)
    assert (again.chunks, again.unchanged, again.points) == (0, 10, 10)


def test_a_missing_collection_says_how_to_fill_it(settings, name):
    with KnowledgeStore(settings) as store:
        with pytest.raises(CollectionMissingError, match="seal ingest"):
            store.search(name, [0.1] * 384, using="text")


@pytest.mark.parametrize("target", ["edge", "server"])
def test_migrate_from_local_mode_keeps_ids_vectors_and_payloads(tmp_path, name, target, request):
    _, text = models()
    query = text.encode([QUESTION])[0]
    old = Settings(data_dir=tmp_path / "data", store_engine="local")
    new = old.model_copy(update={"store_engine": "edge"})
    if target == "server":
        new = new.model_copy(update={"qdrant_url": request.getfixturevalue("qdrant_url")})
    with KnowledgeStore(old) as source:
        _ingest(source, name)
        expected = [(hit.id, round(hit.score, 5), hit.text) for hit in source.search(name, query, using="seal", k=10)]
        with KnowledgeStore(new) as destination:
            (moved,) = migrate(source, destination, [name])
            again = migrate(source, destination, [name])  # a second run overwrites the same points
            got = [(hit.id, round(hit.score, 5), hit.text) for hit in destination.search(name, query, using="seal", k=10)]
            destination.drop(name)
    assert moved.points == moved.total == 10 and again[0].total == 10
    assert got == expected


def test_an_upgraded_user_is_told_to_migrate(tmp_path, monkeypatch):
    """Knowledge bases in the old default's folder are named, with the command that moves them."""
    from app.cli import app
    from app.settings import get_settings

    seal, text = models()  # before the data dir moves: the models stay on the session's
    with KnowledgeStore(Settings(data_dir=tmp_path / "data", store_engine="local")) as old:
        ingest_paths([KB_SMALL], "demo", old, seal, text, progress=False)
    monkeypatch.setenv("SEAL_DATA_DIR", str(tmp_path / "data"))
    get_settings.cache_clear()
    with KnowledgeStore(get_settings()) as store:  # the default engine now: Qdrant Edge
        with pytest.raises(CollectionMissingError, match="seal migrate"):
            store.search("demo", [0.1] * 384, using="text")
    def seal(*args: str) -> str:
        result = CliRunner().invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())  # rich wraps long lines

    listed = seal("collections")
    assert "not migrated: demo" in listed and "`seal migrate` moves them" in listed
    assert "moved demo: 10 passages" in seal("migrate")
    assert "demo 10 passages" in seal("collections") and "not migrated" not in seal("collections")


def test_server_collections_take_the_shard_and_replica_settings(qdrant_url, tmp_path, name):
    settings = Settings(data_dir=tmp_path, qdrant_url=qdrant_url, qdrant_shard_number=2)
    with KnowledgeStore(settings) as store:
        _ingest(store, name)
        params = store.client.get_collection(name).config.params
        assert (params.shard_number, params.replication_factor) == (2, 1)
        assert store.count(name) == 10
        store.drop(name)


def test_a_three_node_cluster_keeps_answering_with_a_node_down(tmp_path, name):
    if qdrant_binary() is None:
        pytest.skip(NO_SERVER)
    _, text = models()
    with run_qdrant(tmp_path / "cluster", nodes=3) as nodes:
        settings = Settings(data_dir=tmp_path, qdrant_url=nodes.urls[0], qdrant_shard_number=3,
                            qdrant_replication_factor=2)
        with KnowledgeStore(settings) as store:
            _ingest(store, name)
            params = store.client.get_collection(name).config.params
            assert (params.shard_number, params.replication_factor) == (3, 2)
        nodes.stop(2)  # every shard still has a copy on node 0 or 1
        with KnowledgeStore(settings) as store:
            hits = store.search(name, text.encode([QUESTION])[0], using="text", k=3)
            assert hits[0].doc_id == "train" and store.count(name) == 10
