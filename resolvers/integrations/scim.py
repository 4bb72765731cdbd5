"""SCIM 2.0 service provider (RFC 7644) over the org chart: ``Users`` are people, ``Groups`` departments.

Every handler takes the request's :class:`Context` (built for an integration token, see
:mod:`resolvers.integrations.tokens`) and answers a :class:`Reply`. People are created, changed and
terminated only through the org domain (``resolvers.org.access.sync_person``: one transaction with the
person's SCIM identity, the org domain's checks, its events after the commit). ``active: false`` and
``DELETE`` start the leaving process (:mod:`resolvers.integrations.leaving`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scim2_models import (
    AuthenticationScheme,
    Bulk,
    ChangePassword,
    EnterpriseUser,
    ETag,
    Filter,
    Group,
    Patch,
    ResourceType,
    SchemaExtension,
    ScimFilter,
    ServiceProviderConfig,
    Sort,
    User,
)
from scim2_models import (
    Context as ScimContext,
)
from scim2_models.path.filter import Comparison, LogicalExpr, ValuePath

from models.core import clock
from models.core.documents import Document
from models.core.errors import ErrorCode
from models.integrations.scim import (
    ENTERPRISE_SCHEMA,
    FILTER_MAX,
    GROUP_SCHEMA,
    USER_SCHEMA,
    Desired,
    ScimRefusal,
    ScimUser,
    apply_patch,
    desired_of,
    dump,
    group_resource,
    parse_patch,
    parse_user,
    refusal_of,
    user_name_key,
    user_resource,
)
from models.org.rules import EmployeeStatus, normalize_email
from resolvers.core.context import Context
from resolvers.core.outcome import Outcome
from resolvers.integrations import leaving
from resolvers.org import access as org_access
from store.core.repository import Duplicate
from store.integrations import repository as scim_store

MAX_RESULTS = 200
DEFAULT_COUNT = 100
LIST_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:ListResponse"


@dataclass
class Reply:
    """What a SCIM handler answers: status, JSON body (``None``: no content) and extra headers."""

    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


def _refusal_of_outcome(outcome: Outcome) -> ScimRefusal:
    error = outcome.errors[0]
    if error.code == ErrorCode.DUPLICATE:
        return ScimRefusal(409, error.message, "uniqueness")
    if error.code == ErrorCode.FORBIDDEN:
        return ScimRefusal(403, error.message)
    where = {"managerId": "manager", "departmentId": "department", "id": "id"}.get(error.field or "", error.field)
    return ScimRefusal(400, f"{where}: {error.message}" if where else error.message, "invalidValue")


def _check_match(if_match: str | None, current_etag: str) -> None:
    if if_match and if_match.strip() != "*" and current_etag not in {t.strip() for t in if_match.split(",")}:
        raise ScimRefusal(412, "the resource has changed since it was read (If-Match)")


# ---------------------------------------------------------------- Users: reading


async def _render(context: Context, base: str, people: list[Document]) -> list[tuple[Document, ScimUser]]:
    """People as User resources, SCIM-deleted ones left out: three reads whatever their number
    (identities, departments, managers)."""
    store = context.store
    assert store is not None
    ids = [p["_id"] for p in people]
    known = await scim_store.identities(store, ids)
    departments = {d["_id"]: d["name"] for d in await org_access.departments(context)}
    manager_ids = sorted({p["managerId"] for p in people if p.get("managerId")})
    managers = {m["_id"]: m for m in await org_access.employees(context, manager_ids)}
    rendered = []
    for person in people:
        identity = known.get(person["_id"])
        if identity is not None and identity.get("deletedAt") is not None:
            continue
        resource = user_resource(person, identity, departments.get(person.get("departmentId") or ""),
                                 managers.get(person.get("managerId") or ""), base)
        rendered.append((person, resource))
    return rendered


async def _one(context: Context, base: str, id: str) -> tuple[Document, ScimUser, Document | None]:
    people = await org_access.people(context, ids=[id])
    rendered = await _render(context, base, people)
    if not rendered:
        raise ScimRefusal(404, f"no User {id!r}")
    person, resource = rendered[0]
    assert context.store is not None
    identity = (await scim_store.identities(context.store, [id])).get(id)
    return person, resource, identity


def _equalities(node: Any) -> list[tuple[str, Any]]:
    """The ``attr eq value`` terms a filter requires (at its top or under ``and``), to narrow the read."""
    if isinstance(node, LogicalExpr) and node.op.value == "and":
        return [term for child in node.terms for term in _equalities(child)]
    if isinstance(node, Comparison) and node.op.value == "eq" and node.attr_path.uri in (None, USER_SCHEMA):
        name = node.attr_path.attr + (f".{node.attr_path.sub_attr}" if node.attr_path.sub_attr else "")
        return [(name.lower(), node.value)]
    if isinstance(node, ValuePath) and node.attr_path.attr.lower() == "emails":
        return [("emails.value", value) for key, value in _equalities(node.val_filter) if key == "value"]
    return []


async def _candidates(context: Context, node: Any) -> list[Document]:
    """The people a filter can match: narrowed by one indexed equality when it has one, else everyone."""
    assert context.store is not None
    for name, value in _equalities(node):
        if not isinstance(value, str):
            continue
        if name == "id":
            return await org_access.people(context, ids=[value])
        if name == "username":
            key = user_name_key(value)
            ids = [d["_id"] for d in await scim_store.identities_where(context.store, user_name_key=key)]
            by_email = await org_access.people(context, emails=[value])
            return await org_access.people(context, ids=sorted({*ids, *(p["_id"] for p in by_email)}))
        if name == "externalid":
            ids = [d["_id"] for d in await scim_store.identities_where(context.store, external_id=value)]
            return await org_access.people(context, ids=ids)
        if name in {"emails.value", "emails"}:
            return await org_access.people(context, emails=[value])
    return await org_access.people(context)


def _page_bounds(start_index: str | None, count: str | None) -> tuple[int, int]:
    try:
        start = max(1, int(start_index)) if start_index else 1
        size = min(MAX_RESULTS, max(0, int(count))) if count else DEFAULT_COUNT
    except ValueError:
        raise ScimRefusal(400, "startIndex and count must be integers", "invalidValue") from None
    return start, size


def _list(resources: list[dict[str, Any]], total: int, start: int) -> dict[str, Any]:
    return {"schemas": [LIST_SCHEMA], "totalResults": total, "startIndex": start, "itemsPerPage": len(resources),
            "Resources": resources}


def _parse_filter(text: str, model: Any) -> Any:
    if len(text) > FILTER_MAX:  # refused before the parser reads it
        raise ScimRefusal(400, f"the filter is longer than {FILTER_MAX} characters", "invalidFilter")
    try:
        parsed = ScimFilter[model](text)
        parsed.ast  # noqa: B018 (parses now: a bad filter is refused before anything is read)
        return parsed
    except Exception as error:
        raise ScimRefusal(400, f"bad filter: {refusal_of(error).detail}", "invalidFilter") from None


def _excluded(params: Mapping[str, str]) -> set[str]:
    return {a.strip().lower() for a in (params.get("excludedAttributes") or "").split(",") if a.strip()}


async def list_users(context: Context, base: str, params: Mapping[str, str]) -> Reply:
    start, size = _page_bounds(params.get("startIndex"), params.get("count"))
    text = params.get("filter")
    if text:
        parsed = _parse_filter(text, ScimUser)
        rendered = await _render(context, base, await _candidates(context, parsed.ast))
        matched = [dump(resource) for _, resource in rendered if parsed.match(resource)]
        return Reply(200, _list(matched[start - 1:start - 1 + size], len(matched), start))
    assert context.store is not None
    deleted = await scim_store.deleted_identities(context.store)
    total = await org_access.count_people(context, excluded=deleted)
    people = await org_access.people(context, skip=start - 1, limit=size, excluded=deleted) if size else []
    return Reply(200, _list([dump(r) for _, r in await _render(context, base, people)], total, start))


async def get_user(context: Context, base: str, id: str, if_none_match: str | None) -> Reply:
    _, resource, _ = await _one(context, base, id)
    body = dump(resource)
    etag = body["meta"]["version"]
    if if_none_match and etag in {t.strip() for t in if_none_match.split(",")}:
        return Reply(304, None, {"ETag": etag})
    return Reply(200, body, {"ETag": etag})


# ---------------------------------------------------------------- Users: writing


async def _department_id(context: Context, name: str | None) -> str | None:
    if name is None:
        return None
    wanted = name.strip().lower()
    for department in await org_access.departments(context):
        if department["name"].strip().lower() == wanted:
            return department["_id"]
    raise ScimRefusal(400, f"department: no department named {name!r} (create it as a Group first)", "invalidValue")


def _identity_fields(desired: Desired) -> dict[str, Any]:
    return {"userName": desired.user_name, "userNameKey": user_name_key(desired.user_name),
            "externalId": desired.external_id, "employeeNumber": desired.employee_number,
            "givenName": desired.given_name, "familyName": desired.family_name, "deletedAt": None}


class Stale(Exception):
    """The person's SCIM identity changed between the read a PUT, PATCH or DELETE was computed from and its
    transaction (another SCIM write committed meanwhile)."""


_UNREAD = object()


def _stamp(identity: Document | None) -> Any:
    return identity.get("updatedAt") if identity else None


def _save_identity(context: Context, desired: Desired, seen: Any = _UNREAD) -> Any:
    """The write of the person's SCIM identity, run inside the org domain's transaction. Given the identity
    ``seen`` when the request was computed, it first checks, in the transaction, that it is still the one
    stored: every SCIM write rewrites the identity, so of two concurrent writes on one person the second
    either conflicts with the first (and, retried, sees it) or sees it at once, and raises :class:`Stale`."""
    async def within(person: Document) -> None:
        assert context.store is not None
        if seen is not _UNREAD and _stamp(await scim_store.identity(context.store, person["_id"])) != _stamp(seen):
            raise Stale
        try:
            await scim_store.save_identity(context.store, person["_id"], _identity_fields(desired), clock.now())
        except Duplicate:
            raise ScimRefusal(409, "another User has this userName or externalId", "uniqueness") from None
    return within


async def _reply_with(context: Context, base: str, id: str, status: int) -> Reply:
    _, resource, _ = await _one(context, base, id)
    body = dump(resource)
    headers = {"ETag": body["meta"]["version"]}
    if status == 201:
        headers["Location"] = body["meta"]["location"]
    return Reply(status, body, headers)


async def create_user(context: Context, base: str, payload: Any) -> Reply:
    desired = desired_of(parse_user(payload, ScimContext.RESOURCE_CREATION_REQUEST))
    department_id = await _department_id(context, desired.department)
    data = {"name": desired.name, "email": desired.email, "hire_date": clock.today()}
    outcome = await org_access.sync_person(context, None, data, manager_id=desired.manager_id,
                                           department_id=department_id, leave=not desired.active,
                                           within=_save_identity(context, desired))
    if not outcome.ok:
        raise _refusal_of_outcome(outcome)
    person = outcome.document or {}
    return await _reply_with(context, base, person["_id"], 201)


async def _apply(context: Context, person: Document, desired: Desired, department_id: str | None,
                 seen: Document | None) -> None:
    """Bring ``person`` to what ``desired`` asks for, in one transaction with their SCIM identity (as it
    was ``seen``, else :class:`Stale`)."""
    terminated = person.get("status") == EmployeeStatus.TERMINATED.value
    if terminated and desired.active:
        raise ScimRefusal(400, "active: this person has left the organisation; rehiring goes through HR",
                          "mutability")
    if not desired.active:
        outcome = await leaving.start_leaving(context, person, within=_save_identity(context, desired, seen))
    else:
        data: dict[str, Any] = {}
        if desired.name != person.get("name"):
            data["name"] = desired.name
        if normalize_email(desired.email) != person.get("email"):
            data["email"] = desired.email
        outcome = await org_access.sync_person(context, person["_id"], data, manager_id=desired.manager_id,
                                               department_id=department_id,
                                               within=_save_identity(context, desired, seen))
    if not outcome.ok:
        raise _refusal_of_outcome(outcome)


ATTEMPTS = 3


async def _fresh(if_match: str | None, write: Any) -> Reply:
    """Run ``write`` (read, compute, write) again on a :class:`Stale` read; with ``If-Match`` the client
    asked for the state it read, so a concurrent change is its 412 instead."""
    for _ in range(ATTEMPTS):
        try:
            return await write()
        except Stale:
            if if_match:
                break
    raise ScimRefusal(412, "the resource changed while this request was applied; read it again")


async def replace_user(context: Context, base: str, id: str, payload: Any, if_match: str | None) -> Reply:
    user = parse_user(payload, ScimContext.RESOURCE_REPLACEMENT_REQUEST)
    if user.id not in (None, id):
        raise ScimRefusal(400, "id: the body names another User", "mutability")
    desired = desired_of(user)

    async def write() -> Reply:
        person, resource, identity = await _one(context, base, id)
        _check_match(if_match, dump(resource)["meta"]["version"])
        await _apply(context, person, desired, await _department_id(context, desired.department), identity)
        return await _reply_with(context, base, id, 200)

    return await _fresh(if_match, write)


async def patch_user(context: Context, base: str, id: str, payload: Any, if_match: str | None) -> Reply:
    patch = parse_patch(payload, ScimUser)

    async def write() -> Reply:
        person, resource, identity = await _one(context, base, id)
        _check_match(if_match, dump(resource)["meta"]["version"])
        apply_patch(patch, resource)
        desired = desired_of(resource)
        await _apply(context, person, desired, await _department_id(context, desired.department), identity)
        return await _reply_with(context, base, id, 200)

    return await _fresh(if_match, write)


async def delete_user(context: Context, base: str, id: str, if_match: str | None) -> Reply:
    """Terminate (the leaving process) and hide the User from SCIM from then on (404); the person stays in
    Perfgraph's history as someone who has left."""
    person, resource, identity = await _one(context, base, id)
    _check_match(if_match, dump(resource)["meta"]["version"])
    fields = {k: v for k, v in (identity or {}).items() if k not in {"_id", "organizationId", "updatedAt"}}
    if not fields:
        fields = {"userName": person["email"], "userNameKey": user_name_key(person["email"])}

    async def within(doc: Document) -> None:
        assert context.store is not None
        # the userName is freed: a later User may take it
        await scim_store.save_identity(context.store, doc["_id"], {**fields, "userNameKey": f"deleted:{doc['_id']}",
                                                                   "externalId": None, "deletedAt": clock.now()},
                                       clock.now())

    outcome = await leaving.start_leaving(context, person, within=within)
    if not outcome.ok:
        raise _refusal_of_outcome(outcome)
    return Reply(204)


