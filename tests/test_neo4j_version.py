"""NEO4J_VERSION: it reaches the Maven build and the Java choice, and vector queries take the form
the server prefers (issue 17, point 7). The build and Java checks run nothing: Maven and the JDKs
are stand-ins."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path
from typing import Any

import pytest
from neo4j import Driver
from spreadgraph.graph import local_server
from spreadgraph.graph.connection import read, server_version
from spreadgraph.graph.local_server import LocalNeo4j, java_for, java_needed
from spreadgraph.search import answer_cypher, statements

from spreadgraph.config import Settings
from spreadgraph.errors import LocalServerError

ROOT = Path(__file__).resolve().parents[1]
NEW = "2026.08.1"


def settings(tmp_path: Path, version: str | None = None) -> Settings:
    extra = {"NEO4J_VERSION": version} if version else {}
    return Settings(SPREADGRAPH_HOME=tmp_path / "home", SPREADGRAPH_CACHE=tmp_path / "cache", **extra)


def fake_jdk(root: Path, name: str, release: str) -> Path:
    """A folder that looks like a JDK of `release` (its `release` file and bin/java)."""
    home = root / name
    (home / "bin").mkdir(parents=True)
    (home / "bin" / "java").write_text("#!/bin/sh\n")
    (home / "release").write_text(f'IMPLEMENTOR="test"\nJAVA_VERSION="{release}"\n')
    return home


@pytest.fixture
def jvms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """JDKs 17, 21 and 25 in a stand-in /usr/lib/jvm, and JAVA_HOME unset."""
    root = tmp_path / "jvm"
    for name, release in [("java-17", "17.0.12"), ("jdk-21", "21.0.4"), ("temurin-25", "25.0.1")]:
        fake_jdk(root, name, release)
    monkeypatch.setattr(local_server, "JVM_DIRS", (root,))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    return root


def test_default_is_526_on_java_17(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_VERSION", raising=False)
    server = LocalNeo4j(settings(tmp_path))
    assert server.version == "5.26.30" and java_needed(server.version) == 17
    command = server.build_command("mvn")
    assert "-Dneo4j.version=5.26.30" in command and "-Dmaven.compiler.release=17" in command


def test_version_reaches_the_maven_build_and_its_folder(tmp_path: Path) -> None:
    new, old = LocalNeo4j(settings(tmp_path, NEW)), LocalNeo4j(settings(tmp_path, "5.26.30"))
    command = new.build_command("/usr/bin/mvn")
    assert f"-Dneo4j.version={NEW}" in command and "-Dmaven.compiler.release=21" in command
    assert f"-DbuildDir={new.build_dir}" in command and command[-1] == "package"
    assert new.build_dir.name.endswith(f"-{NEW}") and new.build_dir != old.build_dir


def test_a_bad_version_is_refused_by_the_settings(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="NEO4J_VERSION"):
        settings(tmp_path, "2026.08.1 -Dx=y")


def test_build_runs_maven_with_the_version_and_the_java_it_needs(
    tmp_path: Path, jvms: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}

    def run(cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        seen.update(cmd=cmd, env=kwargs.get("env"))
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(local_server.shutil, "which", lambda name: f"/opt/{name}")
    monkeypatch.setattr(local_server.subprocess, "run", run)
    LocalNeo4j(settings(tmp_path, NEW)).build()
    assert seen["cmd"][0] == "/opt/mvn" and f"-Dneo4j.version={NEW}" in seen["cmd"]
    assert seen["env"]["JAVA_HOME"] == str(jvms / "temurin-25")


def test_new_releases_pick_the_newest_jdk_when_java_home_is_unset(jvms: Path) -> None:
    java = java_for(NEW)
    assert java.home == jvms / "temurin-25" and java.executable == str(jvms / "temurin-25" / "bin" / "java")


def test_526_keeps_the_default_java(jvms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    on_path = str(jvms / "java-17" / "bin" / "java")
    monkeypatch.setattr(local_server.shutil, "which", lambda name: on_path)
    assert java_for("5.26.30") == local_server.Java(on_path, None)


def test_java_home_is_respected_and_checked(jvms: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JAVA_HOME", str(jvms / "jdk-21"))
    assert java_for(NEW).home == jvms / "jdk-21"
    monkeypatch.setenv("JAVA_HOME", str(jvms / "java-17"))
    assert java_for("5.26.30").home == jvms / "java-17"
    with pytest.raises(LocalServerError, match=r"needs Java 21 or newer; JAVA_HOME .* is Java 17"):
        java_for(NEW)


def test_no_new_enough_jdk_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_jdk(tmp_path / "jvm", "java-17", "17.0.12")
    monkeypatch.setattr(local_server, "JVM_DIRS", (tmp_path / "jvm",))
    monkeypatch.delenv("JAVA_HOME", raising=False)
    with pytest.raises(LocalServerError, match=f"Neo4j {NEW} needs Java 21 or newer"):
        java_for(NEW)


def test_makefile_passes_the_version_to_the_tests() -> None:
    probe = 'show-version: ; @echo "$$NEO4J_VERSION"'
    env = {k: v for k, v in os.environ.items() if k != "NEO4J_VERSION"}
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "--eval", probe, "show-version", f"NEO4J_VERSION={NEW}"],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert done.stdout.strip() == NEW


def test_vector_form_follows_the_server_version(monkeypatch: pytest.MonkeyPatch) -> None:
    for version, form in [((5, 26, 30), "procedure"), ((2026, 3, 0), "procedure"), ((2026, 4, 0), "search")]:
        monkeypatch.setattr(statements, "server_version", lambda driver=None, v=version: v)
        assert statements.vector_form() == form


@pytest.mark.parametrize("form", ["procedure", "search"])
def test_every_vector_statement_uses_one_form(form: statements.VectorForm) -> None:
    built = [
        statements.unit_query("vector", "true", form=form),
        statements.unit_query("passage", "true", form=form),
        statements.node_query("case", "vector", "true", form=form),
        statements.node_lists_query([("barrier", "vector"), ("case", "fulltext")], "true", form=form),
        answer_cypher.case_vector("true", form),
        answer_cypher.case_by_barrier("true", form),
    ]
    for text in built:
        if form == "search":
            assert text.lstrip().startswith("CYPHER 25") and "SEARCH" in text, text
            assert "db.index.vector" not in text, text
        else:
            assert "CYPHER 25" not in text and "db.index.vector.queryNodes" in text, text
    fulltext_only = statements.node_lists_query([("case", "fulltext")], "true", form=form)
    assert "CYPHER 25" not in fulltext_only


def test_the_server_runs_the_configured_version(driver: Driver, neo4j_settings: Settings) -> None:
    if neo4j_settings.neo4j_uri:
        pytest.skip("an external server: its version is not ours to choose")
    wanted = tuple(int(part) for part in neo4j_settings.neo4j_version.split("."))
    assert server_version(driver) == wanted


def test_both_forms_rank_and_score_alike(graph: Driver, neo4j_settings: Settings) -> None:
    """On a server with the SEARCH clause, it ranks and scores as the procedure does."""
    if server_version(graph) < statements.SEARCH_CLAUSE_SINCE:
        pytest.skip("this server predates the SEARCH clause")
    from spreadgraph.search.embedder import embedding_dimension

    rng = random.Random(17)
    size = embedding_dimension(neo4j_settings.embedding_model)
    cases = [{"id": f"vf-{i}", "embedding": [rng.uniform(-1, 1) for _ in range(size)]} for i in range(12)]
    graph.execute_query("UNWIND $cases AS c CREATE (:Case {id: c.id, embedding: c.embedding})", cases=cases)
    params = {"vector": [rng.uniform(-1, 1) for _ in range(size)], "candidates": 8, "depth": 5}
    ranked = {
        form: read(statements.node_query("case", "vector", "true", form=form), params, driver=graph)
        for form in ("procedure", "search")
    }
    assert len(ranked["search"]) == 5
    assert [r["id"] for r in ranked["search"]] == [r["id"] for r in ranked["procedure"]]
    for new, old in zip(ranked["search"], ranked["procedure"], strict=True):
        assert new["score"] == pytest.approx(old["score"], abs=1e-6)
