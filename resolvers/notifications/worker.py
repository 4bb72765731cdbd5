"""The delivery worker: turns outbox events into deliveries and sends them, signed as Standard Webhooks.

It runs in the server process by default (started in the lifespan) and as ``python -m server worker``.
Each step is safe with several workers: the fan-out of an event is one transaction, and a delivery is
sent only by the worker holding its lease (one conditional write takes it). A worker woken by a commit in
its own process starts ``settle_seconds`` later (:data:`SETTLE_SECONDS`): the live pushes of that commit go out
first, the worker's fan-out transaction does not compete with them for the store and the event loop, and the
commits of a burst are fanned out in one round; otherwise it looks every ``poll_seconds``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

import httpx
from standardwebhooks.webhooks import Webhook

from models.core import clock
from models.core.documents import Document, new_id
from models.notifications.webhooks import (
    SEND_TIMEOUT_SECONDS,
    Answer,
    DeliveryStatus,
    answer_of,
    next_attempt,
    retry_after,
    signing_secrets,
)
from realtime import Bus
from resolvers.notifications import notices
from resolvers.notifications.reminders import ReminderScheduler
from resolvers.notifications.webhooks import url_refusal
from store.core.database import Database
from store.core.transactions import outbox_committed
from store.notifications import webhooks as webhook_store

log = logging.getLogger("perfgraph.webhooks")
Tick = Callable[[], Awaitable[None]]
SETTLE_SECONDS = 0.1  # from a commit in this process to the round it wakes (a webhook is not a live push)


def signature(secrets: list[str], message_id: str, at: datetime, body: str) -> str:
    """``webhook-signature``: one ``v1,<base64>`` per secret (two while a rotation overlaps)."""
    return " ".join(Webhook(secret).sign(message_id, at, body) for secret in secrets)


class DeliveryWorker:
    def __init__(self, database: Database, *, allow_private: bool = False, poll_seconds: float = 1.0,
                 owner: str | None = None, rng: random.Random | None = None,
                 transport: httpx.AsyncBaseTransport | None = None, also: list[Tick] | None = None,
                 bus: Bus | None = None, settle_seconds: float = SETTLE_SECONDS) -> None:
        self.database = database
        self.settle_seconds = settle_seconds
        self.bus = bus  # notificationReceived pushed on it (None: stored only)
        self.allow_private = allow_private
        self.poll_seconds = poll_seconds
        self.owner = owner or new_id()
        self.rng = rng or random.Random()
        self.transport = transport
        self.also = also or []  # more periodic work in the same loop (the reminder scheduler)
        self.sent = 0

    async def run_once(self) -> int:
        """Fan out every waiting event, then send every due delivery; how many attempts were made."""
        for event in await webhook_store.undispatched(self.database):
            await webhook_store.fan_out(self.database, event["_id"], clock.now())
        attempts = 0
        delivery = await webhook_store.claim(self.database, self.owner, clock.now())
        if delivery is None:  # the usual poll: nothing due, no client built
            return 0
        async with httpx.AsyncClient(follow_redirects=False, timeout=SEND_TIMEOUT_SECONDS,
                                     transport=self.transport) as client:
            while delivery is not None:
                await self.send(client, delivery)
                attempts += 1
                delivery = await webhook_store.claim(self.database, self.owner, clock.now())
        return attempts

    async def send(self, client: httpx.AsyncClient, delivery: Document) -> None:
        """One attempt at ``delivery`` (leased to this worker), and what follows from its answer."""
        endpoint = await webhook_store.endpoint_for(self.database, delivery)
        now = clock.now()
        started = time.monotonic()
        status: int | None = None
        error: str | None = None
        wait = None
        if endpoint is None or not endpoint.get("enabled"):
            attempt = {"at": now, "status": None, "error": "the endpoint is disabled", "durationMs": 0}
            await webhook_store.finish_attempt(self.database, delivery, self.owner, attempt,
                                               {"status": DeliveryStatus.FAILED.value})
            return
        refusal = await url_refusal(endpoint["url"], allow_private=self.allow_private)
        if refusal is not None:
            error = refusal
        else:
            headers = {"content-type": "application/json", "user-agent": "Perfgraph-Webhooks/1",
                       "webhook-id": delivery["messageId"], "webhook-timestamp": str(int(now.timestamp())),
                       "webhook-signature": signature(signing_secrets(endpoint, now), delivery["messageId"], now,
                                                      delivery["body"])}
            try:
                response = await client.post(endpoint["url"], content=delivery["body"].encode(), headers=headers)
                status = response.status_code
                wait = retry_after(response.headers.get("retry-after"), now)
            except httpx.HTTPError as failure:
                error = type(failure).__name__
        attempt = {"at": now, "status": status, "error": error,
                   "durationMs": int((time.monotonic() - started) * 1000)}
        answer = answer_of(status) if error is None else Answer.RETRY
        if answer == Answer.SUCCESS:
            await webhook_store.finish_attempt(self.database, delivery, self.owner, attempt,
                                               {"status": DeliveryStatus.SUCCEEDED.value, "succeededAt": now})
            self.sent += 1
            return
        if answer == Answer.GONE:
            await webhook_store.finish_attempt(self.database, delivery, self.owner, attempt,
                                               {"status": DeliveryStatus.FAILED.value})
            await self.disable(delivery, endpoint, "the endpoint answered 410 Gone", now)
            return
        later = next_attempt(delivery["attemptCount"] + 1, now, wait, self.rng)
        if later is not None:
            await webhook_store.finish_attempt(self.database, delivery, self.owner, attempt,
                                               {"nextAttemptAt": later, "leaseUntil": now})
            return
        await webhook_store.finish_attempt(self.database, delivery, self.owner, attempt,
                                           {"status": DeliveryStatus.FAILED.value})
        await self.disable(delivery, endpoint, "every attempt failed for about three days", now)

    async def disable(self, delivery: Document, endpoint: Document, reason: str, now: datetime) -> None:
        if await webhook_store.disable_endpoint(self.database, delivery, reason, now):
            log.warning("webhook endpoint disabled: %s", reason)
            await notices.tell_hr(self.database, self.bus, delivery["organizationId"], "webhook_disabled",
                                  f"Webhook endpoint {endpoint.get('description') or endpoint['url']} was disabled: "
                                  f"{reason}", "webhookEndpoint", endpoint["_id"])

    async def run(self) -> None:
        """Until cancelled: work, then wait for a commit in this process or the next poll."""
        while True:
            try:
                await self.run_once()
                for tick in self.also:
                    await tick()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("the delivery worker's round failed; it goes on")
            woken = outbox_committed.event()
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for returns the result instead of raising when it
            # is cancelled just as what it waits for is done (a commit waking the worker as the server shuts down),
            # and the lifespan would wait for this loop for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await woken.wait()
            if woken.is_set():  # a commit: its pushes first, and the rest of its burst with it
                await asyncio.sleep(self.settle_seconds)
            woken.clear()


def start(database: Database, *, bus: Bus | None = None, **options: Any) -> asyncio.Task[None]:
    """The worker, with the reminder scheduler in its loop, as a task of the running loop (the server's
    lifespan cancels it on shutdown)."""
    worker = with_reminders(database, bus=bus, **options)
    return asyncio.get_running_loop().create_task(worker.run(), name="perfgraph-delivery-worker")


def with_reminders(database: Database, *, bus: Bus | None = None, **options: Any) -> DeliveryWorker:
    """The delivery worker whose loop also runs the reminder scheduler (server and ``python -m server worker``)."""
    scheduler = ReminderScheduler(database, bus)
    return DeliveryWorker(database, bus=bus, also=[scheduler.tick], **options)
