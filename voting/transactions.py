"""A request's changes are committed in one place: once its view has answered with a page, a
redirect or data (below 400); an error answer, a refusal or an exception keeps nothing.

Work that must see the committed changes (queueing a job, which reads the database from its own
session) is handed to :func:`after_commit` and runs once they are committed.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import g

from voting.extensions import db


def after_commit(work: Callable, *args) -> None:
    """Run ``work(*args)`` once the current request has committed; never if it keeps nothing."""
    g.setdefault("after_commit", []).append((work, args))


def finish_request(status: int) -> None:
    """Commit what the view did if it answered below 400, else roll it back; then the work
    waiting for the commit (which may hand on more)."""
    waiting = g.pop("after_commit", [])
    if status >= 400:
        db.session.rollback()
        return
    db.session.commit()
    while waiting:
        work, args = waiting.pop(0)
        work(*args)
        waiting += g.pop("after_commit", [])
