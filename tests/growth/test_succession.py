"""Succession plans: who sees and saves them, live readiness and bench strength, risks, left and moved
successors, a stale version refused, and successionChanged."""

from __future__ import annotations

import asyncio

from tests.client import websocket
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import BY_TITLE, SEED, error, person, snapshot
from tests.interleave import hold

PLAN_FIELDS = """
  position { id } version incumbents { id }
  successors { rank emergency status employee { id } externalName readiness left moved }
  benchStrength { readyNow readyIn12Years readyIn3PlusYears unknown atRisk }
"""
PLAN = "query($p: ID!) { successionPlan(positionId: $p) { @F@ } }".replace("@F@", PLAN_FIELDS)
RISKS = "{ successionRisks { position { id } benchStrength { readyNow } } }"
SAVE = """
mutation($p: ID!, $s: [SuccessorInput!]!, $v: Int!) { saveSuccessionPlan(positionId: $p, successors: $s, version: $v) {
  plan { @F@ } errors { field code message } } }
""".replace("@F@", PLAN_FIELDS)
ASSESS = """
mutation($e: ID!, $p: ID!, $level: ReadinessLevel!) { assessReadiness(employeeId: $e, positionId: $p, level: $level) {
  errors { field code message } } }
"""
CHANGED = """
subscription($p: ID!) { successionChanged(positionId: $p) { kind positionId employeeId
  plan { successors { employee { id } readiness } benchStrength { readyNow readyIn12Years } } } }
"""
REFUSAL = "succession plans are visible to HR admins and the management chain above the position"
ASSESSED = {(a["employeeId"], a["positionId"]): a["level"] for a in SEED["readinessAssessments"]}
PLANS = {p["positionId"]: p for p in SEED["successionPlans"]}
# a successionChanged subscriber listens on three channels: the plan's own, the org chart's and the reviews'
# results (tests/growth/test_succession_triggers.py)
SUBSCRIPTIONS = 3


def vp_plan() -> dict:
    """The seeded plan of the VP Engineering position."""
    return PLANS[BY_TITLE["VP Engineering"]["_id"]]


def incumbent(position_id: str) -> dict:
    return next(e for e in NORTHWIND.employees if e["positionId"] == position_id and e["status"] != "terminated")


async def test_the_chain_above_and_hr_read_a_plan_with_live_readiness(server: RunningServer) -> None:
    # given the VP Engineering plan, its incumbent's manager (the chief executive) and HR
    plan = vp_plan()
    position = plan["positionId"]
    vp = incumbent(position)
    expected = [{"rank": s["rank"], "emergency": s["emergency"], "status": s["status"].upper(),
                 "employee": {"id": s["employeeId"]}, "externalName": None,
                 "readiness": ASSESSED[(s["employeeId"], position)].upper(), "left": False, "moved": False}
                for s in plan["successors"]]
    levels = [ASSESSED[(s["employeeId"], position)] for s in plan["successors"]]
    bench = {"readyNow": levels.count("ready_now"), "readyIn12Years": levels.count("ready_in_1_2_years"),
             "readyIn3PlusYears": 0, "unknown": 0, "atRisk": "ready_now" not in levels}
    for reader in (vp["managerId"], person("hr_admin")["_id"]):
        # when they read it, then they get the ranked successors with the assessed readiness
        data = (await server.client(reader).data(PLAN, {"p": position}))["successionPlan"]
        assert (data["successors"], data["benchStrength"], data["incumbents"], data["version"]) == (
            expected, bench, [{"id": vp["_id"]}], 1)
    # but the incumbent, a successor and someone of another organisation may not
    for outsider in (vp["_id"], plan["successors"][0]["employeeId"]):
        body = await server.client(outsider).execute(PLAN, {"p": position})
        assert body["data"] == {"successionPlan": None} and body["errors"][0]["message"] == REFUSAL
    body = await server.client(GLOBEX.personas["hr_admin"], GLOBEX).execute(PLAN, {"p": position})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_risks_list_key_positions_without_a_successor_ready_now(server: RunningServer) -> None:
    # given the seeded plans, some with a successor assessed ready now
    at_risk = sorted(p for p, plan in PLANS.items()
                     if not any(ASSESSED[(s["employeeId"], p)] == "ready_now" for s in plan["successors"]))
    assert 0 < len(at_risk) < len(PLANS)
    # when HR lists the risks, then exactly those positions are listed
    data = await server.client("hr_admin").data(RISKS)
    assert sorted(r["position"]["id"] for r in data["successionRisks"]) == at_risk
    assert {r["benchStrength"]["readyNow"] for r in data["successionRisks"]} == {0}
    # and an employee with nobody below them sees none
    assert (await server.client("employee").data(RISKS))["successionRisks"] == []


