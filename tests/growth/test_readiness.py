"""Readiness: evidence with its source and date from the person's last shared review (through the reviews
domain), tenure and goals, a manager's assessment, staleness, and who reads and assesses it."""

from __future__ import annotations

from models.demo.reviews import demo_review_documents
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import POSITIONS, UNKNOWN_ID, error, peer, person, snapshot

REVIEWS = demo_review_documents(NORTHWIND)
READINESS_FIELDS = """
  employee { id } position { id } level derivedFrom note assessedBy { id }
  gaps { competency { id } expectedLevel assessedLevel shortfall }
  evidence { kind source on stale summary value }
"""
READINESS = "query($e: ID!, $p: ID!) { readiness(employeeId: $e, positionId: $p) { @F@ } }".replace(
    "@F@", READINESS_FIELDS)
ASSESS = """
mutation($e: ID!, $p: ID!, $level: ReadinessLevel!, $note: String) {
  assessReadiness(employeeId: $e, positionId: $p, level: $level, note: $note) {
    readiness { @F@ } errors { field code message } } }
""".replace("@F@", READINESS_FIELDS)
SETTINGS = """
mutation($days: Int) { saveGrowthSettings(staleAfterDays: $days) { settings { staleAfterDays }
  errors { field code message } } }
"""
PROFILE = """
query($e: ID!) { employee(id: $e) { competencyProfile { competency { id } assessedLevel } } }
"""
EXPECTED = "{ positions { id expectedCompetencies { competency { id } expectedLevel } } }"


def shared_review() -> dict:
    """A shared review whose reviewee is still employed and has a manager."""
    return next(r for r in sorted(REVIEWS["reviews"], key=lambda r: r["_id"])
                if r["state"] in ("shared", "acknowledged") and person(r["employeeId"])["status"] != "terminated"
                and person(r["employeeId"])["managerId"])


def target_for(employee: dict) -> dict:
    """The position one level above the person's with the most expected competencies."""
    level = POSITIONS[employee["positionId"]]["level"]
    expected = [p["positionId"] for p in REVIEWS["positionCompetencies"]]
    above = [p for p in NORTHWIND.positions if p["level"] > level]
    return max(above, key=lambda p: (expected.count(p["_id"]), -p["level"], p["_id"]))


async def test_readiness_comes_from_the_last_shared_review_and_a_managers_assessment(server: RunningServer) -> None:
    # given a person with a shared review and a position above theirs
    review = shared_review()
    employee = person(review["employeeId"])
    target = target_for(employee)
    hr = server.client("hr_admin")
    # and, read through the reviews domain, their assessed levels and what the target expects
    assessed = {e["competency"]["id"]: e["assessedLevel"]
                for e in (await hr.data(PROFILE, {"e": employee["_id"]}))["employee"]["competencyProfile"]}
    positions = (await hr.data(EXPECTED))["positions"]
    expected = {e["competency"]["id"]: e["expectedLevel"]
                for e in next(p for p in positions if p["id"] == target["_id"])["expectedCompetencies"]}
    assert expected, "the target expects competencies"
    # when their manager reads their readiness for it
    manager = server.client(employee["managerId"])
    data = (await manager.data(READINESS, {"e": employee["_id"], "p": target["_id"]}))["readiness"]
    # then each expected competency is compared with the assessed level (never assessed: two short)
    gaps = [{"competency": {"id": c}, "expectedLevel": level, "assessedLevel": assessed.get(c),
             "shortfall": 2 if assessed.get(c) is None else max(0, level - assessed[c])}
            for c, level in sorted(expected.items())]
    assert data["gaps"] == gaps
    worst = max(g["shortfall"] for g in gaps)
    by_gaps = "READY_NOW" if worst == 0 else "READY_IN_1_2_YEARS" if worst == 1 else "READY_IN_3_PLUS_YEARS"
    assert (data["level"], data["derivedFrom"]) == (by_gaps, "COMPETENCY_GAPS")
    # and the evidence names the review, its date and its calibrated rating, and the tenure since hire
    shared_on = review["sharedAt"].date().isoformat()
    evidence = {e["kind"]: e for e in data["evidence"]}
    assert (evidence["COMPETENCY_GAPS"]["source"], evidence["COMPETENCY_GAPS"]["on"],
            evidence["COMPETENCY_GAPS"]["stale"]) == (f"review:{review['_id']}", shared_on, False)
    assert evidence["COMPETENCY_GAPS"]["value"] == sum(g["shortfall"] for g in gaps)
    final = (review["calibration"] or {}).get("rating") or review["score"]["rating"]  # calibrated when it was
    assert (evidence["RATING"]["value"], evidence["RATING"]["source"]) == (final, f"review:{review['_id']}")
    assert (evidence["TENURE_IN_ROLE"]["source"], evidence["TENURE_IN_ROLE"]["on"]) == (
        f"employee:{employee['_id']}", employee["hireDate"])
    # when the manager assesses them ready now, then that is the level, with the note and the assessor
    assessed_now = (await manager.data(ASSESS, {"e": employee["_id"], "p": target["_id"], "level": "READY_NOW",
                                                "note": "Leads already"}))["assessReadiness"]
    assert assessed_now["errors"] == []
    readiness = assessed_now["readiness"]
    assert (readiness["level"], readiness["derivedFrom"], readiness["note"], readiness["assessedBy"]) == (
        "READY_NOW", "MANAGER_ASSESSMENT", "Leads already", {"id": employee["managerId"]})
    # and the person themselves reads it too
    mine = (await server.client(employee["_id"]).data(READINESS, {"e": employee["_id"], "p": target["_id"]}))
    assert mine["readiness"]["level"] == "READY_NOW"
    # when HR makes evidence older than one day stale, then the review's evidence no longer counts, while
    # the assessment made today is fresh: the level stays the manager's
    settings = (await hr.data(SETTINGS, {"days": 1}))["saveGrowthSettings"]
    assert settings == {"settings": {"staleAfterDays": 1}, "errors": []}
    after = (await manager.data(READINESS, {"e": employee["_id"], "p": target["_id"]}))["readiness"]
    stale = {e["kind"]: e["stale"] for e in after["evidence"]}
    assert (stale["COMPETENCY_GAPS"], stale["RATING"], stale["MANAGER_ASSESSMENT"]) == (True, True, False)
    assert after["level"] == "READY_NOW"


