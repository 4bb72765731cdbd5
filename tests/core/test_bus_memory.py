"""Tests for the in-process (memory://) event bus."""

from __future__ import annotations

import asyncio

import pytest

from realtime import Bus, SubscriberOverflow, create_bus

pytestmark = pytest.mark.asyncio

TIMEOUT = 5


async def connected_bus(queue_size: int = 256) -> Bus:
    bus = create_bus("memory://", queue_size=queue_size)
    await bus.connect()
    return bus


async def test_publish_reaches_all_subscribers_of_the_channel_only() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given two subscribers on "a" and one on "b"
        bus = await connected_bus()
        async with (
            bus.subscribe("a") as a1,
            bus.subscribe("a") as a2,
            bus.subscribe("b") as b1,
        ):
            # when a message is published to "a"
            await bus.publish("a", {"n": 1})
            await bus.publish("b", {"n": 2})

            # then both "a" subscribers get it, and "b" only gets its own
            assert await anext(a1) == {"n": 1}
            assert await anext(a2) == {"n": 1}
            assert await anext(b1) == {"n": 2}
            assert bus.stats() == {"channels": 2, "subscribers": 3}
        await bus.disconnect()


async def test_order_is_kept_and_values_are_json_encoded() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given one subscriber
        bus = await connected_bus()
        async with bus.subscribe("ch") as sub:
            # when several messages are published
            for n in range(50):
                await bus.publish("ch", {"n": n, "tags": ("x",)})

            # then they arrive in order, JSON round-tripped (tuple -> list)
            received = [await anext(sub) for _ in range(50)]
        assert received == [{"n": n, "tags": ["x"]} for n in range(50)]
        await bus.disconnect()


async def test_slow_subscriber_overflows_without_affecting_fast_one() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given a subscriber that never reads and one that keeps up (queue_size=2)
        bus = await connected_bus(queue_size=2)
        async with bus.subscribe("ch") as slow, bus.subscribe("ch") as fast:
            # when 10 messages are published
            received = []
            for n in range(10):
                await bus.publish("ch", {"n": n})
                received.append(await anext(fast))

            # then the fast one got every message
            assert received == [{"n": n} for n in range(10)]
            # and the slow one is dropped with the queue size at overflow time
            assert slow.overflowed is True
            with pytest.raises(
                SubscriberOverflow, match=r"^subscriber fell behind: 2 messages queued$"
            ):
                await anext(slow)
            with pytest.raises(SubscriberOverflow):
                await anext(slow)
        assert bus.stats() == {"channels": 0, "subscribers": 0}
        await bus.disconnect()


async def test_closed_subscriptions_leave_nothing_behind() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given the tasks running before the bus is used
        tasks_before = asyncio.all_tasks()
        bus = await connected_bus()

        # when subscribers come and go, one of them iterating in a task
        async def consume(sub_channel: str, count: int) -> list[dict[str, object]]:
            async with bus.subscribe(sub_channel) as sub:
                return [message async for message in sub][:count]

        async with bus.subscribe("x") as sub_x, bus.subscribe("y"):
            consumer = asyncio.create_task(consume("x", 1))
            while bus.stats()["subscribers"] < 3:
                await asyncio.sleep(0)
            await bus.publish("x", {"n": 1})
            assert await anext(sub_x) == {"n": 1}
        await bus.disconnect()

        # then the iterating consumer ended, stats are empty, no extra tasks remain
        assert await consumer == [{"n": 1}]
        assert bus.stats() == {"channels": 0, "subscribers": 0}
        assert asyncio.all_tasks() == tasks_before


async def test_subscription_ends_after_its_context_exits() -> None:
    async with asyncio.timeout(TIMEOUT):
        # given a subscription that received and then closed
        bus = await connected_bus()
        async with bus.subscribe("ch") as sub:
            await bus.publish("ch", {"n": 1})
        # when iterating after exit
        # then iteration simply stops (queued messages are dropped)
        assert [message async for message in sub] == []
        # and publishing to a channel without subscribers is fine
        await bus.publish("ch", {"n": 2})
        await bus.disconnect()


async def test_publish_rejects_non_dict_messages() -> None:
    # given a bus
    bus = await connected_bus()
    # when / then a non-dict message is refused
    with pytest.raises(TypeError, match="message must be a dict, not list"):
        await bus.publish("ch", [1, 2])  # type: ignore[arg-type]
    await bus.disconnect()


async def test_subscribe_requires_connect() -> None:
    # given a bus that was never connected
    bus = create_bus("memory://")
    # when / then entering a subscription fails clearly
    with pytest.raises(RuntimeError, match="bus is not connected"):
        async with bus.subscribe("ch"):
            pass
    assert bus.stats() == {"channels": 0, "subscribers": 0}


@pytest.mark.parametrize(
    "url", ["http://localhost", "kafka://broker:9092", "", "localhost:6379"]
)
async def test_create_bus_rejects_unknown_scheme(url: str) -> None:
    # given / when / then an unsupported URL raises ValueError naming the schemes
    with pytest.raises(ValueError, match="expected memory://, redis:// or rediss://"):
        create_bus(url)


async def test_create_bus_hides_password_in_errors() -> None:
    # given / when an unsupported URL carries a password
    with pytest.raises(ValueError) as excinfo:
        create_bus("amqp://user:secret@host/")
    # then the message does not contain it
    assert "secret" not in str(excinfo.value)
    assert "amqp://user:***@host/" in str(excinfo.value)