# ---------------------------------------------------------------- Groups (departments)


async def _groups(context: Context, base: str, departments: list[Document], members: bool) -> list[Group]:
    by_department: dict[str, list[Document]] = {}
    if members:
        for person in await org_access.people(context):
            if person.get("status") != EmployeeStatus.TERMINATED.value and person.get("departmentId"):
                by_department.setdefault(person["departmentId"], []).append(person)
    return [group_resource(d, by_department.get(d["_id"], []) if members else None, base) for d in departments]


async def _group(context: Context, base: str, id: str, members: bool = True) -> Group:
    departments = [d for d in await org_access.departments(context) if d["_id"] == id]
    if not departments:
        raise ScimRefusal(404, f"no Group {id!r}")
    return (await _groups(context, base, departments, members))[0]


async def list_groups(context: Context, base: str, params: Mapping[str, str]) -> Reply:
    start, size = _page_bounds(params.get("startIndex"), params.get("count"))
    members = "members" not in _excluded(params)
    departments = sorted(await org_access.departments(context), key=lambda d: d["_id"])
    groups = await _groups(context, base, departments, members)
    if params.get("filter"):
        parsed = _parse_filter(params["filter"], Group)
        groups = [g for g in groups if parsed.match(g)]
    return Reply(200, _list([dump(g) for g in groups[start - 1:start - 1 + size]], len(groups), start))


