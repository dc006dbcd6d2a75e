"""`spreadgraph neo4j start | stop | status` and the LocalNeo4j behind it, on real servers."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import neo4j
import pytest
from spreadgraph.graph.local_server import LocalNeo4j, local_password, port_in_use

from bench.scratch import free_port
from spreadgraph.config import Settings
from spreadgraph.errors import LocalServerError


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the installed console script with the test session's environment (plus overrides)."""
    return subprocess.run(
        [sys.executable, "-m", "spreadgraph.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
    )


def test_lifecycle_start_status_second_start_stop(tmp_path, neo4j_settings: Settings) -> None:
    settings = neo4j_settings.model_copy(update={"data_dir": tmp_path / "home", "local_port": free_port()})
    server = LocalNeo4j(settings, parent_pid=os.getpid())
    assert not server.status().running

    status, started = server.start()
    try:
        assert started and status.running and status.pid
        assert port_in_use(settings.local_port)
        again, started_again = server.start()
        assert not started_again
        assert again.pid == status.pid
        # Authentication is on: the right password works, a wrong one is refused.
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", local_password(settings))) as d:
            d.verify_connectivity()
        with (
            neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", "wrong-password")) as d,
            pytest.raises(neo4j.exceptions.AuthError),
        ):
            d.verify_connectivity()
    finally:
        assert server.stop()
    assert not server.status().running
    assert not port_in_use(settings.local_port)
    assert not server.stop()  # stopping a stopped server is a no-op
    assert (settings.data_dir / "neo4j" / "data").is_dir()  # data persists after stop

    # A restart on the existing data (same password) comes up and keeps the data.
    server.start()
    try:
        with neo4j.GraphDatabase.driver(server.uri, auth=("neo4j", local_password(settings))) as d:
            d.verify_connectivity()
    finally:
        server.stop()


def test_generated_password_is_kept_with_the_data(tmp_path, neo4j_settings: Settings) -> None:
    settings = neo4j_settings.model_copy(update={"data_dir": tmp_path, "neo4j_password": None})
    first = local_password(settings)
    assert len(first) >= 20 and local_password(settings) == first
    assert (tmp_path / "password").stat().st_mode & 0o077 == 0


def test_port_in_use_gives_a_clear_error(tmp_path, neo4j_settings: Settings) -> None:
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        settings = neo4j_settings.model_copy(update={"data_dir": tmp_path, "local_port": port})
        with pytest.raises(LocalServerError, match=f"port {port} on 127.0.0.1 is already in use"):
            LocalNeo4j(settings).start()
        done = cli(
            "neo4j", "start", env={"SPREADGRAPH_HOME": str(tmp_path), "SPREADGRAPH_NEO4J_PORT": str(port)}
        )
    assert done.returncode == 1
    assert done.stderr.strip().startswith(f"error: port {port} on 127.0.0.1 is already in use")
    assert "Traceback" not in done.stderr


def test_cli_reports_the_running_session_server(neo4j_settings: Settings) -> None:
    status = cli("neo4j", "status")
    assert status.returncode == 0 and "running at bolt://127.0.0.1:" in status.stdout
    start = cli("neo4j", "start")
    assert start.returncode == 0 and "already running" in start.stdout


def test_cli_status_of_a_stopped_server_exits_1(tmp_path) -> None:
    done = cli(
        "neo4j", "status", env={"SPREADGRAPH_HOME": str(tmp_path), "SPREADGRAPH_NEO4J_PORT": str(free_port())}
    )
    assert done.returncode == 1 and done.stdout.startswith("stopped")


def test_external_uri_is_used_instead_of_a_local_server(tmp_path) -> None:
    env = {"NEO4J_URI": "neo4j://db.example.invalid:7687", "SPREADGRAPH_HOME": str(tmp_path)}
    done = cli("neo4j", "start", env=env)
    assert done.returncode == 0
    assert "NEO4J_URI is set" in done.stdout and "no local server is started" in done.stdout
    assert not (tmp_path / "neo4j.pid").exists()


def test_unreachable_uri_is_a_one_line_error(tmp_path) -> None:
    env = {
        "NEO4J_URI": f"bolt://127.0.0.1:{free_port()}",
        "NEO4J_PASSWORD": "x",
        "SPREADGRAPH_HOME": str(tmp_path),
    }
    for command in (["init"], ["cypher", "RETURN 1"]):
        done = cli(*command, env=env)
        assert done.returncode == 1
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1, done.stderr
        assert lines[0].startswith("error: cannot reach Neo4j at bolt://127.0.0.1:")
        assert "NEO4J_URI" in lines[0]
