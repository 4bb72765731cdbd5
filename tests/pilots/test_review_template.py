"""The REVIEW_TEMPLATE practice: a pilot sets the cohort's review template override through the reviews domain, a
cycle launched for the cohort gives its people the piloted template, reverting restores the overrides exactly,
an overlapping pilot is refused, a bad value is typed; refusals write nothing."""

from __future__ import annotations

import asyncio
from collections import Counter

from tests.client import refused
from tests.conftest import RunningServer
from tests.pilots.support import (
    ADOPT,
    END,
    PILOT_COLLECTIONS,
    START,
    UNKNOWN_ID,
    department,
    members,
    start,
    start_input,
    stored,
)
from tests.reviews.support import TEMPLATE, create_cycle, create_template, cycle_documents, launch

SET_DEPARTMENT = """mutation($department: ID!, $template: ID) {
  setDepartmentReviewTemplate(departmentId: $department, templateId: $template) { errors { code } } }"""
WATCHED = (*PILOT_COLLECTIONS, "reviewTemplateOverrides")


def reviewed(name: str) -> list[str]:
    """The people of a department a cycle with the test cutoff reviews."""
    return [p["_id"] for p in members(name) if p["status"] == "active" and p["hireDate"] < "2026-10-01"]


async def revert(server: RunningServer, pilot_id: str) -> None:
    body = await server.client("hr_admin").data(END, {"id": pilot_id, "action": "REVERT", "reason": "Back"})
    assert body["endPilot"]["errors"] == [], body


async def test_a_pilot_gives_the_cohort_its_template_and_reverting_restores_the_overrides_exactly(
        server: RunningServer) -> None:
    # given Data reviewed with a template HR set by hand, Platform with the cycle's
    by_hand = await create_template(server, name="Data's own review")
    piloted = await create_template(server, name="A lighter review")
    data, platform = department("Data")["_id"], department("Platform")["_id"]
    body = await server.client("hr_admin").data(SET_DEPARTMENT, {"department": data, "template": by_hand["_id"]})
    assert body["setDepartmentReviewTemplate"]["errors"] == []
    before = await server.snapshot(("reviewTemplateOverrides",))
    # when HR pilots the lighter review in Data and Platform
    pilot = await start(server, name="Lighter reviews", practice="REVIEW_TEMPLATE", value=piloted["_id"],
                        departments=("Data", "Platform"), comparison=("Product Engineering",))
    # then both departments' override is the piloted template, and the pilot recorded what was there
    overrides = {d["unitId"]: d["templateId"] for d in await stored(server, "reviewTemplateOverrides")}
    assert overrides == {data: piloted["_id"], platform: piloted["_id"]}
    (doc,) = await stored(server, "pilots")
    assert doc["earlier"] == {"departments": {data: by_hand["_id"], platform: None}, "employees": {}}
    assert (pilot["practice"], pilot["value"]) == ("REVIEW_TEMPLATE", piloted["_id"])
    # and a cycle launched for Engineering reviews the cohort with it, the comparison group with the cycle's
    cycle_id = await create_cycle(server, eligibility={"departmentIds": [department("Engineering")["_id"]]})
    await launch(server, cycle_id)
    reviews, forms = await cycle_documents(server, cycle_id)
    template_of = {r["employeeId"]: r["templateId"] for r in reviews}
    assert {template_of[p] for p in reviewed("Data") + reviewed("Platform")} == {piloted["_id"]}
    assert {template_of[p] for p in reviewed("Product Engineering")} == {TEMPLATE["_id"]}
    cohort_reviews = {r["_id"] for r in reviews if r["templateId"] == piloted["_id"]}
    assert {f["templateId"] for f in forms if f["reviewId"] in cohort_reviews} == {piloted["_id"]}
    # when it is reverted, the overrides are exactly as before (Data's by hand, Platform none)
    await revert(server, pilot["id"])
    assert await server.snapshot(("reviewTemplateOverrides",)) == before
    # and the reviews already issued keep the piloted template
    assert {r["templateId"] for r in (await cycle_documents(server, cycle_id))[0] if r["_id"] in cohort_reviews} == {
        piloted["_id"]}


