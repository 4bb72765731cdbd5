"""orgChartChanged delivery: from sending a mutation to each subscriber's receipt.

A server process is started with the demo organisation; SUBSCRIBERS graphql-transport-ws clients, each
signed in as a person of their own (one person may hold only a few connections), subscribe at the top of the
org chart; ROUNDS renames follow, one at a time. The figure is an
upper bound on commit → receipt: the clock starts before the mutation request is sent.

    .venv/bin/python -m bench.org_chart_latency [subscribers] [rounds]
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

import httpx
from websockets.asyncio.client import connect

from bench.common import record, server_process, store_label, summary_ms
from models.demo.org import build_organization
from server.auth import mint_token
from server.config import DEV_JWT_SECRET

SUBSCRIPTION = "subscription($root: ID!) { orgChartChanged(rootId: $root) { kind version employeeIds } }"
RENAME = "mutation($id: ID!, $name: String!) { updateEmployee(id: $id, input: {name: $name}) { errors { code } } }"


async def subscriber(url: str, token: str, root: str, ready: asyncio.Event, arrivals: list[list[float]],
                     rounds: int, counter: list[int], total: int) -> None:
    async with connect(url, subprotocols=["graphql-transport-ws"], compression=None) as ws:  # type: ignore[list-item]
        await ws.send(json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}}))
        await ws.recv()
        await ws.send(json.dumps({"id": "1", "type": "subscribe",
                                  "payload": {"query": SUBSCRIPTION, "variables": {"root": root}}}))
        counter[0] += 1
        if counter[0] == total:
            ready.set()
        for _ in range(rounds):
            message = json.loads(await ws.recv())
            arrivals[message["payload"]["data"]["orgChartChanged"]["version"] - 1].append(time.perf_counter())


async def run(subscribers: int, rounds: int) -> dict[str, float]:
    demo = build_organization()
    people = {e["_id"]: e for e in demo.employees}
    staff = [e for e in demo.employees if e["status"] != "terminated"]
    tokens = [mint_token(DEV_JWT_SECRET, e["_id"], demo.organization["_id"], ["employee"]) for e in staff]
    admin = people[demo.personas["hr_admin"]]
    admin_token = mint_token(DEV_JWT_SECRET, admin["_id"], demo.organization["_id"], admin["roles"])
    target = people[demo.personas["employee"]]
    root = target["managerChain"][0]
    with server_process() as port:
        url = f"ws://127.0.0.1:{port}/graphql"
        ready, arrivals, counter = asyncio.Event(), [[] for _ in range(rounds)], [0]
        tasks = [asyncio.create_task(subscriber(url, tokens[n % len(tokens)], root, ready, arrivals, rounds, counter,
                                                subscribers))
                 for n in range(subscribers)]
        await ready.wait()
        await asyncio.sleep(1)  # let the last subscriptions reach the bus
        latencies: list[float] = []
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {admin_token}"}) as http:
            for n in range(rounds):
                sent = time.perf_counter()
                await http.post(f"http://127.0.0.1:{port}/graphql",
                                json={"query": RENAME, "variables": {"id": target["_id"], "name": f"Renamed {n}"}})
                async with asyncio.timeout(10):
                    while len(arrivals[n]) < subscribers:
                        await asyncio.sleep(0.001)
                latencies += [t - sent for t in arrivals[n]]
        await asyncio.gather(*tasks)
    return {"subscribers": subscribers, "rounds": rounds, **summary_ms(latencies)}


def main() -> None:
    subscribers = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    record("org_chart_changed_latency", asyncio.run(run(subscribers, rounds)), store=store_label())


if __name__ == "__main__":
    main()
