"""Global object identification: every object type with an id implements ``Node``; ``node(id:)`` and
``nodes(ids:)`` find any seeded object by its id alone, with exactly the visibility of the type's own
root field, and ids are unique across types."""

from __future__ import annotations

from collections import Counter
from typing import Any

from graphql import GraphQLNonNull, GraphQLObjectType, get_named_type

from models.core.ids import KEY_SEPARATOR, TREE_SEPARATOR
from models.demo.growth import demo_growth
from models.reviews.rules import goals_of_period
from resolvers.core.nodes import MAX_NODES
from schema.nodes import KINDS
from schema.schema import build_schema
from store.core.nodes import lookups, values_at
from tests.checkins.support import upcoming
from tests.conftest import RunningServer
from tests.exits.support import active_individual_contributors, save_reason, save_template, terminate
from tests.goals.support import goals_of
from tests.integrations.support import create_token
from tests.integrations.test_xapi import ACTIVITY, MAP, send, statement
from tests.notifications.support import create_person, receiver, save_endpoint, webhook_server, worker
from tests.pilots.support import SAVE_SURVEY, SEND, start
from tests.stores import GLOBEX, NORTHWIND

SCHEMA = build_schema()._schema
SAMPLE = 12  # seeded objects asked per type
SIGN_IN = 1  # the store call reading the signed-in employee again
NODES = "query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }"
LINK = "mutation($id: ID!, $goal: ID!) { linkCheckInGoal(checkInId: $id, goalId: $goal) { errors { code } } }"
RECORD = """mutation($id: ID!, $kr: ID!, $value: Float!) {
  recordCheckInProgress(checkInId: $id, keyResultId: $kr, value: $value) { errors { code } } }"""
VIEWERS = ("employee", "manager", "hr_admin")
# The finds locating ids, by collection, whatever the ids and however many: one on _id in each collection holding
# objects with ids (a growth plan holds development actions only), one more per nested path of ids of their own
# (goals: key results, progress entries; check-ins: talking points, progress updates; templates: questions)
NESTED = Counter({"goals": 2, "checkIns": 2, "checkInTemplates": 1, "growthPlans": 1})
LOCATING = Counter(dict.fromkeys({kind.place.collection for kind in KINDS} - {"growthPlans"}, 1)) + NESTED


def types_with_ids() -> dict[str, GraphQLObjectType]:
    return {name: kind for name, kind in SCHEMA.type_map.items()
            if isinstance(kind, GraphQLObjectType) and not name.startswith("__") and "id" in kind.fields}


def by_id_root_fields() -> dict[str, str]:
    """type name → the root field reading one by ``id`` alone (``goal(id:)``)."""
    fields = {}
    for name, field in SCHEMA.query_type.fields.items():
        if set(field.args) == {"id"} and name not in ("node",):
            fields[get_named_type(field.type).name] = name
    return fields


async def view_ids(server: RunningServer, tag: str, org_id: str) -> list[str]:
    """The ids of a view kind in one organisation: every live goal as the tree below itself and below its parent
    shows it; every goal of a form's reviewee in its cycle's period as that form shows it."""
    scope = {"organizationId": org_id}
    goals = await server.database.goals.find({**scope, "archived": {"$ne": True}}).to_list(None)
    if tag == "GoalTreeNode":
        return [f"{root}{TREE_SEPARATOR}{g['_id']}" for g in goals
                for root in (g["_id"], g.get("parentId")) if root is not None]
    assert tag == "ReviewGoal", tag
    cycles = {c["_id"]: c for c in await server.database.reviewCycles.find(scope).to_list(None)}
    forms = await server.database.reviewForms.find(scope).to_list(None)
    return [f"{form['_id']}{KEY_SEPARATOR}{g['_id']}" for form in forms if form["cycleId"] in cycles
            for g in goals_of_period([g for g in goals if g.get("ownerEmployeeId") == form["revieweeId"]],
                                     cycles[form["cycleId"]]["periodStart"], cycles[form["cycleId"]]["periodEnd"])]


async def seeded_ids(server: RunningServer, org_id: str) -> dict[str, list[str]]:
    """Every kind's API ids in one organisation's seeded documents (nested, composite and view ones too)."""
    found: dict[str, list[str]] = {}
    for kind in KINDS:
        place = kind.place
        if place.view:
            found[place.tag] = await view_ids(server, place.tag, org_id)
            continue
        documents = await getattr(server.database, place.collection).find({"organizationId": org_id}).to_list(None)
        ids: list[str] = []
        for doc in documents:
            inner = [str(v) for v in values_at(doc, place.path.split("."))] if place.nested else [doc["_id"]]
            ids += [f"{doc['_id']}{KEY_SEPARATOR}{v}" for v in inner] if place.composite else inner
        found[place.tag] = ids
    return found