async def test_an_overlapping_review_template_pilot_is_refused_and_writes_nothing(server: RunningServer) -> None:
    # given a review template pilot for two people of Data
    piloted = await create_template(server, name="A lighter review")
    people = [p["_id"] for p in members("Data")[:2]]
    first = await start(server, name="Two people", practice="REVIEW_TEMPLATE", value=piloted["_id"], people=people,
                        comparison=())
    overrides = {d["unitId"]: d["templateId"] for d in await stored(server, "reviewTemplateOverrides")}
    assert overrides == dict.fromkeys(people, piloted["_id"])
    before = await server.snapshot(WATCHED)
    # when HR starts another review template pilot for Data
    body = await server.client("hr_admin").execute(START, {"input": start_input(
        name="All of Data", practice="REVIEW_TEMPLATE", value=TEMPLATE["_id"])})
    # then it is refused, naming the running pilot, and nothing changed
    assert body["data"]["startPilot"] == {"pilot": None, "overlappingPilotIds": [first["id"]], "errors": [
        {"field": "cohort", "code": "CONFLICT", "message": "a running pilot changes this setting for some of the same "
                                                           f"departments or people: {first['id']}"}]}
    assert await server.snapshot(WATCHED) == before
    # while a check-in cadence pilot for Data runs beside it
    assert (await start(server, name="Monthly in Data"))["status"] == "RUNNING"
    # and reverting the first removes the two people's overrides again
    await revert(server, first["id"])
    assert await stored(server, "reviewTemplateOverrides") == []


async def test_an_unknown_template_is_refused_with_a_typed_error(server: RunningServer) -> None:
    # given the store before
    before = await server.snapshot(WATCHED)
    # when HR pilots a review template that does not exist
    body = await server.client("hr_admin").execute(START, {"input": start_input(
        practice="REVIEW_TEMPLATE", value=UNKNOWN_ID)})
    # then it is refused on the value, and nothing was written
    assert refused(body) == [("value", "NOT_FOUND", f"no review template {UNKNOWN_ID!r} in your organisation")]
    assert await server.snapshot(WATCHED) == before


async def test_of_two_concurrent_overlapping_review_template_starts_one_is_refused(server: RunningServer) -> None:
    # given two HR starts of review template pilots at once, one for Data and one for a person of Data (they write
    # different override documents): the first has read that nothing overlaps and is parked just before inserting
    # its pilot when the second starts
    piloted = await create_template(server, name="A lighter review")
    admin = server.client("hr_admin")
    calls: Counter[tuple[str, str]] = Counter()
    parked, release, second_started = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def gate(name: str, method: str) -> None:
        calls[name, method] += 1
        if (name, method) in (("pilotLocks", "update_one"), ("pilots", "find")) and calls[name, method] == 2:
            second_started.set()
        if (name, method) == ("pilots", "insert_one") and calls[name, method] == 1:
            parked.set()
            await release.wait()

    person = members("Data")[0]["_id"]
    server.database.stats.gate = gate
    try:
        first = asyncio.create_task(admin.data(START, {"input": start_input(
            name="Data", practice="REVIEW_TEMPLATE", value=piloted["_id"])}))
        await parked.wait()
        second = asyncio.create_task(admin.data(START, {"input": start_input(
            name="One person", people=[person], practice="REVIEW_TEMPLATE", value=TEMPLATE["_id"])}))
        await second_started.wait()
        await asyncio.sleep(0.2)  # the second runs as far as it can meanwhile
        release.set()
        results = [(await first)["startPilot"], (await second)["startPilot"]]
    finally:
        server.database.stats.gate = None
    # then the first runs, and the second, checked again once the first committed, was refused
    assert results[0]["errors"] == []
    assert [e["code"] for e in results[1]["errors"]] == ["CONFLICT"]
    assert results[1]["overlappingPilotIds"] == [results[0]["pilot"]["id"]]
    assert [p["name"] for p in await stored(server, "pilots")] == ["Data"]
    assert {d["unitId"]: d["templateId"] for d in await stored(server, "reviewTemplateOverrides")} == {
        department("Data")["_id"]: piloted["_id"]}


async def test_adopting_a_review_template_pilot_spreads_the_override_and_records_what_was_there(
        server: RunningServer) -> None:
    # given a running review template pilot in Data, and Sales with a template HR set by hand
    piloted = await create_template(server, name="A lighter review")
    by_hand = await create_template(server, name="Sales' own review")
    sales = department("Sales")["_id"]
    body = await server.client("hr_admin").data(SET_DEPARTMENT, {"department": sales, "template": by_hand["_id"]})
    assert body["setDepartmentReviewTemplate"]["errors"] == []
    pilot = await start(server, name="Lighter reviews", practice="REVIEW_TEMPLATE", value=piloted["_id"])
    # when HR adopts it for Sales
    body = await server.client("hr_admin").data(ADOPT, {"id": pilot["id"], "reason": "It works",
                                                        "departments": [sales]})
    # then Data and Sales get the piloted template, and the decision keeps Sales' earlier one
    assert body["adoptPilot"]["errors"] == []
    assert body["adoptPilot"]["pilot"]["status"] == "ADOPTED"
    assert {d["unitId"]: d["templateId"] for d in await stored(server, "reviewTemplateOverrides")} == {
        department("Data")["_id"]: piloted["_id"], sales: piloted["_id"]}
    (doc,) = await stored(server, "pilots")
    assert doc["decisions"][-1]["earlier"] == {"departments": {sales: by_hand["_id"]}, "employees": {}}
