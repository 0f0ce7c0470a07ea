"""A record's log checked in chunks, in worker processes where asked: one way for both formats.

Each format gives what its chunks need (sent once to each worker) and a function checking
entries start..stop-1 of it; the chunks come back in log order, the work already begun.
"""

from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager

_in_worker = None  # (what the chunks need, the function that checks one), in a worker


@contextmanager
def checked_chunks(shared, check_chunk, length: int, workers: int, most_entries: int):
    """An iterator of (start, check_chunk(shared, start, stop)) over ``length`` entries in order.

    A short log still gets spread out: at least four chunks a worker, ``most_entries`` at most.
    """
    size = max(1, min(most_entries, -(-length // (workers * 4))))
    starts = range(0, length, size)
    stops = [min(start + size, length) for start in starts]
    if workers <= 1 or len(starts) < 2:
        yield ((start, check_chunk(shared, start, stop)) for start, stop in zip(starts, stops))
        return
    # The workers get what they need as they start: by fork where the platform forks (no copy),
    # otherwise pickled once per worker rather than once per chunk.
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_receive, initargs=(shared, check_chunk))
    try:
        yield zip(starts, pool.map(_check_in_worker, starts, stops))
    finally:
        pool.shutdown(cancel_futures=True)


def _receive(shared, check_chunk) -> None:
    global _in_worker
    _in_worker = (shared, check_chunk)


def _check_in_worker(start: int, stop: int):
    shared, check_chunk = _in_worker
    return check_chunk(shared, start, stop)
