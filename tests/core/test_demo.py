import time
from collections import Counter
from datetime import UTC, date, datetime

import pytest

from models.core.viewer import Role
from models.demo.org import DemoOrganization, build_organization, levels
from models.org.rules import EMAIL_PATTERN, EmployeeStatus, chain_of


@pytest.fixture(scope="module")
def demo() -> DemoOrganization:
    return build_organization()


def by_id(docs: list[dict]) -> dict[str, dict]:
    return {doc["_id"]: doc for doc in docs}


def all_ids(org: DemoOrganization) -> set[str]:
    docs = [org.organization, *org.departments, *org.positions, *org.employees]
    return {doc["_id"] for doc in docs}


def test_same_arguments_give_identical_output(demo: DemoOrganization) -> None:
    assert build_organization() == demo
    assert build_organization(seed=7) != demo


def test_different_slug_gives_disjoint_ids(demo: DemoOrganization) -> None:
    other = build_organization(name="Contoso", slug="contoso")
    assert all_ids(demo).isdisjoint(all_ids(other))
    assert all(doc["organizationId"] == other.organization["_id"] for doc in other.employees)


def test_ids_are_unique_and_shaped(demo: DemoOrganization) -> None:
    ids = [doc["_id"] for doc in [demo.organization, *demo.departments, *demo.positions, *demo.employees]]
    assert len(ids) == len(set(ids))
    assert all(len(i) == 24 and int(i, 16) >= 0 for i in ids)


def test_organization_document(demo: DemoOrganization) -> None:
    org = demo.organization
    assert set(org) == {"_id", "name", "slug", "version", "createdAt"}
    assert (org["name"], org["slug"], org["version"]) == ("Northwind Labs", "northwind", 0)
    assert org["createdAt"].tzinfo == UTC


def test_employee_count_and_five_levels(demo: DemoOrganization) -> None:
    assert len(demo.employees) == 200
    depth = levels(demo.employees)
    assert set(depth.values()) == {1, 2, 3, 4, 5}
    roots = [e for e in demo.employees if e["managerId"] is None]
    assert len(roots) == 1 and depth[roots[0]["_id"]] == 1
    reports = Counter(e["managerId"] for e in demo.employees if e["managerId"])
    assert all(1 <= n <= 10 for n in reports.values())
    # Leaves are exactly the individual contributors at level 5.
    assert {depth[e["_id"]] for e in demo.employees if e["_id"] not in reports} == {5}


def test_manager_chain_matches_manager_id(demo: DemoOrganization) -> None:
    docs = by_id(demo.employees)
    for employee in demo.employees:
        manager = docs.get(employee["managerId"]) if employee["managerId"] else None
        assert employee["managerChain"] == chain_of(manager)


def test_employee_shape(demo: DemoOrganization) -> None:
    keys = {"_id", "organizationId", "name", "email", "positionId", "departmentId", "managerId",
            "managerChain", "mentorId", "hireDate", "status", "statusHistory", "roles", "createdAt",
            "updatedAt"}
    positions, departments = by_id(demo.positions), by_id(demo.departments)
    for e in demo.employees:
        assert set(e) == keys
        assert e["positionId"] in positions and e["departmentId"] in departments
        assert e["status"] in {s.value for s in EmployeeStatus}
        assert e["createdAt"].tzinfo == UTC and e["updatedAt"] >= e["createdAt"]
        first = e["statusHistory"][0]
        assert first["status"] == "active" and first["byId"] is None
        assert first["at"].date() == date.fromisoformat(e["hireDate"])
        assert e["statusHistory"][-1]["status"] == e["status"]
        assert all(h["at"] < datetime(2026, 11, 1, tzinfo=UTC) for h in e["statusHistory"])


def test_emails_unique_and_valid(demo: DemoOrganization) -> None:
    emails = [e["email"] for e in demo.employees]
    assert len(set(emails)) == len(emails)
    assert all(EMAIL_PATTERN.match(m) and m == m.lower() and m.endswith("@northwind.example") for m in emails)


def test_roles(demo: DemoOrganization) -> None:
    managers = {e["managerId"] for e in demo.employees if e["managerId"]}
    for e in demo.employees:
        assert e["roles"][0] == Role.EMPLOYEE.value
        assert (Role.MANAGER.value in e["roles"]) == (e["_id"] in managers)
        assert set(e["roles"]) <= {r.value for r in Role}
    assert sum(Role.HR_ADMIN.value in e["roles"] for e in demo.employees) == 2


def test_statuses_and_hire_dates(demo: DemoOrganization) -> None:
    counts = Counter(e["status"] for e in demo.employees)
    assert 2 <= counts["on_leave"] <= 10 and 1 <= counts["terminated"] <= 8
    managers = {e["managerId"] for e in demo.employees if e["managerId"]}
    docs = by_id(demo.employees)
    for e in demo.employees:
        if e["status"] != "active":
            assert len(e["statusHistory"]) == 2
        if e["status"] == "terminated":
            assert e["_id"] not in managers and len(e["managerChain"]) == 4
        if e["managerId"]:
            assert docs[e["managerId"]]["hireDate"] < e["hireDate"]
    hires = sorted(date.fromisoformat(e["hireDate"]) for e in demo.employees)
    assert date(2016, 9, 1) <= hires[0] and hires[-1] < date(2026, 11, 1)


