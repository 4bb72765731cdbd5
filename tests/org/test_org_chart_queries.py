"""Organisation queries end to end: the org chart, reporting chains, departments and positions.

Every expected value is computed from the seed documents (``server.demo``)."""

from __future__ import annotations

import pytest

from models.core.documents import Document
from models.demo.org import DemoOrganization
from tests.client import answer
from tests.conftest import RunningServer
from tests.org.seed import UNKNOWN_ID, by_name, ceo, codes, people, persona, ref, reports_of


def chart_node(levels: int) -> str:
    """Selection of one org chart node with ``levels`` levels of reports below it."""
    reports = f" reports {{ {chart_node(levels - 1)} }}" if levels else ""
    return f"level reportCount employee {{ id name }}{reports}"


CHART_LEVELS = 4  # deep enough for every depth the tests ask for
ORG_CHART = f"""
query OrgChart($rootId: ID, $depth: Int!) {{
  orgChart(rootId: $rootId, depth: $depth) {{ {chart_node(CHART_LEVELS)} }}
}}
"""

REPORTING_CHAIN = "query Chain($id: ID!) { reportingChain(employeeId: $id) { id name } }"
DEPARTMENTS = "{ departments { id name parent { id } head { id } } }"
POSITIONS = "{ positions { id title description responsibilities level department { id } } }"


def expected_chart(org: DemoOrganization, root: Document, depth: int, level: int = 0) -> Document:
    below = reports_of(org, root["_id"])
    return {
        "level": level, "reportCount": len(below), "employee": ref(root),
        "reports": [expected_chart(org, r, depth, level + 1) for r in below] if level < depth else [],
    }



# -- org chart ------------------------------------------------------------------------------------

async def test_org_chart_defaults_to_the_ceo(server: RunningServer) -> None:
    # when the chart is asked for without a root
    data = await server.client("employee").data(ORG_CHART, {"depth": 2})
    # then it starts at the CEO and holds the two levels below, as seeded
    assert data == {"orgChart": expected_chart(server.demo, ceo(server.demo), 2)}


def chart_root(org: DemoOrganization, which: str) -> Document:
    if which == "ceo":
        return ceo(org)
    if which == "manager":
        return persona(org, "manager")
    # the grand-manager of someone terminated: the chart must leave that person out
    gone = next(e for e in by_name(org.employees) if e["status"] == "terminated")
    return people(org)[gone["managerChain"][-2]]


@pytest.mark.parametrize(("which", "depth"), [("ceo", 1), ("ceo", 3), ("manager", 1), ("manager", 2),
                                              ("above terminated", 2), ("above terminated", 4)])
async def test_org_chart_is_the_subtree_to_the_depth(server: RunningServer, which: str, depth: int) -> None:
    # given a root in the seed
    root = chart_root(server.demo, which)
    # when the chart below it is asked for to some depth
    data = await server.client("employee").data(ORG_CHART, {"rootId": root["_id"], "depth": depth})
    # then it is exactly the seeded subtree of not-terminated people to that depth, with direct report counts
    assert data == {"orgChart": expected_chart(server.demo, root, depth)}


async def test_org_chart_with_unknown_root_is_null(server: RunningServer) -> None:
    body = await server.client("employee").execute(ORG_CHART, {"rootId": UNKNOWN_ID, "depth": 2})
    assert answer(body) == {"data": {"orgChart": None}}


async def test_org_chart_rooted_at_a_leaver_is_null(server: RunningServer) -> None:
    # given someone who has left / when the chart is asked from them / then there is none, as below anyone
    leaver = next(e for e in server.demo.employees if e["status"] == "terminated")
    body = await server.client("employee").execute(ORG_CHART, {"rootId": leaver["_id"], "depth": 2})
    assert answer(body) == {"data": {"orgChart": None}}


@pytest.mark.parametrize("depth", [0, 11])
async def test_org_chart_depth_out_of_range_is_bad_user_input(server: RunningServer, depth: int) -> None:
    body = await server.client("employee").execute(ORG_CHART, {"depth": depth})
    assert body["data"] == {"orgChart": None}
    assert codes(body) == [(["orgChart"], "BAD_USER_INPUT")]


# -- reporting chain, departments, positions ------------------------------------------------------

@pytest.mark.parametrize("who", ["employee", "manager", "ceo"])
async def test_reporting_chain_is_nearest_manager_first(server: RunningServer, who: str) -> None:
    # given someone in the seed
    target = ceo(server.demo) if who == "ceo" else persona(server.demo, who)
    # when their reporting chain is read
    data = await server.client("employee").data(REPORTING_CHAIN, {"id": target["_id"]})
    # then it lists their managers from the nearest up to the CEO (nobody above the CEO)
    everyone = people(server.demo)
    assert data == {"reportingChain": [ref(everyone[id]) for id in reversed(target["managerChain"])]}
    assert (data["reportingChain"] == []) == (who == "ceo")


async def test_reporting_chain_of_unknown_employee_is_bad_user_input(server: RunningServer) -> None:
    body = await server.client("employee").execute(REPORTING_CHAIN, {"id": UNKNOWN_ID})
    assert body["data"] == {"reportingChain": None}
    assert codes(body) == [(["reportingChain"], "BAD_USER_INPUT")]


async def test_departments_by_name(server: RunningServer) -> None:
    # when the departments are listed
    data = await server.client("employee").data(DEPARTMENTS)
    # then all of them come back by name with their parent and head
    assert data == {"departments": [
        {"id": d["_id"], "name": d["name"],
         "parent": None if d["parentId"] is None else {"id": d["parentId"]},
         "head": None if d["headId"] is None else {"id": d["headId"]}}
        for d in by_name(server.demo.departments)
    ]}


async def test_positions_by_title(server: RunningServer) -> None:
    # when the positions are listed
    data = await server.client("employee").data(POSITIONS)
    # then all of them come back by title
    assert data == {"positions": [
        {"id": p["_id"], "title": p["title"], "description": p["description"],
         "responsibilities": p["responsibilities"], "level": p["level"], "department": {"id": p["departmentId"]}}
        for p in sorted(server.demo.positions, key=lambda p: (p["title"], p["_id"]))
    ]}
