"""Cases submitted by a signed-in account (web form, upload, `POST /api/cases`).

The same write as `spreadgraph ingest` (`graph.cases.submit_case`, one atomic transaction,
identical content writes nothing); the new Revision also records the account that sent it. The
account that sent a case's first revision owns it: other contributors may not revise it.
"""

from __future__ import annotations

from neo4j import Driver, ManagedTransaction
from spreadgraph.graph.case_writer import CaseWrite, case_id_for, submit_case
from spreadgraph.graph.connection import write_tx
from spreadgraph.schema.template import CaseTemplate

from spreadgraph.errors import SpreadgraphError

_ACCOUNT = """
MATCH (:Case {id: $id})-[:HAS_REVISION]->(r:Revision {number: $revision})
SET r.account = $account
"""


_OWNER = """
MATCH (c:Case {id: $id})
OPTIONAL MATCH (c)-[:HAS_REVISION]->(first:Revision {number: 1})
RETURN first.account AS owner
"""


class NotCaseOwner(SpreadgraphError):
    """A contributor tried to resubmit a case that another account (or the CLI) submitted."""

    status = 403
    code = "not_case_owner"


def submit_as(
    template: CaseTemplate,
    account: str,
    *,
    may_revise_any: bool = False,
    file_name: str | None = None,
    driver: Driver | None = None,
) -> CaseWrite:
    """Write one validated case as `account`, in one transaction. An existing case may be revised
    only by the account that first submitted it, or by a reviewer (`may_revise_any`)."""

    def work(tx: ManagedTransaction) -> CaseWrite:
        existing = tx.run(_OWNER, id=case_id_for(template)).single()
        if existing is not None and not may_revise_any and existing["owner"] != account:
            raise NotCaseOwner(
                f"the case '{case_id_for(template)}' was submitted by another account; "
                "only its contributor or a reviewer may change it",
                hint="give your case its own `id`, or ask a reviewer",
            )
        result = submit_case(tx, template, file_name=file_name)
        if result.action != "unchanged":
            tx.run(_ACCOUNT, id=result.case_id, revision=result.revision, account=account)
        return result

    return write_tx(work, driver=driver)
