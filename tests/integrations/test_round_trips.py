"""Store round trips of the integrations' reads follow what is asked, not how many objects it covers."""

from __future__ import annotations

from tests.conftest import RunningServer
from tests.integrations.support import scim_client

EMPLOYEES = """query($n: Int!) { employees(first: $n) { edges { node { id learningEvidence { level } } } } }"""


async def calls_of(server: RunningServer, action) -> int:  # type: ignore[no-untyped-def]
    server.database.stats.reset()
    await action()
    return server.database.stats.calls


async def test_a_scim_page_costs_the_same_for_5_or_150_users(server: RunningServer) -> None:
    scim = await scim_client(server)
    await scim.get("/Users?count=1")  # the token's first use

    async def page(count: int):  # type: ignore[no-untyped-def]
        response = await scim.get(f"/Users?startIndex=1&count={count}")
        assert len(response.json()["Resources"]) == count

    small = await calls_of(server, lambda: page(5))
    large = await calls_of(server, lambda: page(150))
    assert small == large


async def test_learning_evidence_of_a_list_of_people_is_one_read(server: RunningServer) -> None:
    hr = server.client("hr_admin")
    few = await calls_of(server, lambda: hr.data(EMPLOYEES, {"n": 5}))
    many = await calls_of(server, lambda: hr.data(EMPLOYEES, {"n": 100}))
    assert few == many
