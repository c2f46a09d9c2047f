"""The worker: an ordinary process (`sabt worker`, also run by `sabt demo`) that settles the
estates of deaths registered N days ago, one death per transaction, sends the SMS notices
those transactions left, and signs the ledger's daily checkpoint.

Kill it at any moment and start it again: a death is settled (its estate row, its certificate
and its notices) in one transaction or not at all, and a notice is marked sent only after the
gateway took it.
"""

import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from sabt.estates import service
from sabt.identity.sms import Gateway, NotSent
from sabt.kit.errors import SabtError
from sabt.kit.settings import Settings, instance_dir
from sabt.registry import checkpoint
from sabt.registry.db import write_session

BATCH = 200


@dataclass
class Round:
    """What one round did."""

    issued: int = 0
    queued: int = 0
    failed: int = 0  # deaths a round could not settle (left for the next round)
    sent: int = 0
    unsent: int = 0  # notices the gateway did not take (tried again next round)
    checkpoints: int = 0  # ledger checkpoints signed and published (one a day)

    def as_json(self) -> dict[str, int]:
        return asdict(self)


def settle_due(
    engine: Engine, settings: Settings, advance: Callable[[int], None] | None = None
) -> Round:
    """Settle every due death, each in its own transaction."""
    done = Round()
    failed: set[str] = set()
    while True:
        with Session(engine) as session:
            due = service.due(session, settings.estate_days, settings.estates_since,
                              BATCH + len(failed))  # fmt: skip
        todo = [code for code in due if code not in failed]
        if not todo:
            return done
        for code in todo:
            try:
                with write_session(engine) as session:
                    outcome = service.settle(session, code, settings.public_url)
            except SabtError:
                # The register changed under this death (say, a correction in flight): the
                # next round tries it again; nothing of it was written.
                failed.add(code)
                done.failed += 1
                continue
            if outcome is not None:
                done.issued += outcome.status == "issued"
                done.queued += outcome.status == "queued"
            if advance is not None:
                advance(1)


def send_notices(engine: Engine, gateway: Gateway, done: Round) -> None:
    """Send the notices not yet sent, oldest first; mark each once the gateway took it."""
    while True:
        with Session(engine) as session:
            pending = [(n.id, n.mobile, n.text) for n in service.unsent(session, BATCH)]
        if not pending:
            return
        for notice_id, mobile, text in pending:
            try:
                gateway.send(mobile, text)
            except NotSent:
                done.unsent += 1
                return  # the gateway is down: the rest wait for the next round
            with write_session(engine) as session:
                service.mark_sent(session, notice_id)
            done.sent += 1


def run_once(
    engine: Engine, settings: Settings, gateway: Gateway,
    advance: Callable[[int], None] | None = None,
) -> Round:  # fmt: skip
    done = settle_due(engine, settings, advance)
    send_notices(engine, gateway, done)
    done.checkpoints = publish_checkpoint(engine, settings)
    return done


def publish_checkpoint(engine: Engine, settings: Settings) -> int:
    """The ledger's daily signed checkpoint (`registry.checkpoint`), when one is due."""
    key = checkpoint.load_or_create_key(instance_dir(settings))
    with write_session(engine) as session:
        return 1 if checkpoint.publish_if_due(session, key) else 0


def run_forever(
    engine: Engine, settings: Settings, gateway: Gateway, stop: threading.Event,
    report: Callable[[Round], None] | None = None,
) -> None:  # fmt: skip
    """A round every `settings.worker_seconds` until `stop` is set."""
    while not stop.is_set():
        done = run_once(engine, settings, gateway)
        if report is not None:
            report(done)
        stop.wait(settings.worker_seconds)
