"""Mentorships: a mentor outside the mentee's reporting line and within capacity; session notes for the
pair alone; ending; each check-then-write holding under a forced interleaving."""

from __future__ import annotations

import asyncio
from collections import Counter

from models.growth.rules import DEFAULT_MAX_MENTEES
from tests.conftest import GLOBEX, NORTHWIND, RunningServer
from tests.growth.support import SEED, UNKNOWN_ID, active, error, person, snapshot
from tests.interleave import hold

MENTORSHIP = "mentorship { id status goals startsOn endsOn sessionCount mentor { id } mentee { id } }"
START = """
mutation($mentor: ID!, $mentee: ID!, $goals: String) { startMentorship(mentorId: $mentor, menteeId: $mentee,
  goals: $goals, startsOn: "2026-11-02") { @M@ errors { field code message } } }
""".replace("@M@", MENTORSHIP)
END = """
mutation($id: ID!) { endMentorship(mentorshipId: $id, endsOn: "2026-12-01") { @M@ errors { field code message } } }
""".replace("@M@", MENTORSHIP)
LOG = """
mutation($id: ID!, $notes: String) { logMentoringSession(mentorshipId: $id, heldOn: "2026-11-20", notes: $notes) {
  session { id heldOn notes loggedBy { id } } mentorship { id } errors { field code message } } }
"""
SESSIONS = """
query($id: ID!) { growthPlan(employeeId: $id) { mentorships { id sessionCount sessions { id notes } } } }
"""
LOAD = Counter(m["mentorId"] for m in SEED["mentorships"])


def free_mentor_for(mentee: dict, *, load: int = 0) -> dict:
    """An active person outside the mentee's reporting line, no HR admin, with ``load`` active mentees."""
    return next(e for e in NORTHWIND.employees
                if active(e) and e["_id"] != mentee["_id"] and e["_id"] not in mentee["managerChain"]
                and mentee["_id"] not in e["managerChain"] and "hr_admin" not in e["roles"]
                and LOAD[e["_id"]] == load and not any(
                    m["mentorId"] == e["_id"] and m["menteeId"] == mentee["_id"] for m in SEED["mentorships"]))


def mentees_without(mentor: dict, count: int) -> list[dict]:
    """``count`` active people the mentor could mentor (outside their reporting line, not yet mentored by them)."""
    return [e for e in NORTHWIND.employees
            if active(e) and e["_id"] != mentor["_id"] and mentor["_id"] not in e["managerChain"]
            and e["_id"] not in mentor["managerChain"]
            and not any(m["mentorId"] == mentor["_id"] and m["menteeId"] == e["_id"] for m in SEED["mentorships"])
            ][:count]


async def test_the_mentee_starts_a_mentorship_and_the_pair_logs_private_sessions(server: RunningServer) -> None:
    # given the employee persona and someone outside their reporting line with nobody to mentor
    mentee = person("employee")
    mentor = free_mentor_for(mentee)
    # when the employee starts a mentorship with them
    started = (await server.client(mentee["_id"]).data(START, {"mentor": mentor["_id"], "mentee": mentee["_id"],
                                                               "goals": "Public speaking"}))["startMentorship"]
    # then it is active
    assert started["errors"] == []
    mentorship = started["mentorship"]
    assert (mentorship["status"], mentorship["goals"], mentorship["startsOn"], mentorship["mentor"],
            mentorship["sessionCount"]) == ("ACTIVE", "Public speaking", "2026-11-02", {"id": mentor["_id"]}, 0)
    # when the mentor logs a session
    logged = (await server.client(mentor["_id"]).data(LOG, {"id": mentorship["id"], "notes": "Rehearsed a talk"}))
    session = logged["logMentoringSession"]["session"]
    assert logged["logMentoringSession"]["errors"] == []
    assert (session["notes"], session["heldOn"], session["loggedBy"]) == ("Rehearsed a talk", "2026-11-20",
                                                                          {"id": mentor["_id"]})
    # then the mentee reads the notes, while their manager and an HR admin see the mentorship without them
    readers = {mentee["_id"]: [{"id": session["id"], "notes": "Rehearsed a talk"}],
               mentee["managerId"]: [], person("hr_admin")["_id"]: []}
    for reader, sessions in readers.items():
        plan = (await server.client(reader).data(SESSIONS, {"id": mentee["_id"]}))["growthPlan"]
        mine = next(m for m in plan["mentorships"] if m["id"] == mentorship["id"])
        assert (mine["sessionCount"], mine["sessions"]) == (1, sessions), reader
    # and the manager cannot log a session of someone else's mentorship
    refused = (await server.client(mentee["managerId"]).data(LOG, {"id": mentorship["id"]}))["logMentoringSession"]
    assert refused["errors"] == [error(None, "FORBIDDEN", "only the mentor and the mentee log their sessions")]


