"""One root for the project's errors: each carries a user-facing message and an HTTP status."""

from __future__ import annotations


class SpreadgraphError(Exception):
    """Base class: `message` is safe to show to a user; `status` is the HTTP status to answer."""

    status: int = 500
    code: str = "error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def as_dict(self) -> dict[str, object]:
        """The fixed JSON error shape used by the CLI (`--json`) and the API."""
        return {"ok": False, "error": {"code": self.code, "message": self.message, "hint": self.hint}}

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class ConfigError(SpreadgraphError):
    status = 500
    code = "config"


class DatabaseUnavailable(SpreadgraphError):
    """Neo4j cannot be reached or refused our credentials."""

    status = 503
    code = "database_unavailable"


class DatabaseDown(DatabaseUnavailable):
    """Neo4j is down or unreachable while serving a request: 503 with Retry-After and a plain
    message that names no server, address or user (the details go to the log)."""

    retry_after = 5  # seconds, as for DatabaseBusy (graph/connection.py)

    def __init__(self, message: str = "the database is not available right now") -> None:
        super().__init__(message, hint="try again in a few seconds")


class LocalServerError(SpreadgraphError):
    """The project-managed local Neo4j could not be built, started or stopped."""

    status = 500
    code = "local_server"


class QueryRefused(SpreadgraphError):
    """A Cypher query was refused by the read-only guard (it would write, or is denied)."""

    status = 400
    code = "query_refused"


class QueryFailed(SpreadgraphError):
    """A Cypher query was syntactically wrong, timed out or failed in the database."""

    status = 400
    code = "query_failed"


class IngestError(SpreadgraphError):
    """A document could not be read or parsed (malformed PDF/DOCX, unknown export shape)."""

    status = 422
    code = "ingest"


class FileTooLarge(IngestError):
    """A file is over the configured size limit for its kind; refused before it is read."""

    status = 413
    code = "file_too_large"


class EmptyDocument(IngestError):
    """A file is empty or holds only whitespace; nothing is written."""

    code = "empty_document"


class ExportColumns(IngestError):
    """A coded-excerpt export lacks the quote column; the message names missing and unknown columns."""

    code = "export_columns"
