"""Tests for the Redis event bus against the real Redis at 127.0.0.1:6379."""

from __future__ import annotations

import asyncio
import datetime
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis

from realtime import BusConnectionError, create_bus

pytestmark = pytest.mark.asyncio

REDIS_URL = "redis://127.0.0.1:6379/0"
TIMEOUT = 10


def unique(prefix: str) -> str:
    return f"test-bus-{prefix}-{uuid.uuid4().hex}"


@asynccontextmanager
async def plain_redis() -> AsyncIterator[Redis]:
    client = Redis.from_url(REDIS_URL)
    try:
        yield client
    finally:
        await client.aclose()


async def numsub(client: Redis, channel: str) -> int:
    [(_, count)] = await client.pubsub_numsub(channel)
    return int(count)


async def wait_numsub(client: Redis, channel: str, expected: int) -> None:
    while await numsub(client, channel) != expected:
        await asyncio.sleep(0.02)


async def test_message_published_on_one_bus_reaches_another() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given two buses, as two server processes would have
        channel = unique("cross")
        async with (
            create_bus(REDIS_URL) as bus_a,
            create_bus(REDIS_URL) as bus_b,
            bus_b.subscribe(channel) as sub,
        ):
            # when bus A publishes (a datetime is encoded with str())
            at = datetime.datetime(2024, 1, 2, 3, 4, 5)
            await bus_a.publish(channel, {"n": 1, "at": at})
            await bus_a.publish(channel, {"n": 2})

            # then bus B's subscriber receives both, in order
            assert await anext(sub) == {"n": 1, "at": "2024-01-02 03:04:05"}
            assert await anext(sub) == {"n": 2}


async def test_subscribe_returns_only_once_active() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given a subscribing bus and a publishing bus
        async with create_bus(REDIS_URL) as sub_bus, create_bus(REDIS_URL) as pub_bus:
            for n in range(20):
                channel = unique("active")
                # when a message is published right after entering the context
                async with sub_bus.subscribe(channel) as sub:
                    await pub_bus.publish(channel, {"n": n})
                    # then it is received
                    assert await anext(sub) == {"n": n}


async def test_delivery_resumes_after_pubsub_connection_is_killed(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="perfgraph.realtime")
    async with asyncio.timeout(TIMEOUT), plain_redis() as admin:
        # given a subscribed bus whose connections carry a unique client name
        name = unique("kill")
        channel = unique("kill")
        bus = create_bus(f"{REDIS_URL}?client_name={name}")
        async with bus, bus.subscribe(channel) as sub:
            await bus.publish(channel, {"n": 1})
            assert await anext(sub) == {"n": 1}
            assert bus.gaps == 0

            # when its pubsub connection is killed (only ours: TYPE pubsub + ID)
            clients = await admin.client_list(_type="pubsub")
            [client_id] = [c["id"] for c in clients if c["name"] == name]
            killed = await admin.execute_command(
                "CLIENT", "KILL", "TYPE", "pubsub", "ID", client_id
            )
            assert killed == 1

            # then the bus re-subscribes and delivery resumes on the same subscription
            await wait_numsub(admin, channel, 1)
            await bus.publish(channel, {"n": 2})
            assert await anext(sub) == {"n": 2}

            # and both log lines were emitted
            messages = [r.getMessage() for r in caplog.records]
            assert any(
                m.startswith("redis pubsub connection lost: ") for m in messages
            ), messages
            reconnected = [m for m in messages if m.startswith("redis pubsub reconn")]
            assert len(reconnected) == 1, messages
            assert reconnected[0].endswith(
                "s; messages published during the gap were not delivered"
            )
            assert bus.stats() == {"channels": 1, "subscribers": 1, "pending": 0}
            # and the bus counts the gap twice, as it opened and once it closed (what a process keeps from
            # messages alone is read again after each)
            assert bus.gaps == 2


async def test_connect_to_unreachable_redis_raises_quickly() -> None:
    # given a URL where nothing listens
    bus = create_bus("redis://:secret@127.0.0.1:1/0")
    started = time.monotonic()
    # when connecting
    with pytest.raises(BusConnectionError) as excinfo:
        await asyncio.wait_for(bus.connect(), timeout=10)
    # then it fails within 5 seconds, naming the URL without the password
    assert time.monotonic() - started < 5
    message = str(excinfo.value)
    assert message.startswith("cannot connect to redis://:***@127.0.0.1:1/0: ")
    assert "secret" not in message
    assert "\n" not in message


async def test_closing_subscriptions_unsubscribes_and_clears_stats() -> None:
    async with asyncio.timeout(TIMEOUT), plain_redis() as admin:
        channel = unique("unsub")
        async with create_bus(REDIS_URL) as bus:
            # given two local subscribers sharing one Redis subscription
            async with bus.subscribe(channel):
                async with bus.subscribe(channel):
                    assert await numsub(admin, channel) == 1
                    assert bus.stats() == {
                        "channels": 1,
                        "subscribers": 2,
                        "pending": 0,
                    }
                # when one leaves, the channel stays subscribed
                assert await numsub(admin, channel) == 1
            # when the last one leaves
            # then Redis has no subscriber left and the bus keeps no state
            await wait_numsub(admin, channel, 0)
            assert bus.stats() == {"channels": 0, "subscribers": 0, "pending": 0}
            # and publishing to the now unsubscribed channel is fine
            await bus.publish(channel, {"n": 1})


async def test_disconnect_ends_subscriptions_and_leaves_no_task() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given the tasks running before the bus is used
        tasks_before = asyncio.all_tasks()
        channel = unique("disc")
        bus = create_bus(REDIS_URL)
        await bus.connect()
        received: list[dict[str, object]] = []
        got_one = asyncio.Event()

        async def consume() -> None:
            async with bus.subscribe(channel) as sub:
                async for message in sub:
                    received.append(message)
                    got_one.set()

        # and a consumer that is iterating and has received one message
        consumer = asyncio.create_task(consume())
        while bus.stats() != {"channels": 1, "subscribers": 1, "pending": 0}:
            await asyncio.sleep(0.01)
        await bus.publish(channel, {"n": 1})
        await got_one.wait()

        # when the bus disconnects
        await bus.disconnect()

        # then the consumer's iteration ends, stats are empty, no task remains
        await consumer
        assert received == [{"n": 1}]
        assert bus.stats() == {"channels": 0, "subscribers": 0, "pending": 0}
        assert asyncio.all_tasks() == tasks_before


async def test_publish_while_disconnected_is_refused() -> None:
    # given a bus that was connected and then disconnected
    bus = create_bus(REDIS_URL)
    await bus.connect()
    await bus.disconnect()
    # when / then publishing fails clearly instead of hanging
    with pytest.raises(RuntimeError, match="bus is not connected"):
        await asyncio.wait_for(bus.publish(unique("x"), {"n": 1}), timeout=5)
