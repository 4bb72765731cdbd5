"""``python -m server …`` with every event-loop callback timed: how long one request holds the loop, measured
in the server itself rather than guessed from another request's wait (which a loaded machine stretches).

Each callback the loop runs (a task's step, a transport's read) that takes more than ``LOOP_WATCH_MS``
(default 5) milliseconds is written to the file ``LOOP_WATCH_FILE`` as one line: the Unix time it ended, its
milliseconds on the clock and in CPU time, and what ran (the coroutine's name and where it is defined).
py-spy is not available on the machines the benchmarks run on; this costs four clock reads per callback.
The server runs on asyncio's own event loop here, not uvloop (whose callbacks cannot be timed from
Python): an upper bound, as the same callbacks take no longer on uvloop. Used by bench/hostile.py:

    LOOP_WATCH_FILE=/tmp/loop.txt python -m bench.loop_watch serve --seed-demo
"""

from __future__ import annotations

import asyncio.events
import os
import sys
import time
from collections.abc import Iterator
from typing import Any, TextIO


def describe(handle: asyncio.events.Handle) -> str:
    """The coroutine a task step ran (name and file:line) and where that step ended (the innermost of our
    own frames it is suspended in, so the work just before it), or the callback itself."""
    callback = getattr(handle, "_callback", None)
    task = getattr(callback, "__self__", None)
    coroutine = task.get_coro() if isinstance(task, asyncio.Task) else None
    code = getattr(coroutine, "cr_code", None)
    if code is None:
        return getattr(callback, "__qualname__", repr(callback))[:120]
    where, inner = "", coroutine
    while inner is not None and hasattr(inner, "cr_frame"):
        frame = inner.cr_frame
        name = os.path.relpath(frame.f_code.co_filename) if frame is not None else ".."
        if not name.startswith(("..", ".venv")):
            where = f" (suspended at {name}:{frame.f_lineno})"  # type: ignore[union-attr]
        inner = inner.cr_await
    return f"{coroutine.__qualname__} {os.path.relpath(code.co_filename)}:{code.co_firstlineno}{where}"  # type: ignore[union-attr]


def watch(out: TextIO, threshold_s: float) -> None:
    """Time every :class:`asyncio.Handle` run from now on in this process."""
    run = asyncio.events.Handle._run

    def timed(handle: asyncio.events.Handle) -> None:
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            run(handle)
        finally:
            took = time.perf_counter() - started
            if took > threshold_s:
                used = time.thread_time() - cpu
                out.write(f"{time.time():.4f} {took * 1000:.2f} {used * 1000:.2f} {describe(handle)}\n")

    asyncio.events.Handle._run = timed  # type: ignore[method-assign]


def read(path: str) -> Iterator[tuple[float, float, float, str]]:
    """The lines :func:`watch` wrote: (Unix time it ended, milliseconds on the clock, milliseconds of the
    thread's CPU, what ran). The clock counts the moments the machine gave the process's core to someone
    else; the CPU time is what the callback itself cost the loop."""
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            at, ms, cpu, what = line.rstrip("\n").split(" ", 3)
            yield float(at), float(ms), float(cpu), what


def main(argv: list[str]) -> Any:
    out = open(os.environ["LOOP_WATCH_FILE"], "a", buffering=1, encoding="utf-8")
    watch(out, float(os.environ.get("LOOP_WATCH_MS", "5")) / 1000)
    import uvicorn

    from server.__main__ import main as serve

    run = uvicorn.run
    uvicorn.run = lambda *args, **options: run(*args, **{**options, "loop": "asyncio"})  # type: ignore[assignment]
    return serve(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
