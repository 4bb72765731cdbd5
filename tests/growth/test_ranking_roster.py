"""The ranking's growth inputs (potential ratings, plans' targets) as the ranking reads them: always what a
live read gives, after every rating and targets change, from one kept document once kept; and a roster read
before a change is never taken for one after it, whatever the interleaving."""

from __future__ import annotations

import asyncio
from typing import Any

from resolvers.core.context import require
from resolvers.org import access
from store.growth import repository as growth_store
from tests.conftest import RunningServer
from tests.growth.support import BY_TITLE, SET_TARGETS, person
from tests.growth.test_candidates import CANDIDATES, KEPT_RANKING_CALLS, PLATFORM, engineers
from tests.interleave import hold
from tests.org.support import TERMINATE_EMPLOYEE, UPDATE_EMPLOYEE
from tests.org.test_access import context_of

RATE = """
mutation($e: ID!, $p: Int!) { rateTalent(employeeId: $e, potential: $p) {
  potentialRating errors { field code message } } }
"""
SAVE_ACTION = """
mutation($id: ID!) { saveDevelopmentAction(employeeId: $id, action: {kind: LEARNING, title: "Course"}) {
  errors { field code message } } }
"""
TARGET = BY_TITLE["Tech Lead"]["_id"]


async def inputs(server: RunningServer) -> dict[str, Any]:
    store = (await require(context_of(server, "hr_admin"))).store
    found = await growth_store.ranking_inputs(store, TARGET)
    return {"potential": found["potential"], "targets": found["targets"]}


async def live(server: RunningServer) -> dict[str, Any]:
    """The ratings and plans' targets as a live read gives them (plans without targets left out)."""
    store = (await require(context_of(server, "hr_admin"))).store
    plans = await store.growthPlans.find(projection=growth_store.TARGET_FIELDS)
    return {"potential": {r["employeeId"]: r["potential"]
                          for r in await store.talentRatings.find(projection=growth_store.RATING_FIELDS)},
            "targets": {p["employeeId"]: p["targets"] for p in plans if p.get("targets")}}


async def test_the_ranking_roster_is_the_live_read_after_every_rating_and_target(server: RunningServer) -> None:
    # given the growth inputs read once (and so kept), then again
    first = await inputs(server)
    assert first == await live(server) and first["potential"] and first["targets"]
    server.database.stats.reset()
    assert await inputs(server) == first
    # then the kept ones cost the settings (with the counter) and the roster, beside readiness and tracks
    # (and the sign-in)
    assert dict(server.database.stats.by_collection) == {"employees": 1, "growthSettings": 1, "growthRosters": 1,
                                                          "readinessAssessments": 1, "careerTracks": 1}
    hr = server.client("hr_admin")
    employee = person("employee")
    unrated = next(id for id in (e["_id"] for e in server.demo.employees if e["status"] == "active")
                   if id not in first["potential"] and id not in first["targets"] and id != employee["_id"])
    changes = {
        "rated": lambda: hr.data(RATE, {"e": unrated, "p": 3}),
        "rated again": lambda: hr.data(RATE, {"e": unrated, "p": 1}),
        "targets": lambda: hr.data(SET_TARGETS, {"id": unrated, "targets": [
            {"positionId": TARGET, "horizon": "WITHIN_A_YEAR", "willingToChangeDepartment": True}]}),
        "targets of a new plan": lambda: hr.data(SET_TARGETS, {"id": employee["_id"], "targets": [
            {"positionId": TARGET, "horizon": "WITHIN_A_YEAR"}]}),
        "an action": lambda: hr.data(SAVE_ACTION, {"id": employee["_id"]}),
        "no targets": lambda: hr.data(SET_TARGETS, {"id": unrated, "targets": []}),
    }
    for name, change in changes.items():
        # when each change is made
        payload = next(iter((await change()).values()))
        assert payload["errors"] == [], name
        # then the inputs read next are current (the change patched the roster in its transaction): the live
        # ones again, from the kept roster
        server.database.stats.reset()
        now = await inputs(server)
        assert dict(server.database.stats.by_collection) == {"employees": 1, "growthSettings": 1,
                                                              "growthRosters": 1, "readinessAssessments": 1,
                                                              "careerTracks": 1}, name
        assert now == await live(server), name
        if name == "rated again":
            assert now["potential"][unrated] == 1
        if name == "targets":
            assert now["targets"][unrated] == [{"positionId": TARGET, "willingToChangeDepartment": True}]
    assert unrated not in now["targets"]
    assert now["targets"][employee["_id"]][0]["positionId"] == TARGET


