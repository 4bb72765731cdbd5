"""A deterministic demo organisation: realistic documents for seeding, demos and tests.

Everything derives from the arguments of :func:`build_organization`: ids from
:func:`stable_id` keyed on the slug, randomness from ``random.Random(seed)`` and times from
``today``, so the same call always returns the same documents and no I/O happens.

Management levels run from 1 (the CEO) to 5 (individual contributors); a position's
``level`` is a job grade from 1 (junior) to 7 (executive).
"""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from models.core.documents import Document, stable_id
from models.core.viewer import Role
from models.demo.org_catalog import (
    DEPARTMENTS,
    ENGINEERING_TEAMS,
    EXIT_NOTES,
    FIRST_NAMES,
    LADDERS,
    LAST_NAMES,
    LEAVE_NOTES,
    POSITIONS,
    STAFFING,
)
from models.org.rules import EmployeeStatus, chain_of, normalize_email, status_entry

# Where in the time left between the manager's hire and today a report's hire falls.
HIRE_WINDOWS = {2: (0.0, 0.35), 3: (0.05, 0.5), 4: (0.05, 0.6), 5: (0.05, 1.0)}
MAX_UNIT = 1000  # people under one level-2 leader before a department gets a second one
NARROWING = 0.75  # spans of managers above team leads, relative to an even tree
MENTOR_SHARE = 0.42  # of those who may have a mentor (levels 3-5): about 40% of everyone


@dataclass(frozen=True)
class DemoOrganization:
    organization: Document
    departments: list[Document]
    positions: list[Document]
    employees: list[Document]
    personas: dict[str, str]  # {"employee": id, "manager": id, "hr_admin": id}


@dataclass(frozen=True)
class _Node:
    level: int
    parent: int | None
    top: str  # top-level department, for the title ladder
    department: str


def levels(employees: list[Document]) -> dict[str, int]:
    """Management level by employee id: 1 for the root, one more for each manager above."""
    return {doc["_id"]: len(doc["managerChain"]) + 1 for doc in employees}


