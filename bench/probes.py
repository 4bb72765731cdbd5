"""Raw HTTP for bench/hostile.py (one request on a fresh connection, its body written piece by piece while
the answer is awaited) and the two threads it runs beside a burst: a trivial request every few
milliseconds (how long the server makes others wait) and the server's resident memory."""

from __future__ import annotations

import asyncio
import socket
import threading
import time

from bench.common import process_rss_kib

PROBE_EVERY = 0.005
RSS_EVERY = 0.05


def post_head(port: int, length: int | None, token: str | None = None) -> bytes:
    size = f"Content-Length: {length}\r\n" if length is not None else "Transfer-Encoding: chunked\r\n"
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}Content-Type: application/json\r\n"
            f"Accept: application/json\r\n{size}\r\n").encode()


async def read_answer(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One HTTP response: its status and body (by length, chunked, or to the end)."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
    if "content-length" in headers:
        body = await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        parts = []
        while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
            parts.append(await reader.readexactly(size + 2))
        body = b"".join(part[:-2] for part in parts)
    else:
        body = await reader.read()
    return int(lines[0].split()[1]), body


async def exchange(port: int, body: bytes, *, chunked: bool = False) -> tuple[float, int, bytes]:
    """One request on a fresh connection: the seconds from connecting to the whole answer, its status and
    body. The body is written in 64 KB pieces while the answer is awaited: a server that refuses a large
    body early is not made to wait for all of it."""
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection("127.0.0.1", port)

    async def send() -> None:
        writer.write(post_head(port, None if chunked else len(body)))
        view = memoryview(body)
        for offset in range(0, len(body), 65_536):
            piece = view[offset:offset + 65_536]
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            await writer.drain()
        if chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()

    sending = asyncio.create_task(send())
    try:
        status, answer = await read_answer(reader)
    finally:
        elapsed = time.perf_counter() - started
        sending.cancel()
        await asyncio.gather(sending, return_exceptions=True)
        writer.transport.abort()
    return elapsed, status, answer


def post_request(port: int, body: bytes, token: str) -> bytes:
    return (f"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {token}\r\n"
            f"Content-Type: application/json\r\nAccept: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body


class Probe(threading.Thread):
    """``{ __typename }`` every :data:`PROBE_EVERY` seconds over one keep-alive connection (a blocking socket in
    a thread of its own, so that this process's own event loop never delays it), until stopped."""

    def __init__(self, port: int, token: str) -> None:
        super().__init__(daemon=True)
        self.request = post_request(port, b'{"query": "{ __typename }"}', token)
        self.port, self.stop, self.latencies, self.answered = port, threading.Event(), [], []

    def run(self) -> None:
        with socket.create_connection(("127.0.0.1", self.port)) as sock:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            buffer = b""
            while not self.stop.is_set():
                sent = time.perf_counter()
                sock.sendall(self.request)
                while True:  # one answer: its head, then Content-Length bytes
                    head, separator, rest = buffer.partition(b"\r\n\r\n")
                    if separator:
                        length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                                      if line.lower().startswith(b"content-length:"))
                        if len(rest) >= length:
                            buffer = rest[length:]
                            break
                    chunk = sock.recv(65_536)
                    if not chunk:
                        raise RuntimeError("the server closed the probe's connection")
                    buffer += chunk
                now = time.perf_counter()
                self.latencies.append(now - sent)
                self.answered.append(now)
                time.sleep(PROBE_EVERY)


class MemorySampler(threading.Thread):
    """The server's ``VmRSS`` every :data:`RSS_EVERY` seconds, until stopped."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.stop, self.samples = pid, threading.Event(), []

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append(process_rss_kib(self.pid))
            time.sleep(RSS_EVERY)
