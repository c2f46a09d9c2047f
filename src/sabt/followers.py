"""The ledger's followers: what the parts above the registry do, in the writer's own
transaction, when the register changes. One list, installed by every process that writes
the ledger (the API, the command line's register, the worker, the demo).

A follower used to register itself when its module was imported, so a process that happened
not to import the module (a command made to import lazily) wrote the register without it,
silently: a correction that left a wrong certificate valid. Now `registry.service.append`
refuses to write until `install` has run, and the list below is the only place that says
who follows.
"""

from sabt.registry import service as registry


def install() -> None:
    """Install every follower, in order: documents first (a correction revokes or reissues
    the documents stating the old value; the estates part reissues inheritance
    certificates), then the estates part's own reactions."""
    # Imported here, not at the top: the parts import the registry, and the command line
    # imports this module before it knows whether the command writes at all.
    from sabt.documents import service as documents
    from sabt.estates import death_revoked, objections
    from sabt.estates import service as estates

    documents.REISSUERS["inheritance"] = estates.reissue
    registry.install_followers(
        [
            documents.follow_register,  # revoked, superseded or reissued documents
            objections.follow_corrections,  # objections upheld once their corrections are
            death_revoked.follow_register,  # an estate whose death was revoked
        ]
    )
