"""Settings, each declared once with its default and help text; secrets come from the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """spreadgraph configuration. Every field can be set as an environment variable."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    neo4j_uri: str | None = Field(
        None,
        alias="NEO4J_URI",
        description="Bolt/neo4j URI of an external server (Docker, cluster, Aura). "
        "Unset: use the project-managed local server.",
    )
    neo4j_user: str = Field("neo4j", alias="NEO4J_USER", description="Neo4j user name.")
    neo4j_password: SecretStr | None = Field(
        None,
        alias="NEO4J_PASSWORD",
        description="Neo4j password. For the local server, unset means a generated "
        "password stored with its data.",
    )
    neo4j_database: str = Field("neo4j", alias="NEO4J_DATABASE", description="Database name.")
    data_dir: Path = Field(
        PROJECT_ROOT / ".spreadgraph",
        alias="SPREADGRAPH_HOME",
        description="Folder for the local server's data, logs and generated password.",
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "spreadgraph",
        alias="SPREADGRAPH_CACHE",
        description="Per-machine cache shared by clones: the built Neo4j launcher.",
    )
    local_port: int = Field(
        7687, alias="SPREADGRAPH_NEO4J_PORT", description="Bolt port of the local server (127.0.0.1)."
    )
    neo4j_version: str = Field(
        "5.26.30",
        pattern=r"^\d+\.\d+\.\d+$",
        alias="NEO4J_VERSION",
        description="Version of org.neo4j:neo4j the local server is built from (Maven Central). "
        "2025.x and later need Java 21+: JAVA_HOME, else a Java 21+ JDK found in /usr/lib/jvm.",
    )
    local_heap: str = Field(
        "1g", alias="SPREADGRAPH_NEO4J_HEAP", description="Java heap of the local server (-Xmx)."
    )
    local_pagecache_mb: int = Field(
        512, alias="SPREADGRAPH_NEO4J_PAGECACHE_MB", description="Page cache of the local server."
    )
    start_timeout: float = Field(
        120.0, alias="SPREADGRAPH_NEO4J_START_TIMEOUT", description="Seconds to wait for Bolt."
    )
    embedding_model: str = Field(
        "all-MiniLM-L6-v2",
        alias="SPREADGRAPH_EMBEDDING_MODEL",
        description="Sentence-transformers model: the packaged all-MiniLM-L6-v2 or a local path.",
    )
    search_model: str | None = Field(
        None,
        alias="SPREADGRAPH_SEARCH_MODEL",
        description="Model of the search vectors and queries (a local sentence-transformers folder). "
        "Unset: the model `spreadgraph adapt` fitted to the documents (SPREADGRAPH_HOME/models/search) "
        "when there is one, else SPREADGRAPH_EMBEDDING_MODEL. Extraction always uses the latter.",
    )
    query_timeout: float = Field(
        10.0, alias="SPREADGRAPH_QUERY_TIMEOUT", description="Seconds a read-only query may run."
    )
    query_row_cap: int = Field(
        1000, alias="SPREADGRAPH_QUERY_ROW_CAP", description="Rows a read-only query may return."
    )
    query_byte_cap: int = Field(
        5_000_000,
        gt=0,
        alias="SPREADGRAPH_QUERY_BYTE_CAP",
        description="Bytes of JSON a console query may return; the rest is cut (truncated).",
    )
    console_access: Literal["analyst", "open"] = Field(
        "analyst",
        alias="SPREADGRAPH_CONSOLE_ACCESS",
        description="Who may use the Cypher console: analyst (signed in as analyst or reviewer) or "
        "open (anyone, only while the graph holds no private data).",
    )
    allowed_hosts: str | None = Field(
        None,
        alias="SPREADGRAPH_ALLOWED_HOSTS",
        description="Comma-separated Host values the web app answers (host or host:port; '*' for any). "
        "Unset: the host and port `serve` binds, plus localhost for a loopback address.",
    )
    token_days: float = Field(
        90.0,
        gt=0,
        alias="SPREADGRAPH_TOKEN_DAYS",
        description="Days a new API token stays valid.",
    )
    sign_in_limit: int = Field(
        5,
        gt=0,
        alias="SPREADGRAPH_SIGN_IN_LIMIT",
        description="Failed sign-ins allowed per account, and 4x that per client, in 15 minutes (then 429).",
    )
    template_parse_seconds: float = Field(
        2.0,
        gt=0,
        alias="SPREADGRAPH_TEMPLATE_PARSE_SECONDS",
        description="Seconds a submitted template may take to parse before it is refused.",
    )
    max_text_bytes: int = Field(
        20_000_000,
        gt=0,
        alias="SPREADGRAPH_MAX_TEXT_BYTES",
        description="Largest .txt/.md document `ingest` reads (bytes); larger files are refused "
        "before reading.",
    )
    max_pdf_bytes: int = Field(
        100_000_000,
        gt=0,
        alias="SPREADGRAPH_MAX_PDF_BYTES",
        description="Largest PDF `ingest` reads (bytes); larger files are refused before reading.",
    )
    max_docx_bytes: int = Field(
        50_000_000,
        gt=0,
        alias="SPREADGRAPH_MAX_DOCX_BYTES",
        description="Largest .docx `ingest` reads (bytes); larger files are refused before reading.",
    )
    max_export_bytes: int = Field(
        20_000_000,
        gt=0,
        alias="SPREADGRAPH_MAX_EXPORT_BYTES",
        description="Largest coded-excerpt export (.csv/.json) `ingest` reads (bytes); larger files are "
        "refused before reading.",
    )
    secret_key: SecretStr | None = Field(
        None,
        alias="SPREADGRAPH_SECRET_KEY",
        description="Key that signs the web UI's CSRF tokens. Unset: a random key per process "
        "(forms then need a reload after a restart, and several workers need one shared key).",
    )
    max_body_bytes: int = Field(
        2_000_000,
        alias="SPREADGRAPH_MAX_BODY_BYTES",
        description="Largest request body the web app accepts (bytes); larger ones get 413.",
    )
    users_file: Path | None = Field(
        None,
        alias="SPREADGRAPH_USERS_FILE",
        description="JSON file of web accounts (scrypt-hashed passwords, hashed API tokens), "
        "managed by `spreadgraph user`. Unset: users.json in SPREADGRAPH_HOME.",
    )
    read_access: Literal["open", "signed-in"] = Field(
        "open",
        alias="SPREADGRAPH_READ_ACCESS",
        description="Who may read pages and the JSON API: open (anyone) or signed-in (any account).",
    )
    session_hours: float = Field(
        12.0,
        gt=0,
        alias="SPREADGRAPH_SESSION_HOURS",
        description="Hours a web sign-in lasts before the session cookie expires.",
    )

    @property
    def users_path(self) -> Path:
        """The accounts file: SPREADGRAPH_USERS_FILE, or users.json in the data folder."""
        return self.users_file or self.data_dir / "users.json"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read from the environment once)."""
    return Settings()