async def get_group(context: Context, base: str, id: str, params: Mapping[str, str]) -> Reply:
    body = dump(await _group(context, base, id, "members" not in _excluded(params)))
    return Reply(200, body, {"ETag": body["meta"]["version"]})


def _member_ids(group: Group) -> set[str]:
    return {m.value for m in group.members or [] if m.value}


async def _set_members(context: Context, id: str, before: set[str], after: set[str]) -> None:
    moves: dict[str, str | None] = {person: id for person in sorted(after - before)}
    moves.update({person: None for person in sorted(before - after)})
    if not moves:
        return
    known = {p["_id"] for p in await org_access.people(context, ids=list(moves))}
    unknown = sorted(set(moves) - known)
    if unknown:
        raise ScimRefusal(400, f"members: no User {unknown[0]!r}", "invalidValue")
    outcome = await org_access.move_people(context, moves)
    if not outcome.ok:
        raise _refusal_of_outcome(outcome)


async def create_group(context: Context, base: str, payload: Any) -> Reply:
    try:
        group = Group.model_validate(payload, scim_ctx=ScimContext.RESOURCE_CREATION_REQUEST)
    except Exception as error:
        raise refusal_of(error) from None
    name = (group.display_name or "").strip()
    if any(d["name"].strip().lower() == name.lower() for d in await org_access.departments(context)):
        raise ScimRefusal(409, f"a Group named {name!r} exists", "uniqueness")
    outcome = await org_access.save_department(context, None, {"name": group.display_name})
    if not outcome.ok:
        raise _refusal_of_outcome(outcome)
    id = (outcome.document or {})["_id"]
    await _set_members(context, id, set(), _member_ids(group))
    body = dump(await _group(context, base, id))
    return Reply(201, body, {"ETag": body["meta"]["version"], "Location": body["meta"]["location"]})