async def test_bad_starts_are_typed_errors_and_write_nothing(server: RunningServer) -> None:
    # given the employee persona, their skip-level manager, a full mentor, and the store as seeded
    mentee = person("employee")
    full = person(next(m for m, n in sorted(LOAD.items()) if n == DEFAULT_MAX_MENTEES))
    candidate = mentees_without(full, 1)[0]
    before = await snapshot(server)
    me = server.client(mentee["_id"])
    cases = [
        (me, {"mentor": mentee["managerChain"][-1], "mentee": mentee["_id"]},
         [error("mentorId", "INVALID", "a mentor comes from outside the mentee's reporting line")]),
        (me, {"mentor": mentee["_id"], "mentee": mentee["_id"]},
         [error("mentorId", "INVALID", "nobody mentors themselves")]),
        (me, {"mentor": GLOBEX.personas["employee"], "mentee": mentee["_id"]},
         [error("mentorId", "NOT_FOUND", f"no employee {GLOBEX.personas['employee']!r} in your organisation")]),
        (me, {"mentor": free_mentor_for(mentee)["_id"], "mentee": mentee["_id"], "goals": "x" * 5001},
         [error("goals", "TOO_LONG", "goals is longer than 5000 characters")]),
        (server.client("hr_admin"), {"mentor": full["_id"], "mentee": candidate["_id"]},
         [error("mentorId", "INVALID", f"{full['name']} already mentors {DEFAULT_MAX_MENTEES} people")]),
        (server.client(free_mentor_for(mentee)["_id"]), {"mentor": UNKNOWN_ID, "mentee": mentee["_id"]},
         [error(None, "FORBIDDEN", "a mentorship is started by the mentee, their managers or an HR admin")]),
    ]
    for client, variables, errors in cases:
        # when each is tried, then it is refused with exactly that error
        payload = (await client.data(START, variables))["startMentorship"]
        assert payload == {"mentorship": None, "errors": errors}, variables
    # and nothing was written
    assert await snapshot(server) == before


async def test_two_starts_for_a_mentors_last_place_give_it_to_one(server: RunningServer) -> None:
    # given a mentor with one place left and two people who each start a mentorship with them
    mentor = person(next(m for m, n in sorted(LOAD.items()) if n == DEFAULT_MAX_MENTEES - 1))
    first, second = mentees_without(mentor, 2)
    hr = server.client("hr_admin")

    async def start(mentee: dict) -> dict:
        return (await hr.data(START, {"mentor": mentor["_id"], "mentee": mentee["_id"]}))["startMentorship"]

    # when the first is held inside its transaction, as it reads the mentor's count, until the second has
    # finished
    async with hold(server.database, "mentorLoads", "find_one") as held:
        one = asyncio.create_task(start(first))
        await held.reached.wait()
        other = await start(second)
    one_payload = await one
    # then exactly one of them got the place, and the mentor has the full count of active mentees
    outcomes = sorted([bool(one_payload["errors"]), bool(other["errors"])])
    assert outcomes == [False, True], (one_payload, other)
    refused = one_payload if one_payload["errors"] else other
    assert refused["errors"] == [error("mentorId", "INVALID",
                                       f"{mentor['name']} already mentors {DEFAULT_MAX_MENTEES} people")]
    active_count = await server.database.mentorships.count_documents({"mentorId": mentor["_id"], "status": "active"})
    load = await server.database.mentorLoads.find_one({"_id": mentor["_id"]})
    assert active_count == load["active"] == DEFAULT_MAX_MENTEES


async def test_an_ended_mentorship_frees_the_place_and_takes_no_session(server: RunningServer) -> None:
    # given a seeded mentorship of a full mentor
    mentor_id = next(m for m, n in sorted(LOAD.items()) if n == DEFAULT_MAX_MENTEES)
    mentorship = next(m for m in SEED["mentorships"] if m["mentorId"] == mentor_id)
    mentee = person(mentorship["menteeId"])
    # when the mentee ends it
    ended = (await server.client(mentee["_id"]).data(END, {"id": mentorship["_id"]}))["endMentorship"]
    # then it has ended, and ending it again is refused
    assert ended["errors"] == [] and (ended["mentorship"]["status"], ended["mentorship"]["endsOn"]) == (
        "ENDED", "2026-12-01")
    again = (await server.client(mentee["_id"]).data(END, {"id": mentorship["_id"]}))["endMentorship"]
    assert again == {"mentorship": None, "errors": [error("mentorshipId", "INVALID_TRANSITION",
                                                          "this mentorship has already ended")]}
    # and no session is logged on it any more
    logged = (await server.client(mentor_id).data(LOG, {"id": mentorship["_id"]}))["logMentoringSession"]
    assert logged == {"session": None, "mentorship": None,
                      "errors": [error("mentorshipId", "READ_ONLY", "this mentorship has ended")]}
    # and the mentor has a free place: HR starts another mentorship with them
    candidate = mentees_without(person(mentor_id), 1)[0]
    started = (await server.client("hr_admin").data(START, {"mentor": mentor_id, "mentee": candidate["_id"]}))
    assert started["startMentorship"]["errors"] == []


async def test_a_session_racing_the_end_is_refused(server: RunningServer) -> None:
    # given a seeded mentorship; the mentor logs a session while the mentee ends the mentorship
    mentorship = SEED["mentorships"][0]
    sessions_before = await server.database.mentoringSessions.count_documents({"mentorshipId": mentorship["_id"]})
    # when the log is held at its conditional count until the end has committed
    async with hold(server.database, "mentorships", "update_one") as held:
        log = asyncio.create_task(server.client(mentorship["mentorId"]).data(LOG, {"id": mentorship["_id"]}))
        await held.reached.wait()
        ended = await server.client(mentorship["menteeId"]).data(END, {"id": mentorship["_id"]})
    logged = (await log)["logMentoringSession"]
    # then the end stands and the session was refused, nothing added
    assert ended["endMentorship"]["errors"] == []
    assert logged["errors"] == [error("mentorshipId", "READ_ONLY", "this mentorship has ended")]
    assert await server.database.mentoringSessions.count_documents(
        {"mentorshipId": mentorship["_id"]}) == sessions_before
