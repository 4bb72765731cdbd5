"""Store round trips per query: counted at the store boundary (``server.database.stats``), they must
depend on the shape of the query, never on how many people the organisation has."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from strawberry.types.nodes import SelectedField

from models.demo.org import DemoOrganization
from resolvers.core.projection import EMPLOYEE_ALWAYS, employee_projection, field_names
from tests.conftest import RunningServer

Document = dict[str, Any]

ORG_CHART_3 = """
{ orgChart(depth: 3) {
    employee { name title department { name } }
    reports {
      employee { name title department { name } }
      reports {
        employee { name title department { name } }
        reports { employee { name title department { name } } }
      }
    }
} }
"""
REPORT_COUNTS = """
{ orgChart(depth: 3) {
    employee { id } reportCount
    reports {
      employee { id } reportCount
      reports { employee { id } reportCount reports { employee { id } reportCount } }
    }
} }
"""
NESTED_REPORTS = """
query Nested($id: ID!) {
  employee(id: $id) { reports { name title reports { name title reports { name title } } } }
}
"""
EMPLOYEE_PAGE = """
query Page($first: Int!) {
  employees(first: $first) { edges { node { name title department { name } manager { name } } } }
}
"""
NAMES_PAGE = "query Names($first: Int!) { employees(first: $first) { edges { node { id name } } } }"
EMAILS_PAGE = "query Emails($first: Int!) { employees(first: $first) { edges { node { id name email } } } }"

# The token check reads the viewer's document once per request (one `employees` call).
SIGN_IN = 1
# Sign-in, the root (the CEO), one query per level of the subtree (three), then the positions and the
# departments of every member in one batch each: seven calls, whatever the size of the organisation.
ORG_CHART_CALLS = {"employees": SIGN_IN + 1 + 3, "positions": 1, "departments": 1}
# Sign-in, the root, the subtree's three levels and one count of direct reports ($group) for every member.
REPORT_COUNT_CALLS = {"employees": SIGN_IN + 1 + 3 + 1}
# Sign-in and the CEO, then per level of `reports` one batch of reports and one of their titles.
NESTED_LEVELS = 3
NESTED_CALLS = {"employees": SIGN_IN + 1 + NESTED_LEVELS, "positions": NESTED_LEVELS}
# Sign-in, count, page, then one batch each for titles, departments and managers: any page size.
PAGE_CALLS = {"employees": SIGN_IN + 3, "positions": 1, "departments": 1}


def ceo(org: DemoOrganization) -> Document:
    [root] = [e for e in org.employees if e["managerId"] is None]
    return root


def within(org: DemoOrganization, levels: range) -> list[Document]:
    """Not-terminated people whose management level (the CEO is 0 here) lies in ``levels``."""
    return [e for e in org.employees if e["status"] != "terminated" and len(e["managerChain"]) in levels]


def chart_nodes(node: Document) -> Iterator[Document]:
    yield node
    for child in node.get("reports", []):  # the deepest level selects no reports
        yield from chart_nodes(child)


def nested(employees: list[Document]) -> Iterator[Document]:
    for employee in employees:
        yield employee
        yield from nested(employee.get("reports", []))


def organisations(server: RunningServer) -> list[DemoOrganization]:
    return [server.demo, server.other]


async def test_org_chart_costs_a_call_per_level_whatever_the_size(server: RunningServer) -> None:
    calls: dict[str, Any] = {}
    for org in organisations(server):
        # given a viewer of an organisation (200 people, then 20: 50 and 13 people in the chart)
        client = server.client("employee", org)
        server.database.stats.reset()
        # when they read a three-level org chart with titles and departments
        data = await client.data(ORG_CHART_3)
        # then the four levels of not-terminated people all came back ...
        members = within(org, range(4))
        nodes = [node["employee"] for node in chart_nodes(data["orgChart"])]
        assert sorted(node["name"] for node in nodes) == sorted(e["name"] for e in members)
        positions = {e["positionId"] for e in members}
        departments = {e["departmentId"] for e in members}
        assert {node["title"] for node in nodes} == {p["title"] for p in org.positions if p["_id"] in positions}
        # ... in seven store calls (sign-in, the root, one per level, titles, departments), each document once
        stats = server.database.stats
        calls[org.organization["slug"]] = stats.calls
        assert dict(stats.by_collection) == ORG_CHART_CALLS
        assert stats.documents == SIGN_IN + len(members) + len(positions) + len(departments)
    assert calls == {"northwind": 7, "globex": 7}


async def test_org_chart_report_counts_cost_one_call(server: RunningServer) -> None:
    for org in organisations(server):
        # given a viewer
        client = server.client("employee", org)
        server.database.stats.reset()
        # when they read how many direct reports everyone in a three-level chart has
        data = await client.data(REPORT_COUNTS)
        # then each count matches the seed (terminated people not counted) ...
        alive = [e for e in org.employees if e["status"] != "terminated"]
        nodes = list(chart_nodes(data["orgChart"]))
        assert len(nodes) == len(within(org, range(4)))
        assert {node["employee"]["id"]: node["reportCount"] for node in nodes} == {
            node["employee"]["id"]: sum(e["managerId"] == node["employee"]["id"] for e in alive) for node in nodes}
        # ... and all counts came from a single aggregation
        assert dict(server.database.stats.by_collection) == REPORT_COUNT_CALLS


async def test_nested_reports_cost_two_calls_per_level(server: RunningServer) -> None:
    counts: dict[str, tuple[int, int]] = {}
    for org in organisations(server):
        # given a viewer and their CEO
        client = server.client("employee", org)
        server.database.stats.reset()
        # when they read three levels of reports below the CEO through the nested loaders
        data = await client.data(NESTED_REPORTS, {"id": ceo(org)["_id"]})
        # then every not-terminated person of levels 1-3 came back ...
        people = list(nested(data["employee"]["reports"]))
        assert sorted(p["name"] for p in people) == sorted(e["name"] for e in within(org, range(1, 4)))
        # ... and the calls grew with the levels only: reports and titles once per level
        stats = server.database.stats
        assert dict(stats.by_collection) == NESTED_CALLS
        counts[org.organization["slug"]] = (stats.calls, len(people))
    # the same eight calls for 49 people as for 12
    assert counts == {org.organization["slug"]: (8, len(within(org, range(1, 4)))) for org in organisations(server)}
    assert SIGN_IN + 1 + 2 * NESTED_LEVELS == 8
    assert counts["northwind"][1] >= 4 * counts["globex"][1]


@pytest.mark.parametrize("first", [5, 50, 100])
async def test_employee_page_calls_do_not_grow_with_the_page(server: RunningServer, first: int) -> None:
    # given a viewer
    client = server.client("employee")
    server.database.stats.reset()
    # when they read a page of people with title, department and manager
    data = await client.data(EMPLOYEE_PAGE, {"first": first})
    # then the page is full and cost the same few calls at any size
    assert len(data["employees"]["edges"]) == first
    assert dict(server.database.stats.by_collection) == PAGE_CALLS


def node_selection(*names: str) -> list[SelectedField]:
    """``edges { node { <names> } }`` as Strawberry hands a resolver its selection."""
    leaves = [SelectedField(name=name, directives={}, arguments={}, selections=[]) for name in names]
    node = SelectedField(name="node", directives={}, arguments={}, selections=leaves)
    edges = SelectedField(name="edges", directives={}, arguments={}, selections=[node])
    return [SelectedField(name="employees", directives={}, arguments={"first": 50}, selections=[edges])]


def test_projection_reads_only_selected_fields() -> None:
    # given the selections of a names-only page and of a page with emails
    names_only = employee_projection(field_names(node_selection("name"), under="node"))
    with_email = employee_projection(field_names(node_selection("name", "email", "title"), under="node"))
    # then the first reads the identity fields only, the second adds exactly what it selected
    assert names_only == dict.fromkeys(sorted(EMPLOYEE_ALWAYS), 1)
    assert "email" not in names_only and "statusHistory" not in names_only
    assert with_email == dict.fromkeys(sorted({*EMPLOYEE_ALWAYS, "email", "positionId"}), 1)


@pytest.fixture
def page_reads(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, list[Document]]]:
    """(projection, documents) of each `employees` find that is not a by-id lookup (the sign-in)."""
    reads: list[tuple[Any, list[Document]]] = []
    find = server.database.employees.find

    def recording_find(filter: Document, projection: Any = None, *args: Any, **kwargs: Any) -> Any:
        cursor = find(filter, projection, *args, **kwargs)
        if "_id" in filter:
            return cursor
        to_list = cursor.to_list

        async def recorded(length: int | None = None) -> list[Document]:
            documents = await to_list(length)
            reads.append((projection, documents))
            return documents

        cursor.to_list = recorded  # type: ignore[method-assign]
        return cursor

    monkeypatch.setattr(server.database.employees, "find", recording_find)
    return reads


async def test_names_page_fetches_no_personal_fields(server: RunningServer,
                                                     page_reads: list[tuple[Any, list[Document]]]) -> None:
    # given an HR admin (who may see every email)
    client = server.client("hr_admin")
    # when they read a page of names only
    data = await client.data(NAMES_PAGE, {"first": 50})
    # then the one page read asked for no personal field and got none
    [(projection, documents)] = page_reads
    assert len(documents) == 51 and len(data["employees"]["edges"]) == 50
    assert "email" not in projection and "statusHistory" not in projection
    assert all(doc.keys() <= set(EMPLOYEE_ALWAYS) for doc in documents)


async def test_selecting_email_still_returns_emails(server: RunningServer,
                                                    page_reads: list[tuple[Any, list[Document]]]) -> None:
    # given an HR admin
    client = server.client("hr_admin")
    # when they read a page with emails
    data = await client.data(EMAILS_PAGE, {"first": 50})
    # then the emails are those of the seed, read by the page query itself
    emails = {e["_id"]: e["email"] for e in server.demo.employees}
    edges = data["employees"]["edges"]
    assert len(edges) == 50
    assert [edge["node"]["email"] for edge in edges] == [emails[edge["node"]["id"]] for edge in edges]
    [(projection, documents)] = page_reads
    assert projection["email"] == 1 and all("email" in doc and "statusHistory" not in doc for doc in documents)