def test_every_type_with_an_id_implements_node() -> None:
    # given the built schema
    node = SCHEMA.type_map["Node"]
    # then every object type with an id implements Node, with an ID!, without an exception
    implementing = {name for name, kind in types_with_ids().items() if node in kind.interfaces}
    assert set(types_with_ids()) - implementing == set()
    assert [name for name, t in types_with_ids().items() if not isinstance(t.fields["id"].type, GraphQLNonNull)
            or get_named_type(t.fields["id"].type).name != "ID"] == []
    # and node(id:) reads every one of them
    assert {kind.place.tag for kind in KINDS} == implementing


async def test_ids_are_unique_across_types_in_the_seeded_demo(server: RunningServer) -> None:
    # given every id of every kind seeded in both organisations
    for demo in (NORTHWIND, GLOBEX):
        ids = await seeded_ids(server, demo.organization["_id"])
        # then no id is held by two kinds, nor twice by one
        counted = Counter(id for kind_ids in ids.values() for id in kind_ids)
        assert [id for id, n in counted.items() if n > 1] == []
    # and the two organisations share no id
    northwind, globex = [await seeded_ids(server, d.organization["_id"]) for d in (NORTHWIND, GLOBEX)]
    assert not {i for v in northwind.values() for i in v} & {i for v in globex.values() for i in v}


async def answers_as_root_fields_do(server: RunningServer, ids: dict[str, list[str]]) -> Counter[str]:
    """For a sample of each kind's ``ids``: as each viewer, ``nodes`` answers each object as itself or null,
    visible exactly when the type's root field shows it, and null for another organisation's HR admin;
    how many each kind showed to someone. The samples of all kinds are asked together, as many per request
    as ``nodes`` takes (finding types reads every collection, whatever the ids: see store/core/nodes.py)."""
    roots = by_id_root_fields()
    samples = {tag: kind_ids[:SAMPLE] for tag, kind_ids in sorted(ids.items()) if kind_ids}
    asked = [(tag, id) for tag, sample in samples.items() for id in sample]
    seen: Counter[str] = Counter()
    for who in (*VIEWERS, None):
        client = server.client(who) if who else server.client("hr_admin", GLOBEX)
        answered: list[Any] = []
        for first in range(0, len(asked), MAX_NODES):
            chunk = [id for _, id in asked[first:first + MAX_NODES]]
            body = await client.execute(NODES, {"ids": chunk})
            assert "errors" not in body, body
            answered += body["data"]["nodes"]
        assert len(answered) == len(asked)
        if who is None:  # another organisation's HR admin finds none of them
            assert answered == [None] * len(asked)
            continue
        assert all(a is None or a == {"__typename": tag, "id": i}
                   for a, (tag, i) in zip(answered, asked, strict=True)), who
        got = {(tag, id): a for a, (tag, id) in zip(answered, asked, strict=True)}
        for tag, sample in samples.items():
            seen[tag] += sum(got[(tag, id)] is not None for id in sample)
            if tag in roots:  # each id asked of the root field too, all of a kind in one request (an alias each)
                variables = ", ".join(f"$id{i}: ID!" for i in range(len(sample)))
                fields = " ".join(f"a{i}: {roots[tag]}(id: $id{i}) {{ id }}" for i in range(len(sample)))
                body = await client.execute(f"query({variables}) {{ {fields} }}",
                                            {f"id{i}": id for i, id in enumerate(sample)})
                for i, id in enumerate(sample):
                    assert (body["data"][f"a{i}"] is not None) == (got[(tag, id)] is not None), (tag, who, id, body)
    return seen


async def test_node_answers_each_seeded_object_as_its_own_root_field_does(server: RunningServer) -> None:
    # given a sample of every kind's seeded objects of Northwind
    ids = await seeded_ids(server, NORTHWIND.organization["_id"])
    # when a peer, a manager, an HR admin and another organisation's HR admin ask for them by id alone
    seen = await answers_as_root_fields_do(server, ids)
    # then (checked there) each is its own object of its own type, or null exactly when its root field hides
    # it, and every seeded kind was found by someone, so the walk reached it
    assert {tag for tag, kind_ids in ids.items() if kind_ids} - set(seen) == set()


