"""Locks that let several workers, on several machines, share the background jobs.

- A job that must run in one place at a time (the norm check, the away sweep, the SLA events, one shop's IMAP
  fetch) takes `singleton(name, key)`: on PostgreSQL a transaction-level advisory lock
  (`pg_try_advisory_xact_lock`) held on a connection of its own for as long as the job runs. The worker that does
  not get it skips the job this round instead of waiting; the server drops the lock with the transaction, also
  when the worker dies.
- Row queues (the outbox, webhook deliveries) need no lock of this kind: workers claim rows with
  `SELECT ... FOR UPDATE SKIP LOCKED` and a conditional UPDATE (`services/outbox.py`, `services/webhooks.py`).
- SQLite has neither, and is for one machine: `one_worker_on_sqlite` keeps a second worker from starting (an
  exclusive `flock` on a file beside the database, dropped by the kernel when the process dies), and the
  singletons are then trivially the worker's own.
"""
from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from inbox.extensions import db


class WorkerRunning(RuntimeError):
    """Another worker already serves this SQLite database."""


def lock_key(name: str) -> int:
    """A stable 32-bit signed key for a lock name (the first argument of the two-key advisory lock)."""
    return zlib.crc32(f"seller-inbox:{name}".encode()) - 2 ** 31


@contextmanager
def singleton(name: str, key: int = 0) -> Iterator[bool]:
    """Yield True when this process now holds the lock (`name`, `key`: e.g. ("imap", shop id)) until the block
    ends, False when another worker holds it."""
    engine = db.engine
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as conn, conn.begin():
        got = conn.scalar(sa.text("SELECT pg_try_advisory_xact_lock(:name, :key)"),
                          {"name": lock_key(name), "key": key})
        yield bool(got)


@contextmanager
def one_worker_on_sqlite() -> Iterator[None]:
    """Hold the SQLite database's worker lock for the life of the block.

    :raise WorkerRunning: another worker holds it.
    """
    engine = db.engine
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if not path or path == ":memory:":
        yield   # PostgreSQL (any number of workers), or a private in-memory database
        return
    fd = os.open(f"{os.path.abspath(path)}.worker-lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WorkerRunning(f"another worker is running for {path}; SQLite allows one "
                                "(use PostgreSQL for several)") from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        os.close(fd)
