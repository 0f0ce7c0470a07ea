"""Background jobs: long work (laying out thousands of notices) off the request thread.

``enqueue("voting.notices.operations.render_notice_batch", batch_id, key)`` runs the
function named by its dotted path with these arguments, in an app context of its own, in one of
three ways:

* REDIS_URL set (production): an RQ job on the ``gongzhi`` queue. Run at least one worker next
  to the web server, with the same environment (GONGZHI_ENV, DATABASE_URL, SECRET_KEY,
  DATA_KEY, REDIS_URL, PUBLIC_BASE_URL)::

      .venv/bin/rq worker gongzhi --url "$REDIS_URL"

  The worker calls :func:`voting.worker.run`, which builds its own app with ``voting.create_app()``.
  A job's arguments may be a key (the notices job gets the one derived from the notices
  passphrase): they live in Redis memory only until the job has run, then RQ deletes the job
  with them, and they never appear in its description, which workers log. Run that Redis
  without persistence (``--save "" --appendonly no``) so they never reach its disk.
* no REDIS_URL (the embedded default): a daemon thread of the web process. A job in flight is
  lost if the process stops; the notices page can start it again.
* JOBS_SYNC true (tests): at once, before enqueue returns, so tests do not race the job.

Within a request, a job is queued once the request has committed (voting.transactions): the job
reads the database from its own session.
"""

from __future__ import annotations

import importlib
import threading

from flask import Flask, current_app, has_request_context

from voting.transactions import after_commit

QUEUE = "gongzhi"
JOB_TIMEOUT = 3 * 60 * 60  # seconds; a large estate's notices take minutes, not hours
# Named, not imported: the worker builds the app, which imports the views that enqueue.
WORKER_ENTRY = "voting.worker.run"


def enqueue(function_path: str, *args) -> None:
    if has_request_context():
        after_commit(_enqueue_now, function_path, *args)
    else:
        _enqueue_now(function_path, *args)


def _enqueue_now(function_path: str, *args) -> None:
    app = current_app._get_current_object()
    if app.config.get("JOBS_SYNC"):
        run_in(app, function_path, args)
    elif app.config.get("REDIS_URL"):
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE, connection=Redis.from_url(app.config["REDIS_URL"]))
        # Jobs record their own outcome in the database: RQ keeps no result, and a job that
        # failed outright only for a moment (the worker's log keeps the traceback), as its
        # arguments may be a key.
        queue.enqueue(
            WORKER_ENTRY,
            function_path,
            *args,
            job_timeout=JOB_TIMEOUT,
            description=function_path,
            result_ttl=0,
            failure_ttl=1,
        )
    else:
        threading.Thread(target=run_in, args=(app, function_path, args), name=function_path, daemon=True).start()


def run_in(app: Flask, function_path: str, args: tuple) -> None:
    module_name, _, name = function_path.rpartition(".")
    function = getattr(importlib.import_module(module_name), name)
    with app.app_context():  # a fresh context: its own database session
        function(*args)
