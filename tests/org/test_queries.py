"""Organisation queries end to end: people and their relations, who sees personal fields and the
employees connection (the org chart, reporting chains, departments and positions: test_org_chart_queries.py).

Every expected value is computed from the seed documents (``server.demo``)."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

import pytest

from models.core.documents import Document
from models.demo.org import DemoOrganization
from tests.client import GraphQLClient, answer
from tests.conftest import RunningServer
from tests.org.seed import UNKNOWN_ID, by_name, codes, not_terminated, people, persona, ref, reports_of

ME = "{ me { id name status title department { id name } } }"

EMPLOYEE = """
query Employee($id: ID!) {
  employee(id: $id) {
    id name status title
    manager { id name }
    reports { id name }
    mentor { id name }
    department { id name }
    position { id title level department { id } }
  }
}
"""

PERSONAL = """
query Personal($id: ID!) {
  employee(id: $id) { id name email hireDate roles statusHistory { status at note by { id } } }
}
"""
PERSONAL_FIELDS = ("email", "hireDate", "roles", "statusHistory")

MY_MANAGER_EMAIL = "{ me { name manager { name email } } }"
MY_REPORTS_EMAILS = "{ me { name reports { id email reports { id email } } } }"

EMPLOYEES = """
query Employees($first: Int!, $after: String, $filter: EmployeeFilter) {
  employees(first: $first, after: $after, filter: $filter) {
    totalCount
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    edges { cursor node { id name } }
  }
}
"""


# -- the seed, as the API should present it ------------------------------------------------------

def expected_employee(org: DemoOrganization, doc: Document) -> Document:
    everyone = people(org)
    position = next(p for p in org.positions if p["_id"] == doc["positionId"])
    department = next(d for d in org.departments if d["_id"] == doc["departmentId"])
    return {
        "id": doc["_id"], "name": doc["name"], "status": doc["status"].upper(), "title": position["title"],
        "manager": ref(everyone.get(doc["managerId"])),
        "reports": [ref(r) for r in reports_of(org, doc["_id"])],
        "mentor": ref(everyone.get(doc["mentorId"])),
        "department": ref(department),
        "position": {"id": position["_id"], "title": position["title"], "level": position["level"],
                     "department": {"id": position["departmentId"]}},
    }


def expected_personal(doc: Document) -> Document:
    return {
        "id": doc["_id"], "name": doc["name"], "email": doc["email"], "hireDate": doc["hireDate"],
        "roles": [r.upper() for r in doc["roles"]],
        "statusHistory": [{"status": h["status"].upper(), "at": h["at"].isoformat(), "note": h["note"],
                           "by": None if h["byId"] is None else {"id": h["byId"]}} for h in doc["statusHistory"]],
    }


def cursor_of(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()



async def walk(client: GraphQLClient, first: int, filter: Document | None = None) -> list[Document]:
    """Every page of the employees connection, following endCursor."""
    pages: list[Document] = []
    after = None
    while True:
        page = (await client.data(EMPLOYEES, {"first": first, "after": after, "filter": filter}))["employees"]
        pages.append(page)
        if not page["pageInfo"]["hasNextPage"]:
            return pages
        after = page["pageInfo"]["endCursor"]


# -- me and employee(id) --------------------------------------------------------------------------

async def test_me_is_the_signed_in_employee(server: RunningServer) -> None:
    # given the plain employee persona
    me = persona(server.demo, "employee")
    # when they ask who they are
    data = await server.client("employee").data(ME)
    # then they get their own document, title and department resolved
    expected = expected_employee(server.demo, me)
    assert data == {"me": {key: expected[key] for key in ("id", "name", "status", "title", "department")}}


@pytest.mark.parametrize("who", ["employee", "manager", "hr_admin"])
async def test_employee_by_id_with_its_relations(server: RunningServer, who: str) -> None:
    # given a persona with a manager (and for some, reports or a mentor)
    target = persona(server.demo, who)
    # when a plain employee looks them up
    data = await server.client("employee").data(EMPLOYEE, {"id": target["_id"]})
    # then the person and every nested relation match the seed
    assert data == {"employee": expected_employee(server.demo, target)}


async def test_employee_relations_cover_mentor_and_reports(server: RunningServer) -> None:
    # given the seed has people with mentors and managers with reports (the test above is only meaningful then)
    mentored = persona(server.demo, "employee")
    manager = persona(server.demo, "manager")
    assert mentored["mentorId"] is not None and reports_of(server.demo, manager["_id"])
    # when both are looked up
    client = server.client("employee")
    mentee = (await client.data(EMPLOYEE, {"id": mentored["_id"]}))["employee"]
    boss = (await client.data(EMPLOYEE, {"id": manager["_id"]}))["employee"]
    # then the mentor and the reports are there
    assert mentee["mentor"] == ref(people(server.demo)[mentored["mentorId"]])
    assert boss["reports"] == [ref(r) for r in reports_of(server.demo, manager["_id"])]


async def test_unknown_employee_is_null(server: RunningServer) -> None:
    body = await server.client("employee").execute(EMPLOYEE, {"id": UNKNOWN_ID})
    assert answer(body) == {"data": {"employee": None}}


# -- personal fields ------------------------------------------------------------------------------

def on_leave_target(org: DemoOrganization) -> Document:
    """Someone with a manager above their manager and more than one status change."""
    return next(e for e in by_name(org.employees)
                if e["status"] == "on_leave" and len(e["managerChain"]) >= 2 and len(e["statusHistory"]) > 1)


def viewer_of(org: DemoOrganization, target: Document, relation: str) -> str:
    chain = target["managerChain"]
    if relation == "self":
        return target["_id"]
    if relation == "direct manager":
        return target["managerId"]
    if relation == "indirect manager":
        return chain[-2]
    # an HR admin outside the target's management chain: visibility comes from the role alone
    return next(e["_id"] for e in by_name(org.employees)
                if "hr_admin" in e["roles"] and e["_id"] not in [*chain, target["_id"]] and e["status"] != "terminated")


@pytest.mark.parametrize("relation", ["self", "direct manager", "indirect manager", "hr admin"])
async def test_personal_fields_are_visible_to_self_chain_and_hr(server: RunningServer, relation: str) -> None:
    # given someone on leave (two status changes) and a viewer allowed to see their personal fields
    target = on_leave_target(server.demo)
    viewer = viewer_of(server.demo, target, relation)
    # when the viewer reads them
    data = await server.client(viewer).data(PERSONAL, {"id": target["_id"]})
    # then every personal field comes back as seeded
    assert data == {"employee": expected_personal(target)}


async def test_personal_fields_are_null_without_errors_for_a_peer(server: RunningServer) -> None:
    # given a colleague with the same manager, who is neither in the chain nor an HR admin
    target = on_leave_target(server.demo)
    peer = next(e for e in reports_of(server.demo, target["managerId"])
                if e["_id"] != target["_id"] and "hr_admin" not in e["roles"])
    # when the peer reads the target's personal fields
    body = await server.client(peer["_id"]).execute(PERSONAL, {"id": target["_id"]})
    # then each personal field is null by design, without an error, and the public ones still answer
    assert body["data"] == {"employee": {"id": target["_id"], "name": target["name"],
                                         **dict.fromkeys(PERSONAL_FIELDS)}}
    assert "errors" not in body


HUNDRED_WITH_PERSONAL = "{ employees(first: 100) { edges { node { id name email hireDate } } } }"


async def test_a_colleague_listing_a_hundred_people_gets_nulls_and_no_errors(server: RunningServer) -> None:
    # given the plain employee persona, who sees no one's personal fields but their own
    me = persona(server.demo, "employee")
    first_hundred = not_terminated(server.demo)[:100]
    assert len(first_hundred) == 100
    # when they list a hundred people with email and hireDate
    body = answer(await server.client("employee").execute(HUNDRED_WITH_PERSONAL))
    # then the answer has no error at all, their own row is filled and everyone else's is null
    assert body == {"data": {"employees": {"edges": [
        {"node": {"id": e["_id"], "name": e["name"],
                  **({"email": e["email"], "hireDate": e["hireDate"]} if e["_id"] == me["_id"]
                     else {"email": None, "hireDate": None})}} for e in first_hundred]}}}


async def test_my_managers_email_is_null_for_a_plain_employee(server: RunningServer) -> None:
    # given the plain employee persona
    me = persona(server.demo, "employee")
    manager = people(server.demo)[me["managerId"]]
    # when they ask for their manager's email through `me`
    body = await server.client("employee").execute(MY_MANAGER_EMAIL)
    # then the nested personal field is null without an error, the rest answers
    assert body["data"] == {"me": {"name": me["name"], "manager": {"name": manager["name"], "email": None}}}
    assert "errors" not in body


async def test_managers_see_the_emails_of_direct_and_indirect_reports(server: RunningServer) -> None:
    # given the manager persona, who has reports with reports of their own
    manager = persona(server.demo, "manager")
    # when they read their reports' emails two levels down
    data = await server.client("manager").data(MY_REPORTS_EMAILS)
    # then every email is there
    assert data == {"me": {"name": manager["name"], "reports": [
        {"id": r["_id"], "email": r["email"],
         "reports": [{"id": s["_id"], "email": s["email"]} for s in reports_of(server.demo, r["_id"])]}
        for r in reports_of(server.demo, manager["_id"])
    ]}}
    assert any(r["reports"] for r in data["me"]["reports"])


# -- employees connection -------------------------------------------------------------------------

async def test_walking_all_pages_lists_everyone_not_terminated_once_in_order(server: RunningServer) -> None:
    # given 200 seeded people, a few of them terminated
    expected = not_terminated(server.demo)
    assert len(expected) < len(server.demo.employees)
    # when a client walks the connection 50 at a time
    pages = await walk(server.client("employee"), 50)
    # then the pages hold every not-terminated person exactly once, by (name, id)
    nodes = [edge["node"] for page in pages for edge in page["edges"]]
    assert nodes == [ref(e) for e in expected]
    assert [len(page["edges"]) for page in pages] == [min(50, len(expected) - i) for i in range(0, len(expected), 50)]
    assert [page["totalCount"] for page in pages] == [len(expected)] * len(pages)
    assert [page["pageInfo"]["hasNextPage"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert [page["pageInfo"]["hasPreviousPage"] for page in pages] == [False] + [True] * (len(pages) - 1)
    for page in pages:
        assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
        assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


def department_filter(org: DemoOrganization) -> tuple[Document, list[Document]]:
    biggest = max(org.departments, key=lambda d: sum(e["departmentId"] == d["_id"] for e in org.employees))
    return ({"departmentId": biggest["_id"]},
            [e for e in not_terminated(org) if e["departmentId"] == biggest["_id"]])


def manager_filter(org: DemoOrganization) -> tuple[Document, list[Document]]:
    manager = persona(org, "manager")
    return {"managerId": manager["_id"]}, reports_of(org, manager["_id"])


def status_filter(status: str) -> Callable[[DemoOrganization], tuple[Document, list[Document]]]:
    def build(org: DemoOrganization) -> tuple[Document, list[Document]]:
        return {"status": status.upper()}, by_name([e for e in org.employees if e["status"] == status])
    return build


def search_filter(org: DemoOrganization) -> tuple[Document, list[Document]]:
    # a surname in another case: matching ignores case
    term = persona(org, "employee")["name"].split()[-1].swapcase()
    return {"search": term}, [e for e in not_terminated(org) if term.lower() in e["name"].lower()]


def combined_filter(org: DemoOrganization) -> tuple[Document, list[Document]]:
    department, _ = department_filter(org)
    people_there = [e for e in not_terminated(org) if e["departmentId"] == department["departmentId"]]
    term = people_there[0]["name"][:2].lower()
    return ({**department, "search": term},
            [e for e in people_there if term in e["name"].lower()])


@pytest.mark.parametrize("build", [department_filter, manager_filter, status_filter("on_leave"),
                                   status_filter("terminated"), search_filter, combined_filter],
                         ids=["department", "manager", "on_leave", "terminated", "search", "department+search"])
async def test_employee_filters(server: RunningServer,
                                build: Callable[[DemoOrganization], tuple[Document, list[Document]]]) -> None:
    # given a filter and the people of the seed it should select (at least one)
    filter, expected = build(server.demo)
    assert expected
    # when the connection is read with it
    pages = await walk(server.client("employee"), 100, filter)
    # then exactly those people come back, by (name, id), on one page
    assert len(pages) == 1
    assert pages[0]["totalCount"] == len(expected)
    assert [edge["node"] for edge in pages[0]["edges"]] == [ref(e) for e in expected]


async def test_search_is_case_insensitive_and_literal(server: RunningServer) -> None:
    # given a name in upper case and a string of regex metacharacters nobody is called
    name = persona(server.demo, "manager")["name"]
    client = server.client("employee")
    # when both are searched
    upper = (await walk(client, 100, {"search": name.upper()}))[0]
    regex = (await walk(client, 100, {"search": ".*"}))[0]
    # then the name is found in any case and the metacharacters match literally (nothing)
    assert [edge["node"] for edge in upper["edges"]] == [
        ref(e) for e in not_terminated(server.demo) if e["name"].lower() == name.lower()]
    assert (regex["totalCount"], regex["edges"]) == (0, [])


@pytest.mark.parametrize("cursor", ["not-a-cursor", "!!!", cursor_of("ab"), cursor_of([1, 2]),
                                    cursor_of({"name": "x", "id": "y"}), cursor_of(["a", "b", "c"])],
                         ids=["text", "not-base64", "string", "numbers", "object", "three"])
async def test_malformed_cursor_is_bad_user_input(server: RunningServer, cursor: str) -> None:
    # when a client sends an `after` cursor the API never issued
    body = await server.client("employee").execute(EMPLOYEES, {"first": 10, "after": cursor})
    # then the connection fails with BAD_USER_INPUT
    assert body["data"] is None
    assert codes(body) == [(["employees"], "BAD_USER_INPUT")]
