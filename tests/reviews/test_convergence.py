"""Convergence of live co-editing: 20 editors on one form over WebSockets, 15 random edits each with retries
on conflict. At the end no acknowledged write is lost and every subscriber's view (built only from the
pushed events) equals the stored form."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from dataclasses import dataclass, field
from typing import Any

from models.reviews.rules import questions_for
from tests.client import Subscriber, websocket
from tests.conftest import RunningServer
from tests.reviews.support import (
    UPDATE_ANSWER,
    create_cycle,
    create_template,
    cycle_documents,
    launch,
    move,
    person,
    stored,
)

EDITORS = 20
# each: 300 acknowledged writes on 24 questions already meet well over a hundred conflicts (each write's event goes
# to all 20 subscribers, so a write costs the server ~20 deliveries: 50 each took 90 s)
EDITS = 15
FORM_CHANGED = "subscription($form: ID!) { reviewFormChanged(formId: $form) { questionId value version byId } }"
Answer = tuple[Any, int]  # value, version


@dataclass
class Editor:
    """One connection: its own edits (sent as graphql-transport-ws operations on the socket) and the view it
    builds from the reviewFormChanged events it receives on the same socket."""

    number: int
    socket: Subscriber
    known: dict[str, Answer]
    view: dict[str, Answer]
    events: int = 0
    acknowledged: list[tuple[str, Any, int]] = field(default_factory=list)
    pending: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    async def read(self) -> None:
        while True:
            message = json.loads(await self.socket.ws.recv())
            if message["type"] != "next":
                assert message["type"] in {"complete", "ping", "pong"}, message
                continue
            if message["id"] == "events":
                assert "errors" not in message["payload"], message
                event = message["payload"]["data"]["reviewFormChanged"]
                self.events += 1
                question, version = event["questionId"], event["version"]
                if version > self.view.get(question, (None, 0))[1]:
                    self.view[question] = (event["value"], version)
            else:
                self.pending.pop(message["id"]).set_result(message["payload"])

    async def write(self, form_id: str, question: str, value: Any, base: int) -> dict[str, Any]:
        op = f"edit-{next(self.ids)}"
        self.pending[op] = asyncio.get_running_loop().create_future()
        await self.socket.send({"id": op, "type": "subscribe", "payload": {"query": UPDATE_ANSWER, "variables": {
            "form": form_id, "question": question, "value": value, "base": base}}})
        payload = await self.pending[op]
        assert "errors" not in payload, payload
        return payload["data"]["updateReviewAnswer"]

    async def edit(self, form_id: str, questions: list[dict[str, Any]], rng: random.Random) -> int:
        """EDITS random edits, each retried on conflict from the version the conflict reported."""
        retries = 0
        for n in range(EDITS):
            await asyncio.sleep(rng.uniform(0, 0.02))  # a person edits a field now and then
            question = rng.choice(questions)
            value = random_value(question, rng, f"editor {self.number} edit {n}")
            # like a real client: start from the newest version seen, acknowledged or pushed
            base = max(self.known.get(question["id"], (None, 0))[1], self.view.get(question["id"], (None, 0))[1])
            while True:
                result = await self.write(form_id, question["id"], value, base)
                if result["answer"] is not None:
                    version = result["answer"]["version"]
                    self.known[question["id"]] = (value, version)
                    self.acknowledged.append((question["id"], value, version))
                    break
                assert [e["code"] for e in result["errors"]] == ["CONFLICT"], result
                conflict = result["conflict"]
                self.known[question["id"]] = (conflict["value"], conflict["version"])
                base = conflict["version"]
                retries += 1
        return retries


def random_value(question: dict[str, Any], rng: random.Random, text: str) -> Any:
    kind = question["kind"]
    if kind == "rating":
        return rng.choice([label["value"] for label in question["labels"]])
    if kind == "competency":
        return rng.randint(1, 5)
    if kind == "choice":
        return rng.choice(question["options"])
    return text


async def test_twenty_editors_converge_on_one_form(server: RunningServer) -> None:
    # given a review in calibration whose manager's form (24 questions) is co-edited by the manager on
    # several devices, HR admins and the manager's own manager
    questions = [{"id": f"q{n}", "kind": "RATING" if n % 2 else "TEXT", "text": f"Question {n}",
                  "required": False} for n in range(24)]
    template = await create_template(server, name="Calibration sheet", sections=[
        {"id": "sheet", "title": "Sheet", "reviewerKinds": ["MANAGER"], "questions": questions}],
        weights={"self": 0, "manager": 100, "peer": 0, "upward": 0})
    cycle_id = await create_cycle(server, template["_id"], peersPerReviewee=0)
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    review = next(r for r in reviews if r["managerId"] and len(person(r["employeeId"])["managerChain"]) >= 3)
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        assert (await move(server, "hr_admin", review["_id"], state))["errors"] == []
    form_id = next(f["_id"] for f in forms if f["reviewId"] == review["_id"] and f["kind"] == "manager")
    start: dict[str, Answer] = {}
    fields = [q for _, q in questions_for(template, "manager")]
    skip_level = next(m for m in person(review["employeeId"])["managerChain"] if m != review["managerId"])
    who = [review["managerId"]] * 10 + ["hr_admin"] * 5 + [skip_level] * 5
    async with asyncio.timeout(180):
        sockets = [websocket(server.ws_url, server.token(w)) for w in who]
        opened = [await s.__aenter__() for s in sockets]
        try:
            editors = [Editor(n, sock, dict(start), dict(start)) for n, sock in enumerate(opened)]
            for editor in editors:
                await editor.socket.send({"id": "events", "type": "subscribe",
                                          "payload": {"query": FORM_CHANGED, "variables": {"form": form_id}}})
            await server.wait_subscribers(EDITORS)
            readers = [asyncio.create_task(e.read()) for e in editors]
            # when each makes EDITS random edits, retrying on conflict
            retries = await asyncio.gather(*(e.edit(form_id, fields, random.Random(e.number)) for e in editors))
            acknowledged = [a for e in editors for a in e.acknowledged]
            # and one last write after them all: each subscriber gets its event after every earlier one
            last = (await stored(server, "reviewForms", form_id))["answers"].get("q0")
            marker = await editors[0].write(form_id, "q0", "last", last["version"] if last else 0)
            written = [*acknowledged, ("q0", "last", marker["answer"]["version"])]
            while any(e.view.get("q0", (None, 0))[1] < written[-1][2] for e in editors):
                await asyncio.sleep(0.05)
            for task in readers:
                task.cancel()
        finally:
            for s in reversed(sockets):
                await s.__aexit__(None, None, None)
    # then no acknowledged write is lost: per question the acknowledged versions (and the last write's) are
    # exactly the versions after the starting one, and the stored answer is the last of them
    assert len(acknowledged) == EDITORS * EDITS and sum(retries) > 0
    final = (await stored(server, "reviewForms", form_id))["answers"]
    for question in {q for q, _, _ in written}:
        mine = sorted((version, value) for q, value, version in written if q == question)
        first = start.get(question, (None, 0))[1]
        assert [version for version, _ in mine] == list(range(first + 1, first + 1 + len(mine)))
        assert (final[question]["value"], final[question]["version"]) == (mine[-1][1], mine[-1][0])
    # and each subscriber's view equals the stored form
    stored_view = {q: (a["value"], a["version"]) for q, a in final.items()}
    for editor in editors:
        assert editor.view == stored_view
        assert editor.events == len(written)  # one event per write, nothing else before the last one