async def test_kinds_the_seed_lacks_are_found_once_made_through_the_api() -> None:
    async with webhook_server() as server, receiver() as hooks:
        # given one object of each kind the seed lacks, made through the API
        org = NORTHWIND.organization["_id"]
        before = await seeded_ids(server, org)
        await save_endpoint(server, hooks.url)
        await create_person(server)  # an audit entry, and an event for the endpoint
        await worker(server).run_once()  # its delivery
        await create_token(server)
        await learning_evidence(server)
        await save_reason(server, "moved", "PERSONAL")
        await save_template(server)
        await terminate(server, active_individual_contributors()[0]["_id"])  # an exit record
        await record_progress(server)
        await pilot_with_a_survey_round(server)
        after = await seeded_ids(server, org)
        made = {tag: [i for i in found if i not in set(before[tag])] for tag, found in after.items()}
        assert {tag for tag, found in before.items() if not found} - {tag for tag, found in made.items() if found} \
            == {"Notification"}
        # when they are asked for by id alone, then each answers as its root field does, and someone finds each
        seen = await answers_as_root_fields_do(server, {tag: found for tag, found in made.items() if found})
        assert {tag for tag, found in made.items() if found} - set(seen) == set()


async def learning_evidence(server: RunningServer) -> None:
    """The employee persona passed a mapped course, as the learning system reports it over xAPI."""
    _, secret = await create_token(server, "XAPI")
    competency = (await server.client("employee").data("{ competencies { id } }"))["competencies"][0]["id"]
    await server.client("hr_admin").data(MAP, {"a": ACTIVITY, "c": competency, "l": 3})
    learner = next(e for e in NORTHWIND.employees if e["_id"] == NORTHWIND.personas["employee"])
    sent = statement(learner["email"])
    assert await send(server, secret, [sent]) == (200, [sent["id"]])


async def pilot_with_a_survey_round(server: RunningServer) -> None:
    """A pilot, a process survey about it and the survey's first round (its questions with them)."""
    admin = server.client("hr_admin")
    pilot = await start(server)
    saved = await admin.data(SAVE_SURVEY, {"input": {"title": "The rhythm", "pilotId": pilot["id"],
                                                     "questions": ["Is the cadence right for your work?"]}})
    sent = await admin.data(SEND, {"id": saved["saveProcessSurvey"]["survey"]["id"], "opens": "2099-02-01",
                                   "closes": "2099-02-10"})
    assert saved["saveProcessSurvey"]["errors"] == [] and sent["sendProcessSurvey"]["errors"] == []


async def record_progress(server: RunningServer) -> None:
    """Progress recorded in the employee persona's upcoming check-in, on a goal everyone sees."""
    employee = NORTHWIND.personas["employee"]
    manager = next(e for e in NORTHWIND.employees if e["_id"] == employee)["managerId"]
    check_in = upcoming(employee)
    goal = next(g for g in goals_of(employee) if g["visibility"] == "everyone" and not g.get("archived")
                and any(kr["metricKind"] == "number" for kr in g["keyResults"]))
    key_result = next(kr for kr in goal["keyResults"] if kr["metricKind"] == "number")
    lead = server.client(manager)
    linked = await lead.data(LINK, {"id": check_in["_id"], "goal": goal["_id"]})
    recorded = await lead.data(RECORD, {"id": check_in["_id"], "kr": key_result["_id"],
                                        "value": key_result["currentValue"] + 1})
    assert linked["linkCheckInGoal"]["errors"] == [] and recorded["recordCheckInProgress"]["errors"] == []


async def test_a_hidden_id_answers_like_an_unknown_one(server: RunningServer) -> None:
    # given a goal a peer may not see (private to its owner) and an id nobody has
    goals = await server.database.goals.find({"organizationId": NORTHWIND.organization["_id"],
                                               "visibility": "private"}).to_list(None)
    employee = NORTHWIND.personas["employee"]
    hidden, owner = next((g["_id"], g["ownerEmployeeId"]) for g in goals
                         if g.get("ownerEmployeeId") not in (None, employee))
    client = server.client("employee")
    # when the peer asks for both
    answers = [await client.execute("query($id: ID!) { node(id: $id) { id } }", {"id": i})
               for i in (hidden, "0" * 24)]
    # then both answers are the same null, without an error
    assert [a["data"] for a in answers] == [{"node": None}, {"node": None}]
    assert ["errors" in a for a in answers] == [False, False]
    # while its owner finds it
    mine = await server.client(owner).data("query($id: ID!) { node(id: $id) { id } }", {"id": hidden})
    assert mine == {"node": {"id": hidden}}


