"""Presence on a review form: who is viewing it and which question each is editing.

State lives in memory, per process, keyed by form (:class:`PresenceRegistry`, one per bus), and
every change travels through the bus so the other processes see it:

- a ``reviewPresence`` subscription publishes ``join`` once its bus subscription is live; each process
  that has viewers of the form answers a join from another process with ``here`` for each of them, so a
  newcomer learns who is already there wherever they are connected;
- ``moveReviewPresence`` publishes ``move`` (a session can be moved only by its own employee);
- when the subscription ends (the client completes it or the connection closes) its ``finally``
  block publishes ``leave``.

Each subscriber gets the full list of viewers whenever it changes. The subscription runs on the one
subscription stream (``resolvers/core/streams.py``) and its re-check policy.
"""

from __future__ import annotations

import asyncio
import re
import weakref
from collections.abc import AsyncIterator
from typing import Any

from models.core import clock
from models.core.documents import Document, new_id
from models.core.errors import ErrorCode, FieldError
from models.core.viewer import Viewer
from models.reviews.rules import find_question
from realtime import Bus
from resolvers.core.context import Context, require
from resolvers.core.errors import BadUserInput
from resolvers.core.publish import publish_after_commit
from resolvers.core.streams import stream
from resolvers.reviews.access import FormBundle, form_bundle, readable_form
from resolvers.reviews.channels import presence_channel

SESSION_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
Message = dict[str, Any]


class PresenceRegistry:
    """form key → session key → entry, for one process (one bus)."""

    def __init__(self) -> None:
        self.process = new_id()
        self.forms: dict[str, dict[str, Document]] = {}

    def apply(self, form_key: str, message: Message) -> None:
        sessions = self.forms.setdefault(form_key, {})
        event, key = message.get("event"), message.get("session")
        if not isinstance(key, str):
            return
        if event in ("join", "here"):
            sessions[key] = {k: message.get(k) for k in ("session", "sessionId", "employeeId", "questionId", "since",
                                                          "process")}
        elif event == "move" and key in sessions and sessions[key]["employeeId"] == message.get("employeeId"):
            sessions[key] = {**sessions[key], "questionId": message.get("questionId")}
        elif event == "leave":
            sessions.pop(key, None)
        if not sessions:
            self.forms.pop(form_key, None)

    def viewers(self, form_key: str) -> list[Document]:
        return sorted(self.forms.get(form_key, {}).values(), key=lambda e: (e["since"] or "", e["session"]))


_REGISTRIES: weakref.WeakKeyDictionary[Bus, PresenceRegistry] = weakref.WeakKeyDictionary()


def registry_for(bus: Bus) -> PresenceRegistry:
    registry = _REGISTRIES.get(bus)
    if registry is None:
        registry = _REGISTRIES[bus] = PresenceRegistry()
    return registry


def _question_errors(bundle: FormBundle, question_id: str | None) -> list[FieldError]:
    if question_id is not None and find_question(bundle.template, bundle.form["kind"], question_id) is None:
        return [FieldError("questionId", ErrorCode.NOT_FOUND, f"no question {question_id!r} on this form")]
    return []


async def review_presence(context: Context, form_id: str, session_id: str | None,
                          question_id: str | None) -> AsyncIterator[Message]:
    """The form's viewers each time they change, for as long as the subscriber may read the form."""
    signed_in = await require(context)
    bundle = await readable_form(context, form_id)
    if bundle is None:
        raise BadUserInput(f"no review form {form_id!r} in your organisation")
    if session_id is not None and not SESSION_PATTERN.match(session_id):
        raise BadUserInput("sessionId must be 1-64 letters, digits, '-' or '_'")
    errors = _question_errors(bundle, question_id)
    if errors:
        raise BadUserInput(errors[0].message)
    session_id = session_id or new_id()
    registry = registry_for(context.bus)
    me = signed_in.viewer
    form_key, channel = f"{me.organization_id}:{form_id}", presence_channel(me.organization_id, form_id)
    key = f"{me.employee_id}:{session_id}"
    entry = {"session": key, "sessionId": session_id, "employeeId": me.employee_id, "questionId": question_id,
             "since": clock.now().isoformat(), "process": registry.process}
    last: list[Document] | None = None

    async def events(viewer: Viewer, message: Message) -> AsyncIterator[Message]:
        nonlocal last
        registry.apply(form_key, message)
        if message.get("event") == "join" and message.get("process") != registry.process:
            mine = registry.forms.get(form_key, {}).get(key)  # tell the newcomer's process we are here
            if mine is not None:
                await publish_after_commit(context, channel, {"event": "here", **mine})
        viewers = registry.viewers(form_key)
        if viewers == last or not any(v["session"] == key for v in viewers):
            return
        current = await form_bundle(context, form_id)  # the event's fresh loaders: as stored now
        if current is None or not current.readable_by(viewer):
            return
        last = viewers
        yield {"formId": form_id, "sessionId": session_id, "viewers": viewers}

    async def announce() -> None:  # once live, so the join and the answers to it come back to this subscriber
        await publish_after_commit(context, channel, {"event": "join", **entry})

    try:
        async for update in stream(context, channel, events, on_subscribed=announce):
            yield update
    finally:
        registry.apply(form_key, {"event": "leave", "session": key})
        await asyncio.shield(publish_after_commit(context, channel, {"event": "leave", "session": key}))


async def move_presence(context: Context, form_id: str, session_id: str,
                        question_id: str | None) -> list[FieldError]:
    """Say which question the viewer's session is now editing (``None``: just viewing)."""
    viewer = (await require(context)).viewer
    bundle = await readable_form(context, form_id)
    if bundle is None:
        return [FieldError("formId", ErrorCode.NOT_FOUND, f"no review form {form_id!r} in your organisation")]
    errors = _question_errors(bundle, question_id)
    if not SESSION_PATTERN.match(session_id):
        errors.append(FieldError("sessionId", ErrorCode.INVALID, "sessionId must be 1-64 letters, digits, '-' or '_'"))
    if errors:
        return errors
    key = f"{viewer.employee_id}:{session_id}"
    await publish_after_commit(context, presence_channel(viewer.organization_id, form_id),
                               {"event": "move", "session": key, "employeeId": viewer.employee_id,
                                "questionId": question_id})
    return []