async def test_a_ranking_roster_read_before_a_change_is_never_taken_for_one_after_it(server: RunningServer) -> None:
    someone = next(e["_id"] for e in server.demo.employees if e["status"] == "active"
                   and e["_id"] not in server.demo.personas.values())
    hr = server.client("hr_admin")

    async def rate(potential: int) -> None:
        assert (await hr.data(RATE, {"e": someone, "p": potential}))["rateTalent"]["errors"] == []

    # given a first reader that has read the ratings and plans and is held just before it keeps them, while
    # a potential rating lands (the counter goes up)
    calls: list[str] = []
    async with hold(server.database, "growthRosters", "replace_one") as held:
        inner = server.database.stats.gate
        assert inner is not None

        async def both(name: str, method: str) -> None:
            calls.append(name)
            await inner(name, method)

        server.database.stats.gate = both
        reading = asyncio.create_task(inputs(server))
        await held.reached.wait()
        server.database.stats.gate = inner
        # (it read the counter before the ratings: a change between the two could only make it newer)
        assert calls.count("growthSettings") == 1 and calls.index("growthSettings") < calls.index("talentRatings")
        await rate(3)
    # then what it read before is kept under the counter it read first, and the next reader reads again
    assert (await reading)["potential"].get(someone) != 3
    assert (await inputs(server))["potential"][someone] == 3

    # given a reader held likewise (the roster forgotten, so it rebuilds) while the rating changes again and a
    # second reader keeps the newer roster
    await rate(1)
    await server.database.growthRosters.delete_many({})
    async with hold(server.database, "growthRosters", "replace_one") as held:
        slow = asyncio.create_task(inputs(server))
        await held.reached.wait()
        await rate(2)
        assert (await inputs(server))["potential"][someone] == 2
    await slow
    # then the older roster does not replace the newer one
    server.database.stats.reset()
    assert (await inputs(server))["potential"][someone] == 2
    assert server.database.stats.by_collection["talentRatings"] == 0
    assert await inputs(server) == await live(server)


async def test_two_first_targets_at_once_both_land_in_one_plan(server: RunningServer) -> None:
    # given the employee persona without a plan, and the person and an HR admin setting targets at once:
    # the person's transaction held at the plan's write until the HR admin's has created the plan
    employee = person("employee")
    me, manager = server.client(employee["_id"]), server.client("hr_admin")
    first_target, second_target = BY_TITLE["Tech Lead"]["_id"], BY_TITLE["Senior Software Engineer"]["_id"]

    async def aim(client: Any, position: str) -> dict[str, Any]:
        return (await client.data(SET_TARGETS, {"id": employee["_id"], "targets": [
            {"positionId": position, "horizon": "WITHIN_A_YEAR"}]}))["setGrowthTargets"]

    before = await inputs(server)
    async with hold(server.database, "growthPlans", "update_one") as held:
        mine = asyncio.create_task(aim(me, first_target))
        await held.reached.wait()
        theirs = await aim(manager, second_target)
    # then both land (the held one retried after the other's commit, so last), in one plan
    assert (await mine)["errors"] == [] and theirs["errors"] == []
    stored = await server.database.growthPlans.find({"employeeId": employee["_id"]}).to_list(None)
    assert len(stored) == 1 and [t["positionId"] for t in stored[0]["targets"]] == [first_target]
    # and the ranking's inputs have the plan as stored
    after = await inputs(server)
    assert after != before and after == await live(server)


