"""The goal rules of models/goals/permissions.py as tables: (viewer, goal or owner, expected decision).

Built from small in-memory documents, no server: one organisation where the skip-level manager
``skip`` manages ``boss``, who manages ``owner`` and ``peer``; ``hr`` is an HR admin outside that chain;
``outsider`` and ``outsider_hr`` belong to another organisation. ``owner`` also heads the department
``team``; the department ``vacant`` has no head.
"""

from __future__ import annotations

import uuid

import pytest
from pymongo import AsyncMongoClient

from models.core.viewer import Viewer
from models.goals.permissions import (
    can_edit_goal,
    can_see_goal,
    may_own_goal,
    may_set_private,
    reader_class,
    seen_alike_by_chain,
    visible_goals_query,
)
from tests.cast import ORG, Document, cast, cells, viewer_in
from tests.stores import store_url

_CAST = cast("owner", "boss")
PEOPLE: dict[str, Document] = {name: _CAST[name] for name in ("skip", "boss", "owner", "peer", "hr", "outsider",
                                                              "outsider_hr")}
DEPARTMENTS: list[Document] = [{"_id": "team", "organizationId": ORG, "headId": "owner"},
                               {"_id": "vacant", "organizationId": ORG, "headId": None}]
VIEWERS = tuple(PEOPLE)
SAME_ORGANISATION = ("skip", "boss", "owner", "peer", "hr")


def viewer(name: str) -> Viewer:
    return viewer_in(PEOPLE, name, managers=("boss", "skip"))


def goal(visibility: str, *, level: str = "individual", owner: str | None = "owner",
         department: str | None = None) -> Document:
    """A goal of ``ORG``; a department goal names its department and no owning person."""
    return {"_id": f"{level}-{visibility}-{owner}-{department}", "organizationId": ORG, "level": level,
            "visibility": visibility, "ownerEmployeeId": None if department else owner,
            "ownerDepartmentId": department}


def owner_of(doc: Document) -> Document | None:
    """The person behind a goal: its employee, or its department's head (None without one)."""
    if doc["ownerEmployeeId"]:
        return PEOPLE[doc["ownerEmployeeId"]]
    head = next(d["headId"] for d in DEPARTMENTS if d["_id"] == doc["ownerDepartmentId"])
    return PEOPLE[head] if head else None


GOALS: dict[str, Document] = {
    "everyone": goal("everyone"),
    "management_chain": goal("management_chain"),
    "private": goal("private"),
    "team everyone": goal("everyone", level="department", department="team"),
    "team management_chain": goal("management_chain", level="department", department="team"),
    "team private": goal("private", level="department", department="team"),
    "vacant everyone": goal("everyone", level="department", department="vacant"),
    "vacant management_chain": goal("management_chain", level="department", department="vacant"),
    "company everyone": goal("everyone", level="company", owner="skip"),
    "company private": goal("private", level="company", owner="skip"),
}

