"""Production's shape on one machine (docs/deploy.md): two server processes behind nginx, one MongoDB, one
Redis. A subscriber connected through the proxy to one process receives the event of a mutation that the
proxy sent to the other. ``make proxy-check`` runs this file alone."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

import httpx
import pytest
from pymongo import AsyncMongoClient
from websockets.asyncio.client import connect

from server.auth import mint_token
from tests.client import Subscriber, answer
from tests.conftest import NORTHWIND
from tests.core.test_redis_fanout import ORG_CHART_CHANGED, REDIS_URL, RENAME, free_port
from tests.stores import store_url

ROOT = Path(__file__).resolve().parent.parent.parent
SECRET = "proxy-check-secret-" + "x" * 32

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed (.ci/run installs it)")

NGINX_CONF = """
worker_processes 1;
{user}
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    upstream perfgraph {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://perfgraph;
            proxy_http_version 1.1;
            proxy_set_header Upgrade $http_upgrade;
            proxy_set_header Connection $connection_upgrade;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 1h;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def token(persona: str) -> str:
    employee = next(e for e in NORTHWIND.employees if e["_id"] == NORTHWIND.personas[persona])
    return mint_token(SECRET, employee["_id"], NORTHWIND.organization["_id"], employee["roles"])


@contextmanager
def process(command: list[str], log: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("w") as out:
        child = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    try:
        yield child
    finally:
        child.terminate()
        child.wait(20)


async def wait_ready(url: str) -> None:
    async with httpx.AsyncClient() as http, asyncio.timeout(60):
        while True:
            try:
                if (await http.get(url)).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)


@asynccontextmanager
async def behind_nginx(tmp_path: Path) -> AsyncIterator[str]:
    """Two servers on one database (the test process's embedded store) and Redis, behind nginx: its URL."""
    database = f"proxy_{uuid.uuid4().hex[:8]}"
    a, b, port = free_port(), free_port(), free_port()
    env = {"MONGODB_URL": store_url(), "MONGODB_DB": database, "BROADCAST_URL": REDIS_URL, "JWT_SECRET": SECRET,
           "FORWARDED_ALLOW_IPS": "127.0.0.1", "GRAPHIQL": "0", "LOG_FORMAT": "json"}
    serve = [sys.executable, "-m", "server", "serve"]
    (tmp_path / "nginx.conf").write_text(NGINX_CONF.format(
        prefix=tmp_path, a=a, b=b, port=port, user="user root;" if os.geteuid() == 0 else ""))
    try:
        with process([*serve, "--seed-demo"], tmp_path / "a.log", {**env, "PORT": str(a)}):
            await wait_ready(f"http://127.0.0.1:{a}/ready")  # A seeds the database first; B then finds it seeded
            with process(serve, tmp_path / "b.log", {**env, "PORT": str(b)}):
                await wait_ready(f"http://127.0.0.1:{b}/ready")
                nginx = ["nginx", "-p", str(tmp_path), "-c", str(tmp_path / "nginx.conf"), "-g", "daemon off;"]
                with process(nginx, tmp_path / "nginx.log", {}):
                    await wait_ready(f"http://127.0.0.1:{port}/health")
                    yield f"127.0.0.1:{port}"
    finally:
        client: AsyncMongoClient = AsyncMongoClient(store_url())
        await client.drop_database(database)
        await client.close()


async def test_a_subscriber_on_one_process_gets_the_event_of_a_mutation_served_by_the_other(tmp_path: Path) -> None:
    person = NORTHWIND.personas["employee"]
    ceo = next(e for e in NORTHWIND.employees if e["_id"] == person)["managerChain"][0]
    async with behind_nginx(tmp_path) as proxy:
        # given a subscriber connected through the proxy (to whichever process it chose)
        async with connect(f"ws://{proxy}/graphql", subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                           compression=None, open_timeout=10) as ws:
            subscriber_upstream = ws.response.headers["X-Upstream"]
            subscriber = Subscriber(ws, "graphql-transport-ws")
            init = {"authorization": f"Bearer {token('manager')}"}
            await subscriber.send({"type": "connection_init", "payload": init})
            assert (await subscriber.receive(10))["type"] == "connection_ack"
            await subscriber.subscribe(ORG_CHART_CHANGED, {"root": ceo})
            await asyncio.sleep(1)  # the subscription reaches Redis (SUBSCRIBE confirmed) before the first write
            # when HR renames someone through the proxy until a rename is served by the other process
            served_by: list[str] = []
            async with httpx.AsyncClient(timeout=30) as http:
                for n in range(1, 5):
                    response = await http.post(f"http://{proxy}/graphql", json={
                        "query": RENAME, "variables": {"id": person, "name": f"Renamed {n}"}},
                        headers={"Authorization": f"Bearer {token('hr_admin')}"})
                    assert answer(response.json()) == {"data": {"updateEmployee": {"errors": []}}}
                    served_by.append(response.headers["X-Upstream"])
                    # then the subscriber receives each rename's event, whichever process served it
                    event = (await subscriber.next_payload(10))["data"]["orgChartChanged"]
                    assert event == {"kind": "EMPLOYEE_UPDATED", "employeeIds": [person], "version": n}
                    if served_by[-1] != subscriber_upstream:
                        break
            assert served_by[-1] != subscriber_upstream, served_by
            # and the request ids nginx passed on are the ones the processes logged and answered
            response = await http_get(f"http://{proxy}/health", {"X-Request-ID": "through-the-proxy"})
            assert response.headers["x-request-id"] == "through-the-proxy"


async def http_get(url: str, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient(timeout=10) as http:
        return await http.get(url, headers=headers)
