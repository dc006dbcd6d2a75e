"""The Neo4j server's own defence (issue 14), with the driver directly: no app, no guard.

LOAD CSV reads no file (one written into the data folder or the import folder, the password
file, /etc/hostname, /proc/self/environ) and fetches no URL (a tiny HTTP server on 127.0.0.1
receives no request); a plugin procedure outside the allow-list is not loaded; the procedures the
app calls still work. Each test checks Neo4j's own error, which names the setting behind it, so it
fails if that setting is removed from graph/localserver's Launcher.java (or docker-compose.yml,
with SPREADGRAPH_TEST_NEO4J_URI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import urllib.request
import zipfile
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import neo4j
import pytest
import yaml
from neo4j import Driver
from spreadgraph.graph.local_server import LocalNeo4j, java_for, java_needed, local_password
from spreadgraph.search.embedder import embedding_dimension

from bench.scratch import free_port
from spreadgraph.config import Settings

ROOT = Path(__file__).resolve().parents[1]
REFUSED = "Neo.ClientError.Statement.ExternalResourceFailed"
FILE_URLS_OFF = "'dbms.security.allow_csv_import_from_file_urls' is false"
BLOCKLIST = "is blocked via the configuration property internal.dbms.cypher_ip_blocklist"
EXTERNAL = bool(os.environ.get("SPREADGRAPH_TEST_NEO4J_URI"))
local_only = pytest.mark.skipif(EXTERNAL, reason="needs the project's local server and its folders")


def refused(driver: Driver, query: str) -> neo4j.exceptions.Neo4jError:
    """Run `query` straight on the server and return the error it must end with."""
    with pytest.raises(neo4j.exceptions.ClientError) as caught:
        driver.execute_query(query)
    return caught.value


def config_value(driver: Driver, name: str) -> str | None:
    records, _, _ = driver.execute_query(
        "CALL dbms.listConfig($name) YIELD name, value WHERE name = $name RETURN value", name=name
    )
    return records[0]["value"] if records else None


@pytest.fixture(scope="module")
def server(neo4j_settings: Settings) -> LocalNeo4j:
    """The session's local server (its folders; it is already running)."""
    if EXTERNAL:
        pytest.skip("needs the project's local server and its folders")
    return LocalNeo4j(neo4j_settings)


# -- LOAD CSV and files -----------------------------------------------------------------------
def _written(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


@local_only
@pytest.mark.parametrize("where", ["spreadgraph home", "neo4j home", "database folder", "import folder"])
def test_load_csv_reads_no_file_the_test_wrote(driver: Driver, server: LocalNeo4j, where: str) -> None:
    folder = {
        "spreadgraph home": server.root,
        "neo4j home": server.home,
        "database folder": server.home / "data",
        "import folder": server.import_dir,  # inside LOAD CSV's own root: file URLs are off, too
    }[where]
    secret = "hardening-" + os.urandom(6).hex()
    path = _written(folder / "hardening-probe.csv", f"{secret},x\n")
    try:
        for url in (path.as_uri(), "file:///hardening-probe.csv"):
            error = refused(driver, f"LOAD CSV FROM '{url}' AS line RETURN line")
            assert error.code == REFUSED
            assert FILE_URLS_OFF in str(error.message)
            assert secret not in str(error.message)
    finally:
        path.unlink()


@local_only
def test_load_csv_reads_not_the_password_file(driver: Driver, server: LocalNeo4j) -> None:
    """The file `neo4j start` keeps the generated password in (mode 600, same user as the server)."""
    path = server.root / "password"
    existed = path.exists()
    password = local_password(server.settings.model_copy(update={"neo4j_password": None}))
    try:
        error = refused(driver, f"LOAD CSV FROM '{path.as_uri()}' AS line RETURN line")
        assert error.code == REFUSED and FILE_URLS_OFF in str(error.message)
        assert password not in str(error.message)
    finally:
        if not existed:
            path.unlink()


@pytest.mark.parametrize(
    "url",
    ["file:///etc/hostname", "file:///proc/self/environ", "file:///etc/passwd", "file:/etc/hostname"],
)
def test_load_csv_reads_no_system_file(driver: Driver, url: str) -> None:
    error = refused(driver, f"LOAD CSV FROM '{url}' AS line RETURN line")
    assert error.code == REFUSED
    assert FILE_URLS_OFF in str(error.message)


def test_file_urls_are_off_and_the_import_folder_is_set(driver: Driver) -> None:
    assert config_value(driver, "dbms.security.allow_csv_import_from_file_urls") == "false"
    assert (config_value(driver, "server.directories.import") or "").endswith("/import")


@local_only
def test_the_import_folder_is_the_empty_one_beside_the_database(driver: Driver, server: LocalNeo4j) -> None:
    assert config_value(driver, "server.directories.import") == str(server.import_dir)
    assert server.import_dir.is_dir()
    assert list(server.import_dir.iterdir()) == []


# -- LOAD CSV and the network -----------------------------------------------------------------
class _Recorder(BaseHTTPRequestHandler):
    requests: list[str]
    timeout = 3  # close a connection that sends nothing (an ftp:// client waits for a greeting)

    def setup(self) -> None:
        self.requests.append("connection")
        super().setup()

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b"leaked,row\n"
        self.send_response(200)
        self.send_header("Content-Type", "text/csv")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[int, list[str]]]:
    """A tiny HTTP server on 127.0.0.1 that records every request it gets."""
    requests: list[str] = []
    handler = type("Recorder", (_Recorder,), {"requests": requests})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    port = httpd.server_address[1]
    # It answers (so "no request" below means the server never tried): fetch once ourselves.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{port}/ping.csv", timeout=5) as answer:
        assert answer.read() == b"leaked,row\n"
    assert requests == ["connection", "/ping.csv"]
    requests.clear()
    try:
        yield port, requests
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize(
    "template",
    [
        "http://127.0.0.1:{port}/leak.csv",
        "http://localhost:{port}/leak.csv",
        "https://127.0.0.1:{port}/leak.csv",
        "ftp://127.0.0.1:{port}/leak.csv",
        "http://[::1]:{port}/leak.csv",
        "http://10.0.0.1:{port}/leak.csv",
        "http://169.254.169.254/latest/meta-data/",
    ],
)
def test_load_csv_fetches_no_url(driver: Driver, http_server: tuple[int, list[str]], template: str) -> None:
    port, requests = http_server
    url = template.format(port=port)
    error = refused(driver, f"LOAD CSV FROM '{url}' AS line RETURN line")
    assert error.code == REFUSED
    assert BLOCKLIST in str(error.message)
    assert "leaked" not in str(error.message)
    assert requests == []