#                                  skip   boss   owner  peer   hr     outsider outsider_hr
SEE: dict[str, tuple[bool, ...]] = {
    "everyone":                   (True,  True,  True,  True,  True,  False,   False),
    "management_chain":           (True,  True,  True,  False, True,  False,   False),
    "private":                    (False, False, True,  False, True,  False,   False),
    "team everyone":              (True,  True,  True,  True,  True,  False,   False),
    "team management_chain":      (True,  True,  True,  False, True,  False,   False),
    "team private":               (False, False, True,  False, True,  False,   False),
    "vacant everyone":            (True,  True,  True,  True,  True,  False,   False),
    "vacant management_chain":    (False, False, False, False, True,  False,   False),
    "company everyone":           (True,  True,  True,  True,  True,  False,   False),
    "company private":            (True,  False, False, False, True,  False,   False),
}
# Editing needs seeing, then: the owner and their managers; HR admins every goal; company goals HR only.
EDIT: dict[str, tuple[bool, ...]] = {
    "everyone":                   (True,  True,  True,  False, True,  False,   False),
    "management_chain":           (True,  True,  True,  False, True,  False,   False),
    "private":                    (False, False, True,  False, True,  False,   False),
    "team everyone":              (True,  True,  True,  False, True,  False,   False),
    "team management_chain":      (True,  True,  True,  False, True,  False,   False),
    "team private":               (False, False, True,  False, True,  False,   False),
    "vacant everyone":            (False, False, False, False, True,  False,   False),
    "vacant management_chain":    (False, False, False, False, True,  False,   False),
    "company everyone":           (False, False, False, False, True,  False,   False),
    "company private":            (False, False, False, False, True,  False,   False),
}
# may_own_goal(viewer, level, owner): (level, owner) → decision. It does not compare organisations: the
# owner is always read from the viewer's own organisation, and can_edit_goal adds can_see_goal's check.
OWN: dict[str, tuple[bool, ...]] = {
    "individual owner":           (True,  True,  True,  False, True,  False,   True),
    "individual boss":            (True,  True,  False, False, True,  False,   True),
    "department owner":           (True,  True,  True,  False, True,  False,   True),
    "department none":            (False, False, False, False, True,  False,   True),
    "company skip":               (False, False, False, False, True,  False,   True),
    "company none":               (False, False, False, False, True,  False,   True),
    "individual outsider":        (False, False, False, False, True,  True,    True),
}
# may_set_private(viewer, owner): only the owner themselves and HR admins (who are not compared by
# organisation either: the owner comes from their own organisation).
PRIVATE: dict[str, tuple[bool, ...]] = {
    "owner":                      (False, False, True,  False, True,  False,   True),
    "boss":                       (False, True,  False, False, True,  False,   True),
    "none":                       (False, False, False, False, True,  False,   True),
    "outsider":                   (False, False, False, False, True,  True,    True),
}


# reader_class: how each viewer stands to a goal, for sharing one execution of goalProgressChanged ("-": none)
#                                  skip     boss     owner    peer     hr    outsider outsider_hr
READER: dict[str, tuple[str, ...]] = {
    "everyone":                   ("chain", "chain", "owner", "-",     "hr", "-",     "-"),
    "management_chain":           ("chain", "chain", "owner", "-",     "hr", "-",     "-"),
    "private":                    ("-",     "-",     "owner", "-",     "hr", "-",     "-"),
    "team management_chain":      ("chain", "chain", "owner", "-",     "hr", "-",     "-"),
    "vacant management_chain":    ("-",     "-",     "-",     "-",     "hr", "-",     "-"),
    "company everyone":           ("owner", "-",     "-",     "-",     "hr", "-",     "-"),
}


@pytest.mark.parametrize(("kind", "name", "expected"), cells(READER, VIEWERS))
def test_reader_class(kind: str, name: str, expected: str) -> None:
    # given a goal and a viewer
    doc = GOALS[kind]
    # when asked how the viewer stands to it
    decision = reader_class(viewer(name), doc, owner_of(doc))
    # then it is the table's class, and only ever one of a viewer who sees the goal
    assert (decision or "-") == expected
    assert decision is None or can_see_goal(viewer(name), doc, owner_of(doc))


CHAIN = ("boss", "skip")  # everyone above "owner"
ROLLED_UP = [goal(visibility, owner=person) for visibility in ("everyone", "management_chain", "private")
             for person in ("owner", "boss", "skip", "peer", "hr")] + [GOALS["vacant management_chain"]]


@pytest.mark.parametrize("child", ROLLED_UP, ids=lambda g: g["_id"])
def test_seen_alike_by_chain_is_every_manager_above_the_owner_seeing_it_alike(child: Document) -> None:
    # given a goal of "owner" that rolls up one goal
    # when asked whether everyone above the owner sees that goal alike
    decision = seen_alike_by_chain(PEOPLE["owner"], [(child, owner_of(child))])
    # then it is exactly whether can_see_goal answers the same for each of them
    assert decision is (len({can_see_goal(viewer(name), child, owner_of(child)) for name in CHAIN}) == 1)


