"""Cases submitted by a signed-in account (web form, upload, `POST /api/cases`).

The same write as `spreadgraph ingest` (`graph.cases.submit_case`, one atomic transaction,
identical content writes nothing); the new Revision also records the account that sent it.
"""

from __future__ import annotations

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.cases import CaseWrite, submit_case
from spreadgraph.graph.connection import write_tx
from spreadgraph.schema.template import CaseTemplate

_ACCOUNT = """
MATCH (:Case {id: $id})-[:HAS_REVISION]->(r:Revision {number: $revision})
SET r.account = $account
"""


def submit_as(
    template: CaseTemplate, account: str, *, file_name: str | None = None, driver: Driver | None = None
) -> CaseWrite:
    """Write one validated case as `account`, in one transaction."""

    def work(tx: ManagedTransaction) -> CaseWrite:
        result = submit_case(tx, template, file_name=file_name)
        if result.action != "unchanged":
            tx.run(_ACCOUNT, id=result.case_id, revision=result.revision, account=account)
        return result

    return write_tx(work, driver=driver)