async def test_saving_replaces_successors_and_pushes_to_readers(server: RunningServer) -> None:
    # given the VP Engineering plan and the chief executive subscribed to it
    plan = vp_plan()
    position = plan["positionId"]
    ceo = incumbent(position)["managerId"]
    second = plan["successors"][1]["employeeId"]
    async with websocket(server.ws_url, server.token(ceo)) as live:
        await live.subscribe(CHANGED, {"p": position})
        await server.wait_subscribers(SUBSCRIPTIONS)
        # when the chief executive saves the second successor first and an external placeholder
        saved = (await server.client(ceo).data(SAVE, {"p": position, "v": 1, "s": [
            {"employeeId": second, "emergency": True, "status": "CONFIRMED"},
            {"externalName": " Hire from outside ", "externalReadiness": "READY_NOW"}]}))["saveSuccessionPlan"]
        # then the plan has them in that order, the placeholder counting as ready now
        assert saved["errors"] == []
        assert [(s["rank"], s["employee"], s["externalName"], s["readiness"]) for s in saved["plan"]["successors"]] == [
            (1, {"id": second}, None, "READY_IN_1_2_YEARS"), (2, None, "Hire from outside", "READY_NOW")]
        assert (saved["plan"]["version"], saved["plan"]["benchStrength"]["readyNow"]) == (2, 1)
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["positionId"], event["plan"]["benchStrength"]) == (
            "PLAN_SAVED", position, {"readyNow": 1, "readyIn12Years": 1})
        # when the successor's manager assesses them ready now, then the push carries the new readiness
        assessed = await server.client(person(second)["managerId"]).data(
            ASSESS, {"e": second, "p": position, "level": "READY_NOW"})
        assert assessed["assessReadiness"]["errors"] == []
        event = (await live.next_payload())["data"]["successionChanged"]
        assert (event["kind"], event["employeeId"], event["plan"]["successors"][0]) == (
            "READINESS_CHANGED", second, {"employee": {"id": second}, "readiness": "READY_NOW"})
        assert event["plan"]["benchStrength"] == {"readyNow": 2, "readyIn12Years": 0}


async def test_bad_plans_are_typed_errors_and_write_nothing(server: RunningServer) -> None:
    # given the VP Engineering plan and the store as seeded
    plan = vp_plan()
    position = plan["positionId"]
    vp = incumbent(position)
    ceo = server.client(vp["managerId"])
    first = plan["successors"][0]["employeeId"]
    leaver = next(e for e in NORTHWIND.employees if e["status"] == "terminated")
    before = await snapshot(server)
    cases = [
        (ceo, [{"employeeId": vp["_id"]}],
         [error("successors.0.employeeId", "INVALID", f"{vp['name']} holds this position")]),
        (ceo, [{"employeeId": first}, {"employeeId": first}],
         [error("successors.1.employeeId", "DUPLICATE", f"{person(first)['name']} is listed twice")]),
        (ceo, [{"employeeId": leaver["_id"]}],
         [error("successors.0.employeeId", "INACTIVE", f"{leaver['name']} has left")]),
        (ceo, [{"employeeId": GLOBEX.personas["employee"]}],
         [error("successors.0.employeeId", "NOT_FOUND",
                f"no employee {GLOBEX.personas['employee']!r} in your organisation")]),
        (ceo, [{"employeeId": first, "externalName": "Both"}],
         [error("successors.0", "INVALID", "a successor is either a person or an external name")]),
        (ceo, [{"externalName": "A", "emergency": True}, {"externalName": "B", "emergency": True}],
         [error("successors", "INVALID", "a plan names at most one emergency successor")]),
        (server.client(vp["_id"]), [], [error(None, "FORBIDDEN", REFUSAL)]),
    ]
    for client, successors, errors in cases:
        payload = (await client.data(SAVE, {"p": position, "v": 1, "s": successors}))["saveSuccessionPlan"]
        assert payload == {"plan": None, "errors": errors}, successors
    stale = (await ceo.data(SAVE, {"p": position, "v": 0, "s": []}))["saveSuccessionPlan"]
    assert stale["errors"] == [error("version", "CONFLICT",
                                     "the plan changed since version 0 (now version 1): reload it and retry")]
    assert await snapshot(server) == before


async def test_two_saves_of_one_version_keep_one(server: RunningServer) -> None:
    # given the VP Engineering plan at version 1, saved by HR and by the chief executive at once
    plan = vp_plan()
    position = plan["positionId"]
    ceo = server.client(incumbent(position)["managerId"])
    hr = server.client("hr_admin")
    # when HR's save is held at its write until the chief executive's has committed
    async with hold(server.database, "successionPlans", "update_one") as held:
        first = asyncio.create_task(hr.data(SAVE, {"p": position, "v": 1, "s": [{"externalName": "HR pick"}]}))
        await held.reached.wait()
        theirs = (await ceo.data(SAVE, {"p": position, "v": 1, "s": [{"externalName": "CEO pick"}]}))
    mine = (await first)["saveSuccessionPlan"]
    # then the chief executive's stands and HR's is refused as stale
    assert theirs["saveSuccessionPlan"]["errors"] == []
    assert mine == {"plan": None, "errors": [error(
        "version", "CONFLICT", "the plan changed since version 1 (now version 2): reload it and retry")]}
    stored = await server.database.successionPlans.find_one({"positionId": position})
    assert [s["externalName"] for s in stored["successors"]] == ["CEO pick"] and stored["version"] == 2


async def test_a_successor_who_leaves_empties_their_slot(server: RunningServer) -> None:
    # given the VP Engineering plan
    plan = vp_plan()
    position = plan["positionId"]
    first = plan["successors"][0]["employeeId"]
    hr = server.client("hr_admin")
    before = (await hr.data(PLAN, {"p": position}))["successionPlan"]["benchStrength"]
    # when its first successor is terminated
    done = await hr.data("mutation($e: ID!) { terminateEmployee(employeeId: $e) { errors { code } } }", {"e": first})
    assert done["terminateEmployee"]["errors"] == []
    # then their slot shows they left, without readiness, and the bench counts them no more
    after = (await hr.data(PLAN, {"p": position}))["successionPlan"]
    assert (after["successors"][0]["left"], after["successors"][0]["readiness"]) == (True, None)
    level = ASSESSED[(first, position)]
    key = {"ready_now": "readyNow", "ready_in_1_2_years": "readyIn12Years"}[level]
    assert after["benchStrength"][key] == before[key] - 1
