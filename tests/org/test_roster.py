"""The organisation's roster (everyone not gone, with the fields rankings read) as other domains read it:
always what a live read of the people gives, after every kind of org change, in two store calls once kept
(each change patches the people it wrote into the roster in its own transaction); a roster read before a
change is never taken for one after it, whatever the interleaving; an older release's list-format roster is
rebuilt."""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Any

from models.org.rules import EmployeeStatus
from resolvers.core.context import Context, require
from resolvers.org import access, mutations
from tests.conftest import RunningServer
from tests.interleave import hold
from tests.org.test_access import context_of


async def signed_in(server: RunningServer, who: str = "hr_admin") -> Context:
    context = context_of(server, who)
    await context.authenticate()
    return context


def by_id(people: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {p["_id"]: p for p in people}


async def live(server: RunningServer) -> dict[str, dict[str, Any]]:
    return by_id(await access.active_people(await signed_in(server), access.ROSTER_FIELDS, ordered=False))


async def roster(server: RunningServer) -> dict[str, dict[str, Any]]:
    return by_id(await access.roster(await signed_in(server)))


async def forget_roster(server: RunningServer) -> None:
    """No roster kept: the next reader rebuilds it."""
    await server.database.employeeRosters.delete_many({})


async def stored(server: RunningServer) -> tuple[int, int, dict[str, dict[str, Any]]]:
    """The change counter, and the roster's version and people as stored."""
    context = await signed_in(server)
    store = (await require(context)).store
    document = await server.database.employeeRosters.find_one({"_id": store.organization_id})
    assert document is not None and document["format"] == "maps"
    return await store.version(), document["version"], document["people"]


async def test_the_roster_is_the_live_read_after_every_org_change(server: RunningServer) -> None:
    # given the roster read once (and so kept), then read again
    first = await roster(server)
    assert first == await live(server) and len(first) > 100
    context = await signed_in(server)
    server.database.stats.reset()
    assert by_id(await access.roster(context)) == first
    # then the kept one costs the counter and the roster only
    assert dict(server.database.stats.by_collection) == {"organizations": 1, "employeeRosters": 1}
    hr = await signed_in(server)
    demo = server.demo
    above_manager = {*next(e for e in demo.employees if e["_id"] == demo.personas["manager"])["managerChain"]}
    someone = next(e for e in demo.employees if e["status"] == "active" and e["managerId"]
                   and e["_id"] not in {*demo.personas.values(), *above_manager})
    other_department = next(d["_id"] for d in demo.departments if d["_id"] != someone["departmentId"])
    other_position = next(p["_id"] for p in demo.positions if p["_id"] != someone["positionId"])
    new_manager = demo.personas["manager"]
    leaver = next(e for e in demo.employees if e["status"] == "active" and e["managerId"]
                  and e["_id"] not in (someone["_id"], new_manager, *demo.personas.values()))

    async def promote() -> Any:
        async def nothing_else() -> bool:
            return True
        return await access.change_position(hr, someone["_id"], other_position,
                                             with_step=nothing_else, why="test")

    changes = {
        "create": lambda: mutations.create_employee(hr, {"name": "Ada New", "email": "ada.new@example.com",
                                                         "hire_date": date(2026, 1, 5),
                                                         "department_id": other_department}),
        "on leave": lambda: mutations.update_employee(hr, someone["_id"], {"status": EmployeeStatus.ON_LEAVE}),
        "hire date": lambda: mutations.update_employee(hr, someone["_id"], {"hire_date": date(2020, 2, 3)}),
        "position": lambda: mutations.update_employee(hr, someone["_id"], {"position_id": other_position}),
        "manager": lambda: mutations.change_manager(hr, someone["_id"], new_manager),
        "department": lambda: mutations.move_department(hr, someone["_id"], other_department),
        "terminate": lambda: mutations.terminate_employee(hr, leaver["_id"], None),
        "promotion": promote,
    }
    for name, change in changes.items():
        # when each kind of org change is made
        outcome = await change()
        assert getattr(outcome, "errors", []) == [], name
        # then the roster read next is current (the change patched it in its transaction): the live read
        # again, in two store calls (the counter and the roster)
        context = await signed_in(server)
        server.database.stats.reset()
        kept = by_id(await access.roster(context))
        assert dict(server.database.stats.by_collection) == {"organizations": 1, "employeeRosters": 1}, name
        assert kept == await live(server), name
    # and the changes are in it
    assert leaver["_id"] not in kept and any(p.get("departmentId") == other_department
                                             for p in kept.values() if p["_id"] not in first)
    changed = kept[someone["_id"]]
    assert (changed["status"], changed["departmentId"], changed["managerChain"][-1]) == (
        "on_leave", other_department, new_manager)
    assert changed["positionId"] == other_position and len(changed["positionHistory"]) == 2


async def test_a_roster_read_before_a_change_is_never_taken_for_one_after_it(server: RunningServer) -> None:
    someone = next(e for e in server.demo.employees if e["status"] == "active"
                   and e["_id"] not in server.demo.personas.values())
    departments = [d["_id"] for d in server.demo.departments if d["_id"] != someone["departmentId"]]

    async def move(department: str) -> None:
        moved = await mutations.move_department(await signed_in(server), someone["_id"], department)
        assert moved.errors == []

    # given a first reader that has read the people and is held just before it keeps them as the roster,
    # while the person moves department (the change counter goes up)
    first_reader = await signed_in(server)
    calls: list[str] = []

    async def record(name: str, method: str) -> None:
        calls.append(name)

    async with hold(server.database, "employeeRosters", "replace_one") as held:
        inner = server.database.stats.gate
        assert inner is not None

        async def both(name: str, method: str) -> None:
            await record(name, method)
            await inner(name, method)

        server.database.stats.gate = both
        reading = asyncio.create_task(access.roster(first_reader))
        await held.reached.wait()
        server.database.stats.gate = inner
        # (it read the change counter before the people: a change between the two could only make it newer)
        assert calls.count("organizations") == 1 and calls.index("organizations") < calls.index("employees")
        await move(departments[0])
    # then what it read before the move is kept under the counter it read first, and the next reader,
    # seeing a newer counter, reads the people again
    assert by_id(await reading)[someone["_id"]]["departmentId"] == someone["departmentId"]
    assert (await roster(server))[someone["_id"]]["departmentId"] == departments[0]

    # given a reader held likewise (the roster forgotten, so it rebuilds) while the person moves again and a
    # second reader keeps the newer roster
    await move(departments[1])
    await forget_roster(server)
    slow_reader = await signed_in(server)
    async with hold(server.database, "employeeRosters", "replace_one") as held:
        slow = asyncio.create_task(access.roster(slow_reader))
        await held.reached.wait()
        await move(departments[2])
        assert (await roster(server))[someone["_id"]]["departmentId"] == departments[2]
    await slow
    # then the older roster does not replace the newer one: the next read keeps it, in two store calls
    context = await signed_in(server)
    server.database.stats.reset()
    assert by_id(await access.roster(context))[someone["_id"]]["departmentId"] == departments[2]
    assert dict(server.database.stats.by_collection) == {"organizations": 1, "employeeRosters": 1}
    assert by_id(await access.roster(context)) == await live(server)


async def test_a_roster_rebuilt_across_a_change_is_never_patched_into_a_newer_one(server: RunningServer) -> None:
    someone = next(e for e in server.demo.employees if e["status"] == "active"
                   and e["_id"] not in server.demo.personas.values())
    departments = [d["_id"] for d in server.demo.departments if d["_id"] != someone["departmentId"]]
    hr = await signed_in(server)
    # the person's department at each change counter, to tell how old what a roster holds is
    at: dict[int, str] = {await (await require(hr)).store.version(): someone["departmentId"]}

    async def move(department: str) -> None:
        assert (await mutations.move_department(await signed_in(server), someone["_id"], department)).errors == []
        at[await (await require(hr)).store.version()] = department

    async def true_to_its_version() -> tuple[int, int]:
        counter, version, people = await stored(server)
        assert version <= counter
        # the person as the roster holds them is as of its version or newer, never older
        assert people[someone["_id"]]["departmentId"] in {d for v, d in at.items() if v >= version}
        if version == counter:
            assert by_id(list(people.values())) == await live(server)
        return counter, version

    # given no roster, and a reader held after reading the counter, before reading the people, while the
    # person moves (the counter goes up; the move's patch finds no roster at the counter it bumped from)
    await forget_roster(server)
    async with hold(server.database, "employees", "find") as held:
        reading = asyncio.create_task(access.roster(await signed_in(server)))
        await held.reached.wait()
        await move(departments[0])
    await reading
    # then the reader's roster is kept under the counter it read first (the person in it may be newer)
    counter, version = await true_to_its_version()
    assert version == counter - 1
    # and when the person moves again, the patch (from the counter before) leaves that roster as it is,
    # and the next reader rebuilds it
    await move(departments[1])
    assert await true_to_its_version() == (counter + 1, version)
    assert (await roster(server))[someone["_id"]]["departmentId"] == departments[1]
    assert await true_to_its_version() == (counter + 1, counter + 1)

    # given a move held in its transaction just before its roster patch, while a reader (no roster kept)
    # reads the counter and the people and keeps its roster
    await forget_roster(server)
    async with hold(server.database, "employeeRosters", "update_one") as held:
        moving = asyncio.create_task(move(departments[2]))
        await held.reached.wait()
        assert (await roster(server))[someone["_id"]]["departmentId"] == departments[1]
        assert await true_to_its_version() == (counter + 1, counter + 1)
    await moving
    # then the move commits after the reader kept its roster, but its patch, made on the transaction's
    # snapshot (no roster at the counter it bumped from), changed nothing: the reader's roster stays under
    # the counter it read, stale, and the next reader rebuilds it (5 store calls), the one after reads it (2)
    assert await true_to_its_version() == (counter + 2, counter + 1)
    for calls in ({"organizations": 1, "employeeRosters": 2, "employees": 2}, {"organizations": 1,
                                                                               "employeeRosters": 1}):
        context = await signed_in(server)
        server.database.stats.reset()
        assert by_id(await access.roster(context))[someone["_id"]]["departmentId"] == departments[2]
        assert dict(server.database.stats.by_collection) == calls
    assert await true_to_its_version() == (counter + 2, counter + 2)


async def test_a_list_format_roster_of_an_older_release_is_rebuilt(server: RunningServer) -> None:
    # given the roster of an older release (a list of people) at the current counter
    first = await roster(server)
    counter, _, people = await stored(server)
    await server.database.employeeRosters.replace_one(
        {"_id": server.demo.organization["_id"]},
        {"organizationId": server.demo.organization["_id"], "version": counter, "people": list(people.values())})
    # when someone moves (the patch needs the map format: it leaves the old roster as it is), then the roster
    # is read twice
    someone = next(p for p in first.values() if p["departmentId"])
    other = next(d["_id"] for d in server.demo.departments if d["_id"] != someone["departmentId"])
    assert (await mutations.move_department(await signed_in(server), someone["_id"], other)).errors == []
    kept = await roster(server)
    context = await signed_in(server)
    server.database.stats.reset()
    again = by_id(await access.roster(context))
    # then the first read rebuilt it in the map format, and the second read it kept, in two store calls
    assert dict(server.database.stats.by_collection) == {"organizations": 1, "employeeRosters": 1}
    assert kept == again == await live(server) and kept[someone["_id"]]["departmentId"] == other
    assert (await stored(server))[:2] == (counter + 1, counter + 1)