async def test_without_fresh_evidence_the_level_is_unknown(server: RunningServer) -> None:
    # given a person with a shared review, and evidence stale after one day
    review = shared_review()
    employee = person(review["employeeId"])
    await server.client("hr_admin").data(SETTINGS, {"days": 1})
    # when their manager reads their readiness, then there is no level and the review's evidence is stale
    data = (await server.client(employee["managerId"]).data(READINESS, {
        "e": employee["_id"], "p": target_for(employee)["_id"]}))["readiness"]
    assert (data["level"], data["derivedFrom"]) == (None, None)
    assert {e["kind"]: e["stale"] for e in data["evidence"]}["COMPETENCY_GAPS"] is True


async def test_who_reads_and_assesses_readiness(server: RunningServer) -> None:
    # given the employee persona, a position above theirs, and the store as seeded
    employee = person("employee")
    target = target_for(employee)
    before = await snapshot(server)
    variables = {"e": employee["_id"], "p": target["_id"], "level": "READY_NOW"}
    globex_position = GLOBEX.positions[0]["_id"]
    cases = [
        (employee["_id"], variables,
         [error(None, "FORBIDDEN", "readiness is assessed by the person's managers and HR admins")]),
        (peer(employee)["_id"], variables,
         [error(None, "FORBIDDEN", "readiness is visible to the person, their managers and HR admins")]),
        (employee["managerId"], {**variables, "p": globex_position},
         [error("positionId", "NOT_FOUND", f"no position {globex_position!r} in your organisation")]),
        (employee["managerId"], {**variables, "p": employee["positionId"]},
         [error("positionId", "INVALID", "this is the person's current position")]),
        (employee["managerId"], {**variables, "e": UNKNOWN_ID},
         [error("employeeId", "NOT_FOUND", f"no employee {UNKNOWN_ID!r} in your organisation")]),
        (employee["managerId"], {**variables, "note": "x" * 5001},
         [error("note", "TOO_LONG", "note is longer than 5000 characters")]),
    ]
    for who, given, errors in cases:
        payload = (await server.client(who).data(ASSESS, given))["assessReadiness"]
        assert payload == {"readiness": None, "errors": errors}, given
    refused = (await server.client("employee").data(SETTINGS, {"days": 5}))["saveGrowthSettings"]
    assert refused == {"settings": None,
                       "errors": [error(None, "FORBIDDEN", "only HR admins change the growth settings")]}
    bad = (await server.client("hr_admin").data(SETTINGS, {"days": 0}))["saveGrowthSettings"]
    assert bad == {"settings": None,
                   "errors": [error("staleAfterDays", "INVALID", "staleAfterDays lies between 1 and 3650")]}
    assert await snapshot(server) == before
    # and a peer may not read it (null and FORBIDDEN)
    body = await server.client(peer(employee)["_id"]).execute(READINESS, {"e": employee["_id"], "p": target["_id"]})
    assert body["data"] == {"readiness": None}
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