def _split(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def _apportion(total: int, weights: list[int]) -> list[int]:
    quotas = [total * w / sum(weights) for w in weights]
    shares = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (shares[i] - quotas[i], i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def _span(total: int, depth: int) -> float:
    """The span s with s + s**2 + ... + s**depth == total."""
    low, high = 1.0, float(total)
    for _ in range(40):
        mid = (low + high) / 2
        if sum(mid**i for i in range(1, depth + 1)) < total:
            low = mid
        else:
            high = mid
    return low


def _shape(count: int) -> list[_Node]:
    """The reporting tree, depth first: every leaf sits at level 5."""
    nodes = [_Node(1, None, "Executive", "Executive")]
    teams = itertools.cycle(ENGINEERING_TEAMS)

    def grow(parent: int, level: int, size: int, top: str, department: str) -> None:
        if level == 3 and top == "Engineering":
            department = next(teams)
        nodes.append(_Node(level, parent, top, department))
        index, below, depth = len(nodes) - 1, size - 1, 5 - level
        if below == 0:
            return
        if depth == 1:
            span = below
        else:  # a little narrower above so teams widen towards the bottom, but at most 10 below anyone
            span = max(round(_span(below, depth) * NARROWING), math.ceil(below / ((10**depth - 1) // 9)))
            span = max(1, min(span, below // depth))
        for child_size in _split(below, span):
            grow(index, level + 1, child_size, top, department)

    staffed = STAFFING[: min(len(STAFFING), (count - 1) // 4)]
    extras = _apportion(count - 1 - 4 * len(staffed), [weight for _, weight in staffed])
    for (name, _), extra in zip(staffed, extras, strict=True):
        size = 4 + extra
        for unit in _split(size, max(1, min(size // 4, math.ceil(size / MAX_UNIT)))):
            grow(0, 2, unit, name, name)
    return nodes


def _at(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=UTC)


def _title(node: _Node, hired: date, today: date) -> str:
    if node.level == 1:
        return "Chief Executive Officer"
    if node.level == 5 and node.department == "Data":
        return "Data Analyst"
    if node.level == 5 and node.top == "Engineering" and (today - hired).days >= 3 * 365:
        return "Senior Software Engineer"
    return LADDERS[node.top][node.level - 2]


def build_organization(name: str = "Northwind Labs", slug: str = "northwind", employee_count: int = 200,
                       seed: int = 42, today: date = date(2026, 11, 1)) -> DemoOrganization:
    """Build one organisation of ``employee_count`` (at least 12) people over five levels."""
    if employee_count < 12:
        raise ValueError("a demo organisation needs at least 12 employees")
    rng = random.Random(seed)
    org_id = stable_id(f"{slug}:organization:0")
    dept_ids = {dept: stable_id(f"{slug}:department:{i}") for i, (dept, _) in enumerate(DEPARTMENTS)}
    pos_ids = {p[0]: stable_id(f"{slug}:position:{i}") for i, p in enumerate(POSITIONS)}
    nodes = _shape(employee_count)
    count = len(nodes)
    chains: list[list[int]] = []
    for node in nodes:
        chains.append([] if node.parent is None else [*chains[node.parent], node.parent])

    # Hire dates: the founder about ten years ago, everyone else after their manager.
    end = today - timedelta(days=14)
    hires: list[date] = []
    for node in nodes:
        if node.parent is None:
            hires.append(today - timedelta(days=3652 - rng.randint(0, 30)))
            continue
        start = hires[node.parent]
        low, high = HIRE_WINDOWS[node.level]
        hires.append(start + timedelta(days=max(1, int((end - start).days * rng.uniform(low, high)))))

    names: list[str] = []
    emails: list[str] = []
    suffixes: Counter[str] = Counter()
    for _ in nodes:
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        base = f"{first}.{last}".lower()
        suffixes[base] += 1
        local = base if suffixes[base] == 1 else f"{base}{suffixes[base]}"
        names.append(f"{first} {last}")
        emails.append(normalize_email(f"{local}@{slug}.example"))

    # Statuses: a few people on leave below the VPs, a few individual contributors gone.
    status = [EmployeeStatus.ACTIVE] * count
    extra_entries: dict[int, dict] = {}
    for i in sorted(rng.sample([i for i, n in enumerate(nodes) if n.level >= 3], round(count * 0.03))):
        status[i] = EmployeeStatus.ON_LEAVE
        days = rng.randint(1, min(120, (today - hires[i]).days - 1))
        extra_entries[i] = status_entry(EmployeeStatus.ON_LEAVE, _at(today - timedelta(days=days)),
                                        _id_of(slug, nodes[i].parent), rng.choice(LEAVE_NOTES))
    remaining = Counter(n.parent for n in nodes if n.level == 5)
    leavers = [i for i, n in enumerate(nodes) if n.level == 5 and status[i] is EmployeeStatus.ACTIVE]
    rng.shuffle(leavers)
    wanted = round(count * 0.02)
    for i in leavers:
        if wanted == 0:
            break
        if remaining[nodes[i].parent] > 1:  # every team lead keeps someone on the team
            remaining[nodes[i].parent] -= 1
            wanted -= 1
            status[i] = EmployeeStatus.TERMINATED
            days = rng.randint(1, min(730, (today - hires[i]).days - 1))
            extra_entries[i] = status_entry(EmployeeStatus.TERMINATED, _at(today - timedelta(days=days)),
                                            _id_of(slug, nodes[i].parent), rng.choice(EXIT_NOTES))

    # Mentors: a more senior, active colleague outside one's own management chain.
    seniors = [i for i, n in enumerate(nodes) if 2 <= n.level <= 4 and status[i] is EmployeeStatus.ACTIVE]
    seniors_by_top: dict[str, list[int]] = {}
    for i in seniors:
        seniors_by_top.setdefault(nodes[i].top, []).append(i)

    def pick_mentor(i: int) -> int | None:
        level, chain = nodes[i].level, set(chains[i])
        for pool in (seniors_by_top.get(nodes[i].top, []), seniors):
            fits = [j for j in pool if nodes[j].level < level and j not in chain]
            if fits:
                return rng.choice(fits)
        return None

    mentors: list[int | None] = [None] * count
    for i, node in enumerate(nodes):
        if node.level >= 3 and status[i] is not EmployeeStatus.TERMINATED and rng.random() < MENTOR_SHARE:
            mentors[i] = pick_mentor(i)
    ics = [i for i, n in enumerate(nodes) if n.level == 5 and status[i] is EmployeeStatus.ACTIVE]
    persona = next((i for i in ics if mentors[i] is not None), ics[0])
    if mentors[persona] is None:
        mentors[persona] = pick_mentor(persona)

    # Department heads: the most senior person in each department.
    heads: dict[str, int] = {}
    for i, node in enumerate(nodes):
        if status[i] is EmployeeStatus.TERMINATED:
            continue
        best = heads.get(node.department)
        if best is None or (node.level, hires[i]) < (nodes[best].level, hires[best]):
            heads[node.department] = i
    people_head = heads["People"]
    partners = [i for i, n in enumerate(nodes) if n.top == "People" and n.level == 4]
    partner = next((i for i in partners if status[i] is EmployeeStatus.ACTIVE), partners[0])
    managers = {n.parent for n in nodes if n.parent is not None}
    hr_admins = {people_head, partner}

    employees: list[Document] = []
    for i, node in enumerate(nodes):
        created = _at(hires[i])
        history = [status_entry(EmployeeStatus.ACTIVE, created, None)]
        if i in extra_entries:
            history.append(extra_entries[i])
        roles = [Role.EMPLOYEE.value]
        if i in managers:
            roles.append(Role.MANAGER.value)
        if i in hr_admins:
            roles.append(Role.HR_ADMIN.value)
        manager = None if node.parent is None else employees[node.parent]
        employees.append({
            "_id": _id_of(slug, i), "organizationId": org_id, "name": names[i], "email": emails[i],
            "positionId": pos_ids[_title(node, hires[i], today)], "departmentId": dept_ids[node.department],
            "managerId": None if manager is None else manager["_id"], "managerChain": chain_of(manager),
            "mentorId": _id_of(slug, mentors[i]), "hireDate": hires[i].isoformat(),
            "status": status[i].value, "statusHistory": history, "roles": roles,
            "createdAt": created, "updatedAt": history[-1]["at"],
        })

    departments = [{
        "_id": dept_ids[dept], "organizationId": org_id, "name": dept,
        "parentId": None if parent is None else dept_ids[parent],
        "headId": _id_of(slug, heads.get(dept)), "cadence": "weekly",
    } for dept, parent in DEPARTMENTS]
    positions = [{
        "_id": pos_ids[title], "organizationId": org_id, "title": title, "description": description,
        "responsibilities": list(duties), "level": grade, "departmentId": dept_ids[dept],
    } for title, grade, dept, description, duties in POSITIONS]

    manager_persona = chains[persona][2]
    if status[manager_persona] is not EmployeeStatus.ACTIVE:
        manager_persona = next(i for i, n in enumerate(nodes)
                               if n.level == 3 and status[i] is EmployeeStatus.ACTIVE)
    organization = {"_id": org_id, "name": name, "slug": slug, "version": 0, "createdAt": _at(hires[0])}
    personas = {"employee": _id_of(slug, persona), "manager": _id_of(slug, manager_persona),
                "hr_admin": _id_of(slug, people_head)}
    return DemoOrganization(organization, departments, positions, employees, personas)


def _id_of(slug: str, index: int | None) -> str | None:
    return None if index is None else stable_id(f"{slug}:employee:{index}")
