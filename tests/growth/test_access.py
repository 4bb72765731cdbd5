"""The growth accessor other domains use (``resolvers/growth/access.py``), asked as the running app's
context would be: a leaver's open work for the people who oversee them, a plan only for its readers."""

from __future__ import annotations

import pytest

from resolvers.core.context import Context
from resolvers.core.errors import BadUserInput, Forbidden
from resolvers.growth.access import OPEN_WORK_REFUSAL, growth_plan_of, open_work_of
from server.auth import bearer_token, decode_token
from tests.conftest import GLOBEX, RunningServer
from tests.growth.support import SEED, peer, person


def context_of(server: RunningServer, who: str, org=None) -> Context:
    secret = server.settings.jwt_secret
    token = server.token(who) if org is None else server.token(who, org)
    return Context(database=server.database, bus=server.bus, credentials=f"Bearer {token}",
                   decode=lambda credentials: decode_token(secret, bearer_token(credentials)))


async def test_open_work_lists_both_sides_of_a_persons_mentorships(server: RunningServer) -> None:
    # given someone who both mentors and is mentored in the seed
    mentor_ids = {m["mentorId"] for m in SEED["mentorships"]}
    both = next(m["menteeId"] for m in SEED["mentorships"] if m["menteeId"] in mentor_ids)
    in_order = sorted(SEED["mentorships"], key=lambda m: (m["startsOn"], m["_id"]))
    # when an HR admin and the person's manager ask for their open work
    for who in ("hr_admin", person(both)["managerId"]):
        work = await open_work_of(context_of(server, who), both)
        # then it holds exactly the seeded mentorships on each side, oldest first
        assert [m["_id"] for m in work.mentoring] == [m["_id"] for m in in_order if m["mentorId"] == both]
        assert [m["_id"] for m in work.mentored_by] == [m["_id"] for m in in_order if m["menteeId"] == both]
    # but a peer and the person themselves are refused, and Globex does not know them
    for who in (peer(person(both))["_id"], both):
        with pytest.raises(Forbidden) as refused:
            await open_work_of(context_of(server, who), both)
        assert refused.value.message == OPEN_WORK_REFUSAL
    with pytest.raises(BadUserInput):
        await open_work_of(context_of(server, GLOBEX.personas["hr_admin"], GLOBEX), both)


async def test_a_plan_reaches_other_domains_only_for_its_readers(server: RunningServer) -> None:
    # given a seeded plan
    plan = SEED["growthPlans"][0]
    employee = person(plan["employeeId"])
    # then its manager gets it, a peer gets nothing
    found = await growth_plan_of(context_of(server, employee["managerId"]), employee["_id"])
    assert found is not None and found["_id"] == plan["_id"] and found["targets"] == plan["targets"]
    assert await growth_plan_of(context_of(server, peer(employee)["_id"]), employee["_id"]) is None
