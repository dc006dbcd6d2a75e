"""Static checks of what cannot run here: docker-compose, the Dockerfile, and the docs' promises."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml
from spreadgraph.schema import docs

from spreadgraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_compose_neo4j_service_matches_the_readme() -> None:
    neo4j = compose()["services"]["neo4j"]
    assert neo4j["image"] == "neo4j:5.26-community"
    assert neo4j["environment"]["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert "127.0.0.1:7687:7687" in neo4j["ports"] and "127.0.0.1:7474:7474" in neo4j["ports"]
    assert any(v.startswith("neo4j-data:") for v in neo4j["volumes"])
    assert "neo4j-data" in compose()["volumes"]
    assert "cypher-shell" in " ".join(neo4j["healthcheck"]["test"])
    for fact in ("neo4j:5.26-community", "NEO4J_PASSWORD", "neo4j-data", "127.0.0.1:7687", "127.0.0.1:7474"):
        assert fact in README


def test_compose_neo4j_merges_vector_segments_like_the_local_server() -> None:
    """The Docker image turns NEO4J_a_b__c into the setting a.b_c; both servers merge alike."""
    from spreadgraph.graph.local_server import VECTOR_MERGE_FACTOR

    env = compose()["services"]["neo4j"]["environment"]
    settings = {
        key.removeprefix("NEO4J_").replace("__", "\0").replace("_", ".").replace("\0", "_"): value
        for key, value in env.items()
    }
    for phase in ("standard", "population"):
        assert settings[f"internal.dbms.index.vector.{phase}_merge_factor"] == str(VECTOR_MERGE_FACTOR)
    launcher = (ROOT / "graph/localserver/src/main/java/spreadgraph/Launcher.java").read_text()
    assert "vector_standard_merge_factor" in launcher and "vector_population_merge_factor" in launcher


def test_compose_app_service_is_wired_by_neo4j_uri() -> None:
    app = compose()["services"]["spreadgraph"]
    assert app["build"] == "."
    assert app["environment"]["NEO4J_URI"] == "bolt://neo4j:7687"
    assert app["environment"]["NEO4J_PASSWORD"].startswith("${NEO4J_PASSWORD")
    assert app["depends_on"]["neo4j"]["condition"] == "service_healthy"
    assert "127.0.0.1:8000:8000" in app["ports"]
    assert "NEO4J_URI=bolt://neo4j:7687" in README and "127.0.0.1:8000" in README


def test_dockerfile_installs_the_lock_and_exposes_the_app_port() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.1\d", text, re.M)
    assert "requirements.lock" in text and "EXPOSE 8000" in text
    assert "HF_HUB_OFFLINE=1" in text


def test_every_setting_is_documented_in_the_readme() -> None:
    for name, field in Settings.model_fields.items():
        assert f"`{field.alias}`" in README, f"setting {name} ({field.alias}) is not in the README"
        assert field.description, f"setting {name} has no help text"


def test_every_cli_command_is_documented_in_the_readme() -> None:
    from spreadgraph.cli import _register, app

    _register()
    import typer.main

    group = typer.main.get_command(app)
    for name in group.commands:
        assert f"spreadgraph {name}" in README, f"command `spreadgraph {name}` is not in the README"


def test_schema_readme_is_generated_from_the_model() -> None:
    assert (ROOT / "schema" / "README.md").read_text(encoding="utf-8") == docs.render(), (
        "schema/README.md is stale: run `python -m spreadgraph.schema.docs`"
    )


def test_readme_has_exactly_the_two_setup_commands_and_ci_calls_the_test_one() -> None:
    block = re.search(r"## Set up on a fresh machine.*?```sh\n(.*?)```", README, re.S).group(1)
    commands = [line.split("#")[0].strip() for line in block.splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_no_py2neo_anywhere() -> None:
    lock = (ROOT / "requirements.lock").read_text().lower()
    assert "py2neo" not in lock
    done = subprocess.run([sys.executable, "-c", "import py2neo"], capture_output=True)
    assert done.returncode != 0


def test_every_python_package_is_declared_in_pyproject() -> None:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    declared = set(config["packages"])
    folders = {value: key for key, value in config["package-dir"].items()}
    found = set()
    for folder, package in folders.items():
        for init in (ROOT / folder).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / folder).parts
            found.add(".".join((package, *relative)))
    assert found == declared, f"undeclared: {sorted(found - declared)}; stale: {sorted(declared - found)}"
    for folder in folders:
        for module in (ROOT / folder).rglob("*.py"):
            assert (module.parent / "__init__.py").exists(), f"{module.parent} has no __init__.py"


def test_compose_keeps_the_adapted_search_model_in_a_volume() -> None:
    """The adapted model must outlive the container, like the vectors it made (search/embedder.py)."""
    from spreadgraph.search.embedder import adapted_folder

    app = Path("/app")  # the Dockerfile's WORKDIR: SPREADGRAPH_HOME defaults to <project>/.spreadgraph
    assert "WORKDIR /app" in (ROOT / "Dockerfile").read_text(encoding="utf-8")
    default_home = Settings.model_fields["data_dir"].default  # not the tests' SPREADGRAPH_HOME
    models = adapted_folder(Settings.model_construct(data_dir=default_home)).parent.relative_to(ROOT)
    mounts = compose()["services"]["spreadgraph"]["volumes"]
    assert f"search-model:{app / models}" in mounts and "search-model" in compose()["volumes"]
    assert "spreadgraph adapt" in README and "search-model" in README