def test_mentors(demo: DemoOrganization) -> None:
    docs, depth = by_id(demo.employees), levels(demo.employees)
    mentored = [e for e in demo.employees if e["mentorId"]]
    assert 0.3 <= len(mentored) / len(demo.employees) <= 0.5
    for e in mentored:
        mentor = docs[e["mentorId"]]
        assert mentor["_id"] != e["_id"] and mentor["_id"] not in e["managerChain"]
        assert mentor["status"] == "active" and depth[mentor["_id"]] < depth[e["_id"]]


def test_departments(demo: DemoOrganization) -> None:
    assert 8 <= len(demo.departments) <= 12
    departments, docs, depth = by_id(demo.departments), by_id(demo.employees), levels(demo.employees)
    roots = [d for d in demo.departments if d["parentId"] is None]
    assert [d["name"] for d in roots] == ["Executive"]
    for d in demo.departments:
        assert set(d) == {"_id", "organizationId", "name", "parentId", "headId", "cadence"}
        assert d["cadence"] == "weekly"
        assert d["parentId"] is None or d["parentId"] in departments
        assert d["headId"] in docs
        members = [e for e in demo.employees if e["departmentId"] == d["_id"]]
        assert docs[d["headId"]]["departmentId"] == d["_id"]
        assert depth[d["headId"]] == min(depth[e["_id"]] for e in members)
    names = {d["name"]: d for d in demo.departments}
    for team in ("Platform", "Product Engineering", "Data"):
        assert names[team]["parentId"] == names["Engineering"]["_id"]


def test_positions(demo: DemoOrganization) -> None:
    assert 18 <= len(demo.positions) <= 30
    departments = by_id(demo.departments)
    titles = {p["title"] for p in demo.positions}
    assert {"Chief Executive Officer", "VP Engineering", "Software Engineer", "HR Business Partner",
            "Head of People"} <= titles
    for p in demo.positions:
        assert set(p) == {"_id", "organizationId", "title", "description", "responsibilities", "level",
                          "departmentId"}
        assert 1 <= p["level"] <= 7 and p["departmentId"] in departments
        assert 3 <= len(p["responsibilities"]) <= 5 and len(p["description"]) > 20


def test_personas(demo: DemoOrganization) -> None:
    docs, depth = by_id(demo.employees), levels(demo.employees)
    assert set(demo.personas) == {"employee", "manager", "hr_admin"}
    people = {k: docs[v] for k, v in demo.personas.items()}
    assert all(p["status"] == "active" for p in people.values())

    employee = people["employee"]
    assert depth[employee["_id"]] == 5 and employee["mentorId"] is not None
    assert employee["roles"] == [Role.EMPLOYEE.value]

    manager = people["manager"]
    assert depth[manager["_id"]] == 3 and Role.MANAGER.value in manager["roles"]
    assert any(manager["_id"] in e["managerChain"][:-1] for e in demo.employees)  # indirect reports

    hr = people["hr_admin"]
    people_dept = next(d for d in demo.departments if d["name"] == "People")
    assert people_dept["headId"] == hr["_id"] and Role.HR_ADMIN.value in hr["roles"]
    titles = {p["_id"]: p["title"] for p in demo.positions}
    assert titles[hr["positionId"]] == "Head of People"
    partners = [e for e in demo.employees if Role.HR_ADMIN.value in e["roles"] and e is not hr]
    assert [titles[e["positionId"]] for e in partners] == ["HR Business Partner"]


@pytest.mark.parametrize("count", [12, 20, 40, 57])
def test_small_organisations_build(count: int) -> None:
    org = build_organization(employee_count=count, seed=count)
    assert len(org.employees) == count
    docs = by_id(org.employees)
    assert all(docs[i]["status"] == "active" for i in org.personas.values())
    assert len({e["email"] for e in org.employees}) == count
    if count >= 40:
        assert set(levels(org.employees).values()) == {1, 2, 3, 4, 5}


def test_too_small_is_refused() -> None:
    with pytest.raises(ValueError):
        build_organization(employee_count=11)


def test_large_organisation_builds_quickly() -> None:
    started = time.perf_counter()
    org = build_organization(employee_count=5000)
    assert time.perf_counter() - started < 3
    assert len(org.employees) == 5000
    assert set(levels(org.employees).values()) == {1, 2, 3, 4, 5}
    assert len({e["email"] for e in org.employees}) == 5000
    reports = Counter(e["managerId"] for e in org.employees if e["managerId"])
    assert max(reports.values()) <= 10
    docs = by_id(org.employees)
    for e in org.employees:
        manager = docs[e["managerId"]] if e["managerId"] else None
        assert e["managerChain"] == chain_of(manager)
