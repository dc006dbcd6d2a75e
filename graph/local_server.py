"""The project-managed local Neo4j: embedded Neo4j Community 5.26 LTS from Maven Central.

`graph/localserver/` holds a tiny Java launcher and its `pom.xml`. Maven fetches Neo4j
once (into ~/.m2) and writes the classpath; we then start the launcher as a detached
process with Bolt on 127.0.0.1, a persistent data folder and authentication on.

The launcher also keeps Cypher away from files and the network (issue 14): LOAD CSV's import
folder is an empty `import` folder beside the database, file URLs are off, every address is on
the LOAD CSV blocklist, and plugins may add only the procedures the app calls. The password
reaches it in a file that is deleted once the server is up, and the app's secrets are kept out of
its environment (which a file read of /proc/self/environ would show).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from spreadgraph.config import Settings
from spreadgraph.errors import LocalServerError

LAUNCHER_SOURCE = Path(__file__).resolve().parent / "localserver"
LAUNCHER_MAIN = "spreadgraph.Launcher"
READY_MARKER = "spreadgraph-neo4j ready"
#: Lucene merges a vector index's segments when this many of one size have piled up, while the
#: index is first built and afterwards (Neo4j 5.26's defaults: 1,000 and 50). An HNSW query
#: searches every segment: at 200,000 sentences in 61 segments a k = 200 query took 38 ms,
#: against 9 ms for 100,000 vectors in one segment (docs/benchmarks.md, "vector index segments").
#: docker-compose.yml sets the same value.
VECTOR_MERGE_FACTOR = 4
#: Environment variables the server is started without: it needs neither, and a process's
#: environment is one file read away (/proc/self/environ).
SECRET_ENV = ("NEO4J_PASSWORD", "SPREADGRAPH_SECRET_KEY")


@dataclass(frozen=True)
class ServerStatus:
    """What `neo4j status` reports."""

    running: bool
    pid: int | None
    uri: str
    data_dir: str
    detail: str

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def local_password(settings: Settings) -> str:
    """The local server's password: NEO4J_PASSWORD, else one generated once and kept with the data."""
    if settings.neo4j_password is not None:
        return settings.neo4j_password.get_secret_value()
    path = settings.data_dir / "password"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(18))
    return path.read_text().strip()


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """True when something already listens on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child still answers kill(0); check its state.
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return True
    return state != "Z"


class LocalNeo4j:
    """Build, start, stop and inspect one local server rooted at `settings.data_dir`."""

    def __init__(self, settings: Settings, *, parent_pid: int | None = None) -> None:
        self.settings = settings
        self.root = settings.data_dir
        self.port = settings.local_port
        self.parent_pid = parent_pid
        self.build_dir = settings.cache_dir / "launcher" / self._source_digest()[:16]
        self.home = self.root / "neo4j"  # Neo4j's own folder: data/, logs/, import/
        self.pid_file = self.root / "neo4j.pid"
        self.log_file = self.root / "logs" / "launcher.log"

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    @property
    def import_dir(self) -> Path:
        """LOAD CSV's root for file URLs, which the launcher creates empty (file URLs are off too)."""
        return self.home / "import"

    # -- build ---------------------------------------------------------------------------
    def _source_digest(self) -> str:
        digest = hashlib.sha256()
        for path in sorted(LAUNCHER_SOURCE.rglob("*")):
            if path.is_file() and "target" not in path.parts:
                digest.update(path.read_bytes())
        return digest.hexdigest()

    def build(self) -> Path:
        """Run Maven once per launcher version (the build folder is keyed by its digest)."""
        classpath = self.build_dir / "classpath.txt"
        if classpath.exists():
            return classpath
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalServerError("Maven (mvn) is not installed", hint="install Maven, or set NEO4J_URI")
        self.build_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            mvn,
            "-q",
            "-B",
            "-f",
            str(LAUNCHER_SOURCE / "pom.xml"),
            f"-DbuildDir={self.build_dir}",
            "package",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
            raise LocalServerError("building the Neo4j launcher failed:\n" + "\n".join(tail))
        return classpath

    def _classpath(self) -> str:
        dependencies = self.build().read_text().strip()
        jar = next(self.build_dir.glob("spreadgraph-neo4j-launcher-*.jar"))
        return f"{jar}{os.pathsep}{dependencies}"

    # -- lifecycle -----------------------------------------------------------------------
    def _read_pid(self) -> int | None:
        try:
            record = json.loads(self.pid_file.read_text())
        except (OSError, ValueError):
            return None
        pid = int(record.get("pid", 0))
        return pid if pid and _pid_alive(pid) else None

    def status(self) -> ServerStatus:
        pid = self._read_pid()
        if pid is None:
            detail = "stopped"
            if port_in_use(self.port):
                detail = f"stopped; another program listens on 127.0.0.1:{self.port}"
            return ServerStatus(False, None, self.uri, str(self.root), detail)
        ready = port_in_use(self.port)
        detail = "running" if ready else "starting"
        return ServerStatus(True, pid, self.uri, str(self.root), detail)

    def start(self) -> tuple[ServerStatus, bool]:
        """Start the server unless it already runs; return (status, started_now)."""
        current = self.status()
        if current.running:
            self.wait_ready(current.pid or 0)
            return self.status(), False
        if port_in_use(self.port):
            raise LocalServerError(
                f"port {self.port} on 127.0.0.1 is already in use by another program",
                hint="stop that program or set SPREADGRAPH_NEO4J_PORT to a free port",
            )
        java = _java()
        classpath = self._classpath()
        self.root.mkdir(parents=True, exist_ok=True)
        password_file = self.root / "password.launch"
        fd = os.open(password_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(local_password(self.settings))
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        args = [
            java,
            f"-Xmx{self.settings.local_heap}",
            "-XX:+UseG1GC",
            LAUNCHER_MAIN,
            "--home",
            str(self.home),
            "--port",
            str(self.port),
            "--password-file",
            str(password_file),
            "--pagecache-mb",
            str(self.settings.local_pagecache_mb),
        ]
        args += ["--vector-merge-factor", str(VECTOR_MERGE_FACTOR)]
        if self.parent_pid:
            args += ["--parent-pid", str(self.parent_pid)]
        env = {key: value for key, value in os.environ.items() if key not in SECRET_ENV}
        env["CLASSPATH"] = classpath
        with open(self.log_file, "ab") as log:
            log.write(f"\n--- start {time.strftime('%Y-%m-%dT%H:%M:%S')} port {self.port}\n".encode())
            log.flush()
            proc = subprocess.Popen(
                args,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        self.pid_file.write_text(json.dumps({"pid": proc.pid, "port": self.port}))
        try:
            self.wait_ready(proc.pid, log_offset=self.log_file.stat().st_size)
        except LocalServerError:
            self.stop(timeout=10)  # never leave a half-started server behind
            raise
        finally:
            password_file.unlink(missing_ok=True)
        return self.status(), True

    def wait_ready(self, pid: int, log_offset: int = 0) -> None:
        """Block until the launcher reports Bolt ready, or fail with the log's tail."""
        deadline = time.monotonic() + self.settings.start_timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                self.pid_file.unlink(missing_ok=True)
                raise LocalServerError("Neo4j stopped while starting:\n" + self._log_tail())
            text = self._log_text(log_offset)
            if READY_MARKER in text or (log_offset == 0 and port_in_use(self.port)):
                return
            time.sleep(0.2)
        raise LocalServerError(
            f"Neo4j did not answer within {self.settings.start_timeout:.0f} s:\n" + self._log_tail()
        )

    def stop(self, timeout: float = 60.0) -> bool:
        """Stop the server cleanly (SIGTERM, then SIGKILL after `timeout`); False if not running."""
        pid = self._read_pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
            _reap(pid)
        if _pid_alive(pid):
            os.kill(pid, signal.SIGKILL)
        _reap(pid)
        self.pid_file.unlink(missing_ok=True)
        return True

    def _log_text(self, offset: int = 0) -> str:
        try:
            with open(self.log_file, "rb") as handle:
                handle.seek(offset)
                return handle.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def _log_tail(self, lines: int = 15) -> str:
        return "\n".join(self._log_text().strip().splitlines()[-lines:])


def _reap(pid: int) -> None:
    """Collect a child we started ourselves so it does not linger as a zombie."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def _java() -> str:
    home = os.environ.get("JAVA_HOME")
    java = str(Path(home) / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        raise LocalServerError("Java 17 or newer is needed for the local Neo4j", hint="or set NEO4J_URI")
    return java
