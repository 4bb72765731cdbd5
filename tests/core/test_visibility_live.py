"""Visibility on every live path: the scenarios of tests/core/test_visibility.py, walked from ``Subscription``.

For each scenario, every subscription field whose payload can reach one of its types (found from the built
schema as the query walk finds its paths, tests/visibility.py) is opened, with every path of its payload, by
each viewer the change is hidden from and by the one who may see it, before the change is made through the
API. A hidden-from viewer's subscriptions may be refused or stay silent, and an event they receive carries
nothing that moved with the change: no secret (the hidden object's ids and texts), and, as each event is
compared with the same field asked as a query after the change, nothing a query would not show them either.
For a scenario whose change is pushed live (``LIVE``), the viewer who may see it receives its marker: the
walk reaches it.
"""

from __future__ import annotations

import asyncio
import json
import re
from contextlib import AsyncExitStack
from typing import Any

import pytest
from graphql import get_named_type

from tests.client import Subscriber, websocket
from tests.conftest import GLOBEX, RunningServer
from tests.core.test_visibility import BASE, DEPTH, SCENARIOS, SCHEMA, pool, server, walk_server, without
from tests.visibility import TOKEN_BUDGET, Walk, _split
from tests.visibility_cast import COMP, MARKER, VIEWERS, Scenario, client, prepared

__all__ = ["server", "walk_server"]  # the walk's server (no cost budget, no rate limit), one for the module
PER_CONNECTION = 40  # below the server's 50 live operations per connection (server/view.py)
# the scenarios whose change is pushed to someone who may see it: what they must receive (its marker, or, where
# the event carries no text of it, an event at all: a budget's new totals)
LIVE = {"private feedback": "marker", "another respondent's answer": "marker", "private check-in note": "none",
        "private goal in a check-in": "marker", "manager's answer before sharing": "marker",
        "praise in another organisation": "marker", "growth plan and its actions": "marker",
        "succession plan and successor rank": "marker", "promotion proposal": "marker",
        "exit classification, named interview and checklist": "marker",
        "merit proposal and a peer manager's budgets": "event", "learning evidence": "event",
        "webhook endpoint and delivery": "marker",
        "another person's notification": "marker"}


def counterpart(call: str) -> str | None:
    """The query asking what a subscription pushes, where ``Query`` has a field of the same type and
    arguments (``attritionReport`` for ``attritionReportChanged``): an event must then show nothing that
    query did not show before the change."""
    assert SCHEMA.subscription_type is not None and SCHEMA.query_type is not None
    name = re.match(r"subscription \{ (?:\w+: )?(\w+)", call)
    assert name is not None
    field = SCHEMA.subscription_type.fields[name.group(1)]
    for query_name, query_field in SCHEMA.query_type.fields.items():
        if get_named_type(query_field.type) is get_named_type(field.type) and set(query_field.args) == set(field.args):
            return "{ " + call[len("subscription { "):].replace(f"{name.group(1)}(", f"{query_name}(", 1)
    return None


def subscriptions(server: RunningServer, scenario: Scenario) -> list[str]:
    """One document per subscription (a subscription has a single root field): every path of every
    subscription field whose payload reaches the scenario's types, with the arguments its `prepare` made."""
    assert SCHEMA.subscription_type is not None
    arguments = pool()
    arguments.by_name.update(prepared(server))
    # an event's wrapper (its kind, ids) costs one level: one more than the query walk's
    walk = Walk(SCHEMA, arguments, DEPTH + 1, frozenset(scenario.types), BASE + 1)
    return [f"subscription {{ {piece.render()} }}" for _, nodes in walk.roots(SCHEMA.subscription_type)
            for node in nodes for piece in _split(node, TOKEN_BUDGET)]


def token(server: RunningServer, who: str) -> str:
    if who == "other_hr":
        return server.token("hr_admin", GLOBEX)
    if who == "comp":
        return server.token(COMP["_id"], roles=[*COMP["roles"], "compensation_admin"])
    return server.token(VIEWERS[who])