def test_seen_alike_by_chain_needs_every_goal_below_alike_and_someone_above() -> None:
    alike, apart = goal("management_chain", owner="peer"), goal("private", owner="boss")
    # given goals below that all of the chain see alike, and one that only some of them see
    # then the chain sees the progress alike only without the latter
    assert seen_alike_by_chain(PEOPLE["owner"], [(alike, PEOPLE["peer"]), (GOALS["private"], PEOPLE["owner"])])
    assert not seen_alike_by_chain(PEOPLE["owner"], [(alike, PEOPLE["peer"]), (apart, PEOPLE["boss"])])
    # and someone with nobody above has no chain to share with
    assert not seen_alike_by_chain(PEOPLE["skip"], [])
    assert not seen_alike_by_chain(None, [])


@pytest.mark.parametrize(("kind", "name", "expected"), cells(SEE, VIEWERS))
def test_can_see_goal(kind: str, name: str, expected: bool) -> None:
    # given a goal of one visibility and owner, and one kind of viewer
    doc = GOALS[kind]
    # when the rule is asked
    decision = can_see_goal(viewer(name), doc, owner_of(doc))
    # then it answers exactly as the table says
    assert decision is expected


@pytest.mark.parametrize(("kind", "name", "expected"), cells(EDIT, VIEWERS))
def test_can_edit_goal(kind: str, name: str, expected: bool) -> None:
    # given a goal and a viewer
    doc = GOALS[kind]
    # when the rule is asked
    decision = can_edit_goal(viewer(name), doc, owner_of(doc))
    # then it answers as the table says, and never allows what the viewer may not see
    assert decision is expected
    assert not decision or can_see_goal(viewer(name), doc, owner_of(doc))


@pytest.mark.parametrize(("case", "name", "expected"), cells(OWN, VIEWERS))
def test_may_own_goal(case: str, name: str, expected: bool) -> None:
    # given a level and the person who would own a goal of it (none: a department without a head)
    level, owner = case.split()
    # when the viewer asks to create (or edit) such a goal
    decision = may_own_goal(viewer(name), level, None if owner == "none" else PEOPLE[owner])
    # then the rule answers as the table says
    assert decision is expected


@pytest.mark.parametrize(("owner", "name", "expected"), cells(PRIVATE, VIEWERS))
def test_may_set_private(owner: str, name: str, expected: bool) -> None:
    # given the person behind a goal (none: a department without a head)
    person_behind = None if owner == "none" else PEOPLE[owner]
    # when the viewer asks to make the goal private
    decision = may_set_private(viewer(name), person_behind)
    # then only the owner and HR admins may
    assert decision is expected


@pytest.mark.parametrize("name", SAME_ORGANISATION)
async def test_visible_goals_query_matches_can_see_goal(name: str) -> None:
    # given a viewer of the organisation, everyone below them and the departments with their heads
    who = viewer(name)
    below = [p["_id"] for p in PEOPLE.values() if who.employee_id in p["managerChain"]]
    # when the rule is turned into a filter (the tenant store adds the organisation itself)
    query = visible_goals_query(who, below, DEPARTMENTS)
    # then the filter, run by the store on the table's goals, keeps exactly those the viewer may see
    client: AsyncMongoClient = AsyncMongoClient(store_url())
    name_of_db = f"goals_rule_{uuid.uuid4().hex[:8]}"
    try:
        collection = client[name_of_db]["goals"]
        await collection.insert_many([{**doc, "kind": kind} for kind, doc in GOALS.items()])
        kept = {doc["kind"] for doc in await collection.find(query).to_list(None)}
    finally:
        await client.drop_database(name_of_db)
        await client.close()
    assert kept == {kind for kind, row in SEE.items() if row[VIEWERS.index(name)]}


def test_visible_goals_query_is_no_condition_for_hr_admins() -> None:
    # given an HR admin
    # when their visibility rule is turned into a filter
    query = visible_goals_query(viewer("hr"), [], DEPARTMENTS)
    # then it is empty: HR admins see every goal of their organisation
    assert query == {}


def test_visible_goals_query_without_reports_or_departments() -> None:
    # given a viewer who manages nobody and heads no department
    # when their visibility rule is turned into a filter
    query = visible_goals_query(viewer("peer"), [], [])
    # then it keeps only goals shared with everyone and their own
    assert query == {"$or": [{"visibility": "everyone"}, {"ownerEmployeeId": "peer"}]}
