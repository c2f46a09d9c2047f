"""Rebuild the register's state from its ledger alone, into an empty database."""

from collections.abc import Callable

from sqlalchemy import Engine, func, select

from sabt.kit import canonical
from sabt.kit.errors import BadInput
from sabt.registry import ledger, schema
from sabt.registry.db import write_session
from sabt.registry.models import LedgerEntry
from sabt.registry.state import StateWriter, constraints_built_after


def replay(
    source: Engine, target: Engine, progress: Callable[[int], None] | None = None
) -> ledger.Head:
    """Read every entry of `source`'s ledger in order, check the chain as it goes, and
    apply it to `target` (migrated first, and required to be empty). Returns the new head."""
    with source.connect() as conn:
        checked = ledger.verify(conn)
    if not checked.ok:
        raise BadInput(
            "ledger_broken",
            f"دفتر مبدأ درست نیست (ردیف {checked.first_bad_seq})؛ بازسازی انجام نشد",
            f"the source ledger does not verify ({checked.reason}); nothing was replayed",
        )
    schema.ensure(target)
    with write_session(target) as session:
        if session.scalar(select(func.count()).select_from(LedgerEntry)):
            raise BadInput(
                "target_not_empty", "پایگاه دادهٔ مقصد خالی نیست", "the target database is not empty"
            )
        head = ledger.lock_head(session)
        target_conn = session.connection()
        with (
            constraints_built_after(target_conn),
            StateWriter(target_conn, background=True) as writer,
            source.connect() as conn,
        ):
            for row in ledger.read_entries(conn):
                _check_link(head, row)
                fields = canonical.loads(row["payload"])
                writer.apply(fields["kind"], fields["data"])
                writer.add_ledger_row(row)
                head.seq, head.hash = row["seq"], row["hash"]
                if progress and head.seq % 10_000 == 0:
                    progress(10_000)
            writer.flush()
        ledger.store_head(session, head)
    return head


def _check_link(head: ledger.Head, row: dict[str, object]) -> None:
    payload = str(row["payload"]).encode("utf-8")
    if (
        row["seq"] != head.seq + 1
        or row["prev_hash"] != head.hash
        or ledger.entry_hash(head.hash, payload) != row["hash"]
    ):
        raise BadInput(
            "ledger_broken",
            f"زنجیرهٔ دفتر در ردیف {head.seq + 1} گسسته است؛ بازسازی انجام نشد",
            f"the source ledger does not hold at entry {head.seq + 1}; run `sabt ledger verify`",
        )