async def test_a_ranking_after_each_change_reads_current_rosters_and_ranks_on_the_new_values(
        server: RunningServer) -> None:
    # given five software engineers of the Platform team and HR having ranked once (so both rosters are kept)
    hr, context = server.client("hr_admin"), context_of(server, "hr_admin")
    await context.authenticate()
    rated, aiming, retitled, promoted, leaving = (e["_id"] for e in engineers(5))

    async def ranking() -> dict[str, dict[str, Any]]:
        ranked = (await hr.data(CANDIDATES, {"p": TARGET, "d": PLATFORM, "first": 100}))["positionCandidates"]
        return {r["employee"]["id"]: {f["factor"]: (f["value"], f["explanation"]) for f in r["factors"]}
                for r in ranked}

    before = await ranking()
    assert {rated, aiming, retitled, promoted, leaving} <= set(before)
    assert before[rated]["POTENTIAL"] == (0.0, "no potential rating")
    assert before[aiming]["ASPIRATION"] == (0.0, "no stated aspiration toward it")

    async def promote() -> None:
        async def nothing_else() -> bool:
            return True
        assert await access.change_position(context, promoted, TARGET, with_step=nothing_else, why="test")

    async def payload(data: dict[str, Any]) -> None:
        assert next(iter(data.values()))["errors"] == []

    changes = {
        "rateTalent": (lambda: hr.data(RATE, {"e": rated, "p": 3}),
                       lambda r: r[rated]["POTENTIAL"] == (1.0, "potential 3 of 3")),
        "setGrowthTargets": (lambda: hr.data(SET_TARGETS, {"id": aiming, "targets": [
                                 {"positionId": TARGET, "horizon": "WITHIN_A_YEAR"}]}),
                             lambda r: r[aiming]["ASPIRATION"] == (1.0, "their growth plan targets this position")),
        "updateEmployee": (lambda: hr.data(UPDATE_EMPLOYEE, {"id": retitled, "input": {"positionId": TARGET}}),
                           lambda r: retitled not in r),
        "a position change": (promote, lambda r: promoted not in r),
        "terminateEmployee": (lambda: hr.data(TERMINATE_EMPLOYEE, {"employeeId": leaving}),
                              lambda r: leaving not in r),
    }
    for name, (change, ranked_on_it) in changes.items():
        # when each change is made, then HR ranks again
        done = await change()
        if isinstance(done, dict):
            await payload(done)
        server.database.stats.reset()
        now = await ranking()
        # then the ranking read both rosters current (the store calls of a ranking with rosters kept:
        # sign-in, position, holders, counter, roster, reviews, growth's inputs, expected levels, candidates)
        assert dict(server.database.stats.by_collection) == KEPT_RANKING_CALLS, name
        # and it ranks on the new values
        assert ranked_on_it(now), name


async def test_a_list_format_ranking_roster_of_an_older_release_is_rebuilt(server: RunningServer) -> None:
    # given the ranking roster of an older release (lists of ratings and plans) at the current counter
    first = await inputs(server)
    organization = server.demo.organization["_id"]
    kept = await server.database.growthRosters.find_one({"_id": organization})
    assert kept is not None and kept["format"] == "maps"
    await server.database.growthRosters.replace_one({"_id": organization}, {
        "organizationId": organization, "version": kept["version"],
        "ratings": [{"employeeId": id, "potential": p} for id, p in first["potential"].items()],
        "plans": [{"employeeId": id, "targets": t} for id, t in first["targets"].items()]})
    # when the inputs are read twice
    server.database.stats.reset()
    again = await inputs(server)
    rebuilt = server.database.stats.by_collection["talentRatings"]
    server.database.stats.reset()
    # then the first read rebuilt the roster from the live ratings and plans, the second read it kept
    assert (rebuilt, await inputs(server) == again == first) == (1, True)
    assert server.database.stats.by_collection["talentRatings"] == 0