async def test_nodes_refuses_more_ids_than_its_bound_and_needs_a_sign_in(server: RunningServer) -> None:
    # when 101 ids are asked for, and when nobody is signed in
    many = await server.client("hr_admin").execute(NODES, {"ids": ["x"] * 101})
    anonymous = await server.client().execute(NODES, {"ids": ["x"]})
    # then the field alone is refused with BAD_USER_INPUT, and the anonymous request is UNAUTHENTICATED
    assert many["data"] == {"nodes": None}
    assert [e["extensions"]["code"] for e in many["errors"]] == ["BAD_USER_INPUT"]
    assert [e["extensions"]["code"] for e in anonymous["errors"]] == ["UNAUTHENTICATED"]


async def test_finding_the_types_of_ids_costs_the_same_finds_for_one_id_and_a_hundred(server: RunningServer) -> None:
    # given one id of no type, a hundred of them, and two people, two departments and three career tracks (a list)
    people = [e["_id"] for e in NORTHWIND.employees[:2]]
    departments = [d["_id"] for d in NORTHWIND.departments[:2]]
    tracks = [t["_id"] for t in demo_growth(NORTHWIND)["careerTracks"][:3]]
    client = server.client("hr_admin")
    calls: dict[str, Counter[str]] = {}
    answers: dict[str, Any] = {}
    # when each set is asked for at once
    for name, ids in (("one", ["0" * 24]), ("hundred", [f"{n:024x}" for n in range(MAX_NODES)]),
                      ("known", [*people, *departments, *tracks])):
        server.database.stats.reset()
        answers[name] = await client.data(NODES, {"ids": ids})
        calls[name] = Counter(server.database.stats.by_collection)
    # then finding the types costs the same finds for one id and for a hundred, one per collection and nested path
    assert sum(LOCATING.values()) == 45
    assert answers["one"] == {"nodes": [None]} and answers["hundred"] == {"nodes": [None] * MAX_NODES}
    assert calls["one"] == calls["hundred"] == LOCATING + Counter({"employees": SIGN_IN})
    # and the objects found are read in one batch per type (the tracks' list once), beside the sign-in
    assert [n["__typename"] for n in answers["known"]["nodes"]] == ["Employee"] * 2 + ["Department"] * 2 \
        + ["CareerTrack"] * 3
    assert calls["known"] == LOCATING + Counter({"employees": SIGN_IN + 1, "departments": 1, "careerTracks": 1})


async def test_each_find_of_a_nested_id_is_answered_from_an_index(server: RunningServer) -> None:
    # given a seeded id of each kind kept inside another document with an id of its own (a key result, a progress
    # entry, a talking point, a check-in template's question, a development action; no progress update is seeded)
    org = NORTHWIND.organization["_id"]
    seeded = await seeded_ids(server, org)
    asked = [seeded[tag][0] for tag in ("KeyResult", "ProgressEntry", "TalkingPoint", "CheckInTemplateQuestion",
                                        "DevelopmentAction")]
    assert seeded["CheckInProgressUpdate"] == []
    nested = [lookup for lookup in lookups(asked, [kind.place for kind in KINDS]) if "_id" not in lookup.filter]
    raw = server.database.client[server.database.name]
    # when the server explains each of their finds, scoped to the organisation as a TenantCollection scopes it
    plans = [await raw[lookup.collection].find({**lookup.filter, "organizationId": org}, lookup.projection).explain()
             for lookup in nested]
    # then there is one per nested path, each an index scan on the organisation and that path, examining only the
    # document holding the id (none for progress updates)
    assert Counter(lookup.collection for lookup in nested) == NESTED
    assert [(p["queryPlanner"]["winningPlan"]["inputStage"]["inputStage"]["stage"],
             p["queryPlanner"]["winningPlan"]["inputStage"]["inputStage"]["keyPattern"]) for p in plans] == [
        ("IXSCAN", {"organizationId": 1, next(iter(lookup.filter)): 1}) for lookup in nested]
    examined = {next(iter(lookup.filter)): p["executionStats"]["totalDocsExamined"] for lookup, p in zip(
        nested, plans, strict=True)}
    assert examined == {"keyResults._id": 1, "progressHistory._id": 1, "talkingPoints._id": 1,
                        "progressUpdates._id": 0, "questions._id": 1, "actions._id": 1}
