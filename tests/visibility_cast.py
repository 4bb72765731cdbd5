"""The cast and the scenario shape of tests/core/test_visibility.py: the owner of the hidden things, each kind
of viewer around them, and what a :class:`Scenario` declares (docs/testing.md, "Visibility")."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from models.demo.growth import demo_growth
from tests.client import GraphQLClient
from tests.compensation.support import COMP_ADMIN, grant_compensation_admin
from tests.conftest import GLOBEX, NORTHWIND, RunningServer

Document = dict[str, Any]
MARKER = "Zq7 hidden marker"
UNKNOWN = "0" * 24


def _employee(id: str) -> Document:
    return next(e for e in NORTHWIND.employees if e["_id"] == id)


OWNER = _employee(NORTHWIND.personas["employee"])
MANAGER = _employee(OWNER["managerId"])
SKIP = _employee(MANAGER["managerId"])
PEER, PEER2 = [e for e in NORTHWIND.employees if e["managerId"] == MANAGER["_id"] and e["_id"] != OWNER["_id"]
               and e["status"] == "active" and e["roles"] == ["employee"]][:2]
HR = _employee(NORTHWIND.personas["hr_admin"])
# another manager reporting to the skip-level manager: a peer manager, with an organisation of their own
PEER_MANAGER = next(e for e in NORTHWIND.employees if e["managerId"] == SKIP["_id"] and e["_id"] != MANAGER["_id"]
                    and any(o["managerId"] == e["_id"] for o in NORTHWIND.employees))
# the owner's mentor in an active mentorship (outside their reporting line)
MENTORSHIP = next(m for m in demo_growth(NORTHWIND)["mentorships"]
                  if m["menteeId"] == OWNER["_id"] and m["status"] == "active")
MENTOR = _employee(MENTORSHIP["mentorId"])
COMP = _employee(COMP_ADMIN)  # granted compensation_admin by the scenarios that need them (`as_comp_admin`)
VIEWERS = {"owner": OWNER["_id"], "peer": PEER["_id"], "manager": MANAGER["_id"], "skip": SKIP["_id"],
           "hr": HR["_id"], "other_hr": "other_hr", "peer_manager": PEER_MANAGER["_id"], "mentor": MENTOR["_id"],
           "comp": COMP["_id"]}


def client(server: RunningServer, who: str) -> GraphQLClient:
    if who == "other_hr":
        return server.client("hr_admin", GLOBEX)
    if who == "comp":
        return GraphQLClient(server.url, server.token(COMP["_id"], roles=[*COMP["roles"], "compensation_admin"]))
    return server.client(VIEWERS[who])


async def as_comp_admin(server: RunningServer) -> None:
    """The store grants the compensation admin their role (before the first walk: the grant shows)."""
    await grant_compensation_admin(server)


async def ok(server: RunningServer, who: str, query: str, variables: Document) -> Document:
    """The payload of a mutation that must succeed."""
    data = await client(server, who).data(query, variables)
    (payload,) = data.values()
    assert payload["errors"] == [], payload
    return payload


# argument values a scenario's `prepare` step made (by server, then argument name): the subscription walk
# subscribes with them before the change (an exit record's id for `exitChecklistChanged`)
PREPARED: dict[int, dict[str, list[Any]]] = {}


def prepared(server: RunningServer) -> dict[str, list[Any]]:
    return PREPARED.setdefault(id(server), {})


@dataclass(frozen=True)
class Hidden:
    """What a change made: ``secrets`` (ids and texts no hidden-from viewer may ever read), ``objects``
    (GraphQL type → ids of new objects to ask for directly)."""

    secrets: list[str]
    objects: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Scenario:
    """One change hidden from some viewers: ``types`` are the object types it can show through (the walk
    covers every path from ``Query`` and from ``Subscription`` to them), ``hide`` makes it through the API,
    ``seen_by`` must find it: its :data:`MARKER`, or (``marker=False``, a change without a text of its own) an
    answer that moved. ``visible``: fields whose values the rules let the hidden-from viewers see move
    (documented, e.g. a leaver's ``endDate`` for their managers); ``prepare`` runs before the first walk."""

    name: str
    types: tuple[str, ...]
    hide: Callable[[RunningServer], Awaitable[Hidden]]
    hidden_from: tuple[str, ...]
    seen_by: str
    prepare: Callable[[RunningServer], Awaitable[None]] | None = None
    visible: tuple[str, ...] = ()
    marker: bool = True
