"""The exit checklist and the attrition report read growth through its accessor: a leaving mentor's mentorships
and succession slots become checklist items; whether each leaver had a growth plan is known to who may read it."""

from __future__ import annotations

from models.exits.rules import ChecklistKind
from resolvers.exits.growth_link import growth_plans
from tests.conftest import NORTHWIND, RunningServer
from tests.exits.support import record_of, terminate
from tests.growth.support import EMPLOYEES, POSITIONS, SEED, peer, person
from tests.growth.test_access import context_of


async def test_terminating_a_mentor_lists_their_mentorships_and_succession_slots(server: RunningServer) -> None:
    # given a seeded mentor who is also named as a successor
    named = {s.get("employeeId") for p in SEED["successionPlans"] for s in p["successors"]}
    mentor = next(EMPLOYEES[m["mentorId"]] for m in SEED["mentorships"] if m["mentorId"] in named
                  and m["mentorId"] not in NORTHWIND.personas.values())
    mentoring = sorted((m for m in SEED["mentorships"] if m["mentorId"] == mentor["_id"] and m["status"] == "active"),
                       key=lambda m: (m["startsOn"], m["_id"]))
    mentored = sorted((m for m in SEED["mentorships"] if m["menteeId"] == mentor["_id"] and m["status"] == "active"),
                      key=lambda m: (m["startsOn"], m["_id"]))
    slots = [(p["positionId"], s["rank"]) for p in sorted(SEED["successionPlans"], key=lambda p: p["positionId"])
             for s in p["successors"] if s.get("employeeId") == mentor["_id"]]
    assert mentoring and slots
    # when HR terminates them
    await terminate(server, mentor["_id"])
    # then the exit checklist lists each mentorship and slot, the manager suggested as new owner
    record = await record_of(server, mentor["_id"])
    growth = [(i["kind"], i["refId"], i["title"], i["suggestedOwnerId"], i["done"]) for i in record["checklist"]
              if i["kind"] in (ChecklistKind.MENTORSHIP.value, ChecklistKind.SUCCESSION_SLOT.value)
              and i["refId"] not in {e["_id"] for e in EMPLOYEES.values()}]
    manager = mentor["managerId"]
    assert growth == (
        [("mentorship", m["_id"], f"Mentoring {EMPLOYEES[m['menteeId']]['name']}", manager, False) for m in mentoring]
        + [("mentorship", m["_id"], f"Mentored by {EMPLOYEES[m['mentorId']]['name']}", manager, False)
           for m in mentored]
        + [("succession_slot", position, f"Successor for {POSITIONS[position]['title']} (rank {rank})", manager,
            False) for position, rank in slots])


async def test_whether_leavers_had_a_growth_plan_is_known_to_their_readers(server: RunningServer) -> None:
    # given one person with a seeded plan and one without
    with_plan = person(SEED["growthPlans"][0]["employeeId"])
    planned = {p["employeeId"] for p in SEED["growthPlans"]}
    without = next(e for e in EMPLOYEES.values() if e["_id"] not in planned and e.get("managerId")
                   and e["status"] != "terminated")
    ids = [with_plan["_id"], without["_id"], "0" * 24]
    # then HR knows both (an unknown id stays unknown), a peer of the first knows nothing of them
    assert await growth_plans(context_of(server, "hr_admin"), ids) == {
        with_plan["_id"]: True, without["_id"]: False, "0" * 24: None}
    assert (await growth_plans(context_of(server, peer(with_plan)["_id"]), [with_plan["_id"]])
            == {with_plan["_id"]: None})
