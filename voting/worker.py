"""The RQ worker's entry point (voting.jobs enqueues jobs to it by name): an app configured from
the environment, as the web server's is, runs the job's function."""

from voting import create_app
from voting.jobs import run_in


def run(function_path: str, *args) -> None:
    run_in(create_app(), function_path, args)