class Listener:
    """One viewer's subscriptions, over as many connections as the per-connection cap needs: the events each
    received, and those refused."""

    def __init__(self, server: RunningServer, who: str, texts: list[str]) -> None:
        self.server, self.who = server, who
        self.events: dict[str, list[dict[str, Any]]] = {text: [] for text in texts}
        self.refused: set[str] = set()
        self.connections: list[tuple[Subscriber, dict[str, str]]] = []

    async def open(self, stack: AsyncExitStack) -> None:
        texts = list(self.events)
        for start in range(0, len(texts), PER_CONNECTION):
            subscriber = await stack.enter_async_context(websocket(self.server.ws_url, token(self.server, self.who)))
            ops: dict[str, str] = {}
            self.connections.append((subscriber, ops))
            for text in texts[start:start + PER_CONNECTION]:
                await self.subscribe(subscriber, ops, text)

    async def subscribe(self, subscriber: Subscriber, ops: dict[str, str], text: str) -> None:
        """Until the server holds the subscription live or answers it (a refusal)."""
        live = self.server.live_subscriptions()
        ops[await subscriber.subscribe(text)] = text
        answer = asyncio.ensure_future(subscriber.receive(timeout=10))
        while not answer.done() and self.server.live_subscriptions() == live:
            await asyncio.sleep(0.005)
        if answer.done():
            self.note(ops, answer.result())
        else:
            answer.cancel()  # websockets' recv() may be cancelled without losing a message

    def note(self, ops: dict[str, str], message: dict[str, Any]) -> None:
        text = ops[message["id"]]
        if message["type"] in ("next", "data") and (message["payload"].get("data") or None) is not None:
            self.events[text].append(message["payload"])
        elif message["type"] != "complete":
            self.refused.add(text)

    async def drain(self, seconds: float = 0.3) -> None:
        """What arrived since, on every connection at once, until each has been quiet for ``seconds``."""
        async def one(subscriber: Subscriber, ops: dict[str, str]) -> None:
            while True:
                try:
                    self.note(ops, await subscriber.receive(timeout=seconds))
                except TimeoutError:
                    return

        await asyncio.gather(*(one(subscriber, ops) for subscriber, ops in self.connections))

    async def until(self, marker: str | None, seconds: float = 10) -> bool:
        """Whether an event holding ``marker`` (``None``: any event) arrives on one of the subscriptions within
        ``seconds`` (then everything else that came is noted too)."""
        def arrived() -> bool:
            events = [event for found in self.events.values() for event in found]
            return bool(events) if marker is None else marker in json.dumps(events)

        async def wait() -> None:
            while not arrived():
                await self.drain(0.05)
        try:
            await asyncio.wait_for(wait(), seconds)
        except TimeoutError:
            return False
        return True


def test_every_live_change_names_a_scenario() -> None:
    assert sorted(set(LIVE) - {s.name for s in SCENARIOS}) == []


@pytest.mark.asyncio(loop_scope="module")  # the tests share the module's server and its loop
@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
async def test_a_hidden_change_is_pushed_to_no_one_who_may_not_see_it(server: RunningServer,
                                                                      scenario: Scenario) -> None:
    # given every subscription reaching the scenario's types, opened before the change by each viewer it is
    # hidden from and by one who may see it
    if scenario.prepare:
        await scenario.prepare(server)
    texts = subscriptions(server, scenario)
    queries = {text: query for text in texts if (query := counterpart(text)) is not None}
    before = {who: {text: (await client(server, who).execute(query)).get("data") for text, query in queries.items()}
              for who in scenario.hidden_from}
    async with AsyncExitStack() as stack:
        listeners = {who: Listener(server, who, texts) for who in (*scenario.hidden_from, scenario.seen_by)}
        for listener in listeners.values():
            await listener.open(stack)
        # when the change is made through the API
        hidden = await scenario.hide(server)
        # then the one who may see it receives it, if it is pushed live
        seen = listeners[scenario.seen_by]
        proof = LIVE.get(scenario.name, "none")
        if proof != "none":
            assert await seen.until(MARKER if proof == "marker" else None), \
                f"{scenario.name}: {scenario.seen_by} receives no event of it: {seen.events}, refused {seen.refused}"
        # and the others receive nothing of it: no secret, nothing the same query did not show them before
        # the change (without such a query, no event at all)
        leaks = []
        await asyncio.gather(*(listeners[who].drain() for who in scenario.hidden_from))
        for who in scenario.hidden_from:
            for text, events in listeners[who].events.items():
                shown = [without(event["data"], scenario.visible) for event in events]
                if any(secret in json.dumps(events) for secret in hidden.secrets) or \
                        any(event != without(before[who].get(text), scenario.visible) for event in shown):
                    leaks.append(f"{who} on {text[:100]}…: {events}")
    assert leaks == [], f"{scenario.name}:\n" + "\n".join(leaks)
