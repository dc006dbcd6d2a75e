"""The project-managed local Neo4j: embedded Neo4j Community (5.26 LTS by default) from Maven Central.

`graph/localserver/` holds a tiny Java launcher and its `pom.xml`. Maven fetches Neo4j
once (into ~/.m2) and writes the classpath; we then start the launcher as a detached
process with Bolt on 127.0.0.1, a persistent data folder and authentication on.
`NEO4J_VERSION` picks another release (2025.x and later need Java 21+, `java_for`).

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

from spreadgraph.config import Settings, get_settings
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
#: Where JDKs are looked for when a Neo4j release needs a newer Java than JAVA_HOME names.
JVM_DIRS = (Path("/usr/lib/jvm"),)
#: Neo4j's calendar-versioned releases (2025.01 on) are built for Java 21; 5.x for Java 17.
CALENDAR_VERSIONS = 2025
#: JVM flags for the Java 21+ releases: the page cache's direct-buffer access (else Neo4j runs it
#: in a slower fallback mode) and native access (else Java 24+ warns, and will refuse).
MODERN_JVM_FLAGS = ("--add-opens=java.base/java.nio=ALL-UNNAMED", "--enable-native-access=ALL-UNNAMED")
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
        self.version = settings.neo4j_version
        self.build_dir = settings.cache_dir / "launcher" / f"{self._source_digest()[:16]}-{self.version}"
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

    def build_command(self, mvn: str) -> list[str]:
        """The Maven command that builds the launcher against `NEO4J_VERSION` into `build_dir`."""
        return [
            mvn,
            "-q",
            "-B",
            "-f",
            str(LAUNCHER_SOURCE / "pom.xml"),
            f"-DbuildDir={self.build_dir}",
            f"-Dneo4j.version={self.version}",
            f"-Dmaven.compiler.release={java_needed(self.version)}",
            "package",
        ]

    def build(self) -> Path:
        """Run Maven once per launcher source and Neo4j version (the build folder is keyed by both)."""
        classpath = self.build_dir / "classpath.txt"
        if classpath.exists():
            return classpath
        mvn = shutil.which("mvn")
        if mvn is None:
            raise LocalServerError("Maven (mvn) is not installed", hint="install Maven, or set NEO4J_URI")
        java_home = java_for(self.version).home
        env = dict(os.environ, JAVA_HOME=str(java_home)) if java_home else None
        self.build_dir.mkdir(parents=True, exist_ok=True)
        done = subprocess.run(self.build_command(mvn), capture_output=True, text=True, env=env)
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
        java = java_for(self.version).executable
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
            *(MODERN_JVM_FLAGS if java_needed(self.version) >= 21 else ()),
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
            started = time.strftime("%Y-%m-%dT%H:%M:%S")
            log.write(f"\n--- start {started} port {self.port} neo4j {self.version} java {java}\n".encode())
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


@dataclass(frozen=True)
class Java:
    """The Java that builds and runs the launcher: its executable and, when known, its home."""

    executable: str
    home: Path | None


def java_needed(neo4j_version: str) -> int:
    """The oldest Java release `neo4j_version` runs on: 21 from 2025.x on, else 17."""
    return 21 if int(neo4j_version.split(".")[0]) >= CALENDAR_VERSIONS else 17


def java_release(home: Path) -> int | None:
    """The feature release of the JDK at `home` (from its `release` file), or None if unknown."""
    try:
        text = (home / "release").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("JAVA_VERSION="):
            number = line.split("=", 1)[1].strip().strip('"').split(".")[0]
            return int(number) if number.isdigit() else None
    return None


def _installed_jdks(minimum: int) -> list[tuple[int, Path]]:
    """JDKs in JVM_DIRS of at least release `minimum`, newest first."""
    found = []
    for root in JVM_DIRS:
        for home in sorted(root.glob("*")) if root.is_dir() else []:
            release = java_release(home)
            if release is not None and release >= minimum and (home / "bin" / "java").exists():
                found.append((release, home))
    return sorted(found, key=lambda item: -item[0])


def java_for(neo4j_version: str) -> Java:
    """The Java for `neo4j_version`: JAVA_HOME if set, else (for 2025.x on) the newest JDK in
    /usr/lib/jvm that is new enough, else `java` on the PATH; a clear error if none fits."""
    needed = java_needed(neo4j_version)
    problem = f"Neo4j {neo4j_version} needs Java {needed} or newer"
    home = Path(os.environ["JAVA_HOME"]) if os.environ.get("JAVA_HOME") else None
    if home is None and needed > 17:
        jdks = _installed_jdks(needed)
        if not jdks:
            raise LocalServerError(
                f"{problem}, and JAVA_HOME is unset and no such JDK is in "
                + ", ".join(str(root) for root in JVM_DIRS),
                hint=f"install a Java {needed}+ JDK and set JAVA_HOME, or use NEO4J_VERSION=5.26.30",
            )
        home = jdks[0][1]
    java = str(home / "bin" / "java") if home else shutil.which("java")
    if not java or not Path(java).exists():
        raise LocalServerError(f"{problem} for the local Neo4j", hint="set JAVA_HOME, or set NEO4J_URI")
    release = java_release(home) if home else None
    if release is not None and release < needed:
        raise LocalServerError(
            f"{problem}; JAVA_HOME ({home}) is Java {release}",
            hint=f"set JAVA_HOME to a Java {needed}+ JDK, or unset it to use one in /usr/lib/jvm",
        )
    return Java(java, home)


def _java() -> str:
    """The Java executable for the configured NEO4J_VERSION (kept for bench/startup.py)."""
    return java_for(get_settings().neo4j_version).executable