async def patch_group(context: Context, base: str, id: str, payload: Any, if_match: str | None) -> Reply:
    group = await _group(context, base, id)
    _check_match(if_match, dump(group)["meta"]["version"])
    before, name = _member_ids(group), group.display_name
    apply_patch(parse_patch(payload, Group), group)
    if group.display_name != name:
        outcome = await org_access.save_department(context, id, {"name": group.display_name})
        if not outcome.ok:
            raise _refusal_of_outcome(outcome)
    await _set_members(context, id, before, _member_ids(group))
    body = dump(await _group(context, base, id))
    return Reply(200, body, {"ETag": body["meta"]["version"]})


# ---------------------------------------------------------------- discovery


def service_provider_config(base: str) -> Reply:
    config = ServiceProviderConfig(
        documentation_uri=None, patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0,
                                                                        max_payload_size=0),
        filter=Filter(supported=True, max_results=MAX_RESULTS), change_password=ChangePassword(supported=False),
        sort=Sort(supported=False), etag=ETag(supported=True),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="Bearer token", primary=True,
            description="A SCIM integration token an HR admin creates in Perfgraph (createIntegrationToken)")],
    )
    body = config.model_dump(scim_ctx=ScimContext.RESOURCE_QUERY_RESPONSE)
    body["meta"] = {"resourceType": "ServiceProviderConfig", "location": f"{base}/ServiceProviderConfig"}
    return Reply(200, body)