# -- procedures -------------------------------------------------------------------------------
PLUGIN_SOURCE = """
package spreadgraph.probe;

import java.util.stream.Stream;
import org.neo4j.procedure.Name;
import org.neo4j.procedure.Procedure;
import org.neo4j.procedure.UserFunction;

/** A plugin someone dropped into the plugins folder. */
public class Probe {
    public static class Out {
        public String value;
        public Out(String value) { this.value = value; }
    }

    @Procedure("spreadgraph.probe.hello")
    public Stream<Out> hello() { return Stream.of(new Out("hello")); }

    @UserFunction("spreadgraph.probe.echo")
    public String echo(@Name("text") String text) { return text; }
}
"""


def _plugin_jar(folder: Path, classpath: str, neo4j_version: str) -> Path:
    """Compile the probe plugin against the launcher's Neo4j jars, with the Java that runs them."""
    source = _written(folder / "src" / "spreadgraph" / "probe" / "Probe.java", PLUGIN_SOURCE)
    classes = folder / "classes"
    java = java_for(neo4j_version)
    javac = str(java.home / "bin" / "javac") if java.home else "javac"
    release = str(java_needed(neo4j_version))
    done = subprocess.run(
        [javac, "--release", release, "-cp", classpath, "-d", str(classes), str(source)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    jar = folder / "probe.jar"
    with zipfile.ZipFile(jar, "w") as archive:
        for path in classes.rglob("*.class"):
            archive.write(path, path.relative_to(classes).as_posix())
    return jar


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac (a JDK) compiles the probe plugin")
def test_a_plugin_outside_the_allowlist_is_not_loaded(tmp_path: Path, neo4j_settings: Settings) -> None:
    settings = neo4j_settings.model_copy(update={"data_dir": tmp_path / "home", "local_port": free_port()})
    probe = LocalNeo4j(settings, parent_pid=os.getpid())
    jar = _plugin_jar(tmp_path / "plugin", probe.build().read_text().strip(), settings.neo4j_version)
    (probe.home / "plugins").mkdir(parents=True)
    shutil.copy(jar, probe.home / "plugins" / jar.name)
    probe.start()
    try:
        with neo4j.GraphDatabase.driver(probe.uri, auth=("neo4j", local_password(settings))) as d:
            error = refused(d, "CALL spreadgraph.probe.hello()")
            assert error.code == "Neo.ClientError.Procedure.ProcedureNotFound"
            error = refused(d, "RETURN spreadgraph.probe.echo('x')")
            assert "Unknown function 'spreadgraph.probe.echo'" in str(error.message)
            # What the app calls is still there.
            records, _, _ = d.execute_query("CALL dbms.components() YIELD edition RETURN edition")
            assert records[0]["edition"] == "community"
    finally:
        probe.stop()
    # Neo4j found the jar and refused it by name (so the test does not pass on a jar it missed).
    debug_log = (probe.home / "logs" / "debug.log").read_text()
    assert "The procedure 'spreadgraph.probe.hello' is not on the allowlist" in debug_log
    assert "The function 'spreadgraph.probe.echo' is not on the allowlist" in debug_log


def test_the_allowlist_leaves_built_in_procedures_alone(driver: Driver) -> None:
    """Neo4j 5.26 applies dbms.security.procedures.allowlist to plugins only (README says so).

    If a Neo4j upgrade changes that, this fails: then trim the README and rely on the list.
    """
    allowlist = config_value(driver, "dbms.security.procedures.allowlist") or ""
    assert "db.index.vector.queryNodes" in allowlist and "db.createLabel" not in allowlist
    records, _, _ = driver.execute_query("SHOW PROCEDURES YIELD name RETURN collect(name) AS names")
    names = set(records[0]["names"])
    assert {"db.createLabel", "dbms.listConfig", "db.labels"} <= names


def test_the_procedures_the_app_calls_still_work(graph: Driver, neo4j_settings: Settings) -> None:
    dimension = embedding_dimension(neo4j_settings.embedding_model)
    vector = [1.0] + [0.0] * (dimension - 1)
    graph.execute_query(
        "CREATE (:Sentence {id: 'hardening-s1', text: 'Peer coaching helped.', "
        "window: 'Peer coaching helped the ward.', embedding: $vector})",
        vector=vector,
    )
    graph.execute_query("CALL db.awaitIndexes(60)")
    graph.execute_query("CALL db.awaitIndex('sentence_embedding', 60)")
    hits, _, _ = graph.execute_query(
        "CALL db.index.vector.queryNodes('sentence_embedding', 5, $vector) YIELD node, score "
        "RETURN node.id AS id, score",
        vector=vector,
    )
    assert [h["id"] for h in hits] == ["hardening-s1"] and hits[0]["score"] > 0.99
    hits, _, _ = graph.execute_query(
        "CALL db.index.fulltext.queryNodes('sentence_fulltext', 'coaching', {limit: 5}) "
        "YIELD node RETURN node.id AS id"
    )
    assert [h["id"] for h in hits] == ["hardening-s1"]
    for query in (
        "CALL db.labels()",
        "CALL db.relationshipTypes()",
        "CALL db.propertyKeys()",
        "CALL db.schema.visualization()",
        "CALL db.schema.nodeTypeProperties()",
        "CALL db.schema.relTypeProperties()",
        "CALL dbms.components()",
        "SHOW INDEXES YIELD name RETURN name",
        "MATCH (s:Sentence {id: 'hardening-s1'}) RETURN s.text AS text",
    ):
        graph.execute_query(query)


# -- the launcher's process and docker-compose -----------------------------------------------
@local_only
def test_the_server_process_holds_no_secret_in_its_environment(server: LocalNeo4j) -> None:
    pid = json.loads(server.pid_file.read_text())["pid"]
    environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    names = {entry.split(b"=", 1)[0].decode() for entry in environ if entry}
    assert "CLASSPATH" in names
    assert not names & {"NEO4J_PASSWORD", "SPREADGRAPH_SECRET_KEY"}
    assert os.environ.get("NEO4J_PASSWORD")  # the tests' own process does have it
    assert not (server.root / "password.launch").exists()


def test_docker_compose_sets_the_same_settings(driver: Driver) -> None:
    env = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["neo4j"]["environment"]
    assert env["NEO4J_dbms_security_allow__csv__import__from__file__urls"] == "false"
    assert env["NEO4J_server_directories_import"].endswith("/import")
    assert set(env["NEO4J_internal_dbms_cypher__ip__blocklist"].split(",")) == {"0.0.0.0/0", "::/0"}
    compose = set(env["NEO4J_dbms_security_procedures_allowlist"].split(","))
    served = config_value(driver, "dbms.security.procedures.allowlist") or ""
    assert compose == {name.strip() for name in served.split(",")}
