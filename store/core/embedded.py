"""The embedded store: SecantusDB, a MongoDB-compatible server, run as a child process.

SecantusDB (GPL-2.0) speaks MongoDB's wire protocol on the WiredTiger engine, as a single-node replica
set with transactions and change streams. Perfgraph never imports it: it starts the ``secantusd-py``
program as a separate process on a free loopback port and talks to it with ``AsyncMongoClient``, exactly
as it talks to any MongoDB, so one code path serves both.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

from pymongo import AsyncMongoClient
from pymongo.errors import PyMongoError

log = logging.getLogger("perfgraph.store")
PR_SET_PDEATHSIG = 1
MEMORY = ":memory:"  # SecantusDB's ephemeral storage: a temporary directory removed on shutdown


class EmbeddedUnavailable(Exception):
    """The embedded server could not be started; the message is one printable line."""


def die_with_parent() -> None:
    """In the child, before it runs: on Linux, end it when Perfgraph's process ends, however that ends
    (a SIGKILL included), so no database outlives the server that started it."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_program() -> str:
    """``secantusd-py`` from the environment Perfgraph runs in (installed with it)."""
    beside = Path(sys.executable).with_name("secantusd-py")
    found = str(beside) if beside.exists() else shutil.which("secantusd-py")
    if found is None:
        raise EmbeddedUnavailable("secantusd-py was not found: install the project (`make install`)")
    return found


class EmbeddedServer:
    """One SecantusDB process. ``data_dir`` keeps the data across restarts; ``None`` keeps it in a
    temporary directory for the life of the process (tests, benchmarks)."""

    def __init__(self, data_dir: Path | None = None) -> None:
        self.data_dir = data_dir
        self.port = 0
        self.process: asyncio.subprocess.Process | None = None
        self.output: IO[bytes] = tempfile.TemporaryFile()

    @property
    def url(self) -> str:
        return f"mongodb://127.0.0.1:{self.port}/?directConnection=true"

    @property
    def where(self) -> str:
        return str(self.data_dir) if self.data_dir is not None else "memory (gone when it stops)"

    async def start(self, *, wait_seconds: float = 30.0) -> str:
        """Start the process and wait until it answers; its URL."""
        storage = MEMORY
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            storage = str(self.data_dir)
        self.port = free_port()
        command = [server_program(), "--host", "127.0.0.1", "--port", str(self.port), "--storage-path", storage,
                   "--log-level", "WARNING"]
        # Its own session: Ctrl-C in a terminal reaches Perfgraph, which then stops it in order.
        # Its output goes to a file, never to a pipe nobody reads (a full pipe would stall the server).
        self.output = tempfile.TemporaryFile()
        self.process = await asyncio.create_subprocess_exec(
            *command, stdin=subprocess.DEVNULL, stdout=self.output, stderr=subprocess.STDOUT,
            start_new_session=True, preexec_fn=die_with_parent)
        try:
            await self._wait_until_ready(wait_seconds)
        except BaseException:
            await self.stop()
            raise
        return self.url

    async def _wait_until_ready(self, wait_seconds: float) -> None:
        client: AsyncMongoClient = AsyncMongoClient(self.url, serverSelectionTimeoutMS=250)
        try:
            async with asyncio.timeout(wait_seconds):
                while True:
                    if self.process is not None and self.process.returncode is not None:
                        self.output.seek(0)
                        reason = self.output.read().decode(errors="replace")
                        last = reason.strip().splitlines()[-1:] or ["no output"]
                        raise EmbeddedUnavailable(f"the embedded database stopped at start-up: {last[0][:200]}")
                    with contextlib.suppress(PyMongoError):
                        await client.admin.command("ping")
                        return
                    await asyncio.sleep(0.05)
        except TimeoutError:
            raise EmbeddedUnavailable(f"the embedded database did not answer within {wait_seconds:.0f} s") from None
        finally:
            await client.close()

    async def stop(self, *, wait_seconds: float = 10.0) -> None:
        """SIGTERM, and SIGKILL if it has not stopped within ``wait_seconds``."""
        process, self.process = self.process, None
        if process is None or process.returncode is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            async with asyncio.timeout(wait_seconds):
                await process.wait()
        except TimeoutError:
            log.warning("the embedded database did not stop within %.0f s; killing it", wait_seconds)
            process.kill()
            await process.wait()
        self.output.close()


def default_data_dir() -> Path:
    """Where ``make serve`` keeps its data: ``PERFGRAPH_DATA`` or ``.perfgraph/db`` in the working directory."""
    return Path(os.environ.get("PERFGRAPH_DATA") or ".perfgraph/db").resolve()