def _resource_types(base: str) -> list[dict[str, Any]]:
    user = ResourceType(id="User", name="User", endpoint="/Users", description="People of the organisation",
                        schema_=USER_SCHEMA,
                        schema_extensions=[SchemaExtension(schema_=ENTERPRISE_SCHEMA, required=False)])
    group = ResourceType(id="Group", name="Group", endpoint="/Groups", description="Departments",
                         schema_=GROUP_SCHEMA)
    bodies = []
    for resource in (user, group):
        body = resource.model_dump(scim_ctx=ScimContext.RESOURCE_QUERY_RESPONSE)
        body["meta"] = {"resourceType": "ResourceType", "location": f"{base}/ResourceTypes/{body['id']}"}
        bodies.append(body)
    return bodies


def resource_types(base: str, id: str | None = None) -> Reply:
    bodies = _resource_types(base)
    if id is None:
        return Reply(200, _list(bodies, len(bodies), 1))
    found = [b for b in bodies if b["id"] == id]
    if not found:
        raise ScimRefusal(404, f"no ResourceType {id!r}")
    return Reply(200, found[0])


def _schemas(base: str) -> list[dict[str, Any]]:
    bodies = []
    for schema in (User.to_schema(), EnterpriseUser.to_schema(), Group.to_schema()):
        body = schema.model_dump(scim_ctx=ScimContext.RESOURCE_QUERY_RESPONSE)
        body["meta"] = {"resourceType": "Schema", "location": f"{base}/Schemas/{body['id']}"}
        bodies.append(body)
    return bodies


def schemas(base: str, id: str | None = None) -> Reply:
    bodies = _schemas(base)
    if id is None:
        return Reply(200, _list(bodies, len(bodies), 1))
    found = [b for b in bodies if b["id"] == id]
    if not found:
        raise ScimRefusal(404, f"no Schema {id!r}")
    return Reply(200, found[0])
