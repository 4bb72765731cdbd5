"""SCIM 2.0 (RFC 7643/7644) as Perfgraph speaks it: people as ``User`` resources (with the enterprise
extension), departments as ``Group`` resources. Pure mapping between stored documents and SCIM resources,
built on the ``scim2-models`` library (models, parsing, PATCH, filters); nothing here reads the store.

A person's SCIM identity (``userName``, ``externalId``, ``employeeNumber``, given and family names) lives
in the integrations domain's ``scimUsers`` collection; everything else is the org chart's. Someone who
never came through SCIM has their work email as ``userName``, so an identity provider looking people up
by ``userName`` finds the people HR created by hand and links them instead of creating them twice.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from scim2_models import (
    Context,
    Email,
    EnterpriseUser,
    Error,
    Group,
    GroupMember,
    Manager,
    Meta,
    Name,
    PatchOp,
    SCIMException,
    User,
)

from models.org.rules import EmployeeStatus

ScimUser = User[EnterpriseUser]
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
ENTERPRISE_SCHEMA = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
SCIM_MEDIA_TYPE = "application/scim+json"
ATTRIBUTE_MAX = 200  # userName, externalId, employeeNumber, names
FILTER_MAX = 1_000  # characters of a list's filter: a few comparisons of attributes of ATTRIBUTE_MAX at most


class ScimRefusal(Exception):
    """A request SCIM answers with an error resource: HTTP ``status``, ``scim_type`` (RFC 7644 §3.12)."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None) -> None:
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type

    def body(self) -> dict[str, Any]:
        return error_body(self.status, self.detail, self.scim_type)


def error_body(status: int, detail: str, scim_type: str | None = None) -> dict[str, Any]:
    error = Error(status=status, detail=detail, scim_type=scim_type)
    return error.model_dump()


def refusal_of(error: Exception) -> ScimRefusal:
    """The SCIM error for what the library raised while parsing or patching."""
    if isinstance(error, SCIMException):
        return ScimRefusal(int(error.status), str(error.detail or error), error.scim_type or None)
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        kind = str(first.get("type", ""))
        scim_type = kind[len("scim_"):] if kind.startswith("scim_") else "invalidValue"
        where = ".".join(str(part) for part in first.get("loc", ()))
        return ScimRefusal(400, f"{where + ': ' if where else ''}{first.get('msg', 'invalid value')}"[:300], scim_type)
    return ScimRefusal(400, str(error)[:300], "invalidSyntax")


@dataclass(frozen=True)
class Desired:
    """What a User resource asks for, in Perfgraph's terms."""

    user_name: str
    name: str
    email: str
    external_id: str | None
    employee_number: str | None
    given_name: str | None
    family_name: str | None
    department: str | None  # a department's name
    manager_id: str | None
    active: bool


def _normalise_manager(value: Any) -> Any:
    """Entra ID sends the manager as a bare id, or as ``{"value": ""}`` to clear it."""
    if isinstance(value, str):
        return {"value": value, "$ref": value} if value else None
    if isinstance(value, dict):
        if not value.get("value"):
            return None
        return {"$ref": value["value"], **value}  # the reference is ours to build; clients often leave it out
    return value


def lenient_user_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A User body with the manager's shapes identity providers send made regular (a bare id; no ``$ref``)."""
    body = dict(payload)
    extension = body.get(ENTERPRISE_SCHEMA)
    if isinstance(extension, dict) and "manager" in extension:
        body[ENTERPRISE_SCHEMA] = {**extension, "manager": _normalise_manager(extension["manager"])}
        if body[ENTERPRISE_SCHEMA]["manager"] is None:
            del body[ENTERPRISE_SCHEMA]["manager"]
    return body


def lenient_patch_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    """A PatchOp body with Entra ID's shapes made regular: the manager as a bare id (or an empty one to clear
    it), members removed by a value list rather than a filter. (Capitalised op names, string booleans and
    dotted no-path keys the library takes as Entra sends them.)"""
    body = dict(payload)
    operations = body.get("Operations")
    if isinstance(operations, list):
        fixed: list[Any] = []
        for op in operations:
            if not isinstance(op, dict):
                fixed.append(op)
                continue
            path, kind = str(op.get("path", "")), str(op.get("op", "")).lower()
            if path.lower().endswith("manager") and "value" in op:
                manager = _normalise_manager(op["value"])
                op = {**op, "value": manager} if manager is not None else {"op": "remove", "path": path}
            elif kind == "remove" and path.lower() == "members" and isinstance(op.get("value"), list):
                fixed += [{"op": "remove", "path": f"members[value eq {json.dumps(str(m.get('value', '')))}]"}
                          for m in op["value"] if isinstance(m, dict)]
                continue
            fixed.append(op)
        body["Operations"] = fixed
    return body


def parse_user(payload: Any, context: Context) -> ScimUser:
    if not isinstance(payload, dict):
        raise ScimRefusal(400, "the body must be a SCIM User resource (a JSON object)", "invalidSyntax")
    try:
        return ScimUser.model_validate(lenient_user_payload(payload), scim_ctx=context)
    except Exception as error:
        raise refusal_of(error) from None


def parse_patch(payload: Any, resource: type) -> PatchOp[Any]:
    if not isinstance(payload, dict):
        raise ScimRefusal(400, "the body must be a SCIM PatchOp message (a JSON object)", "invalidSyntax")
    try:
        return PatchOp[resource].model_validate(lenient_patch_payload(payload),  # type: ignore[valid-type]
                                                scim_ctx=Context.RESOURCE_PATCH_REQUEST)
    except Exception as error:
        raise refusal_of(error) from None


def apply_patch(patch: PatchOp[Any], resource: Any) -> None:
    try:
        patch.patch(resource)
    except Exception as error:
        raise refusal_of(error) from None


def _too_long(label: str, value: str | None) -> None:
    if value is not None and len(value) > ATTRIBUTE_MAX:
        raise ScimRefusal(400, f"{label} is longer than {ATTRIBUTE_MAX} characters", "invalidValue")


def desired_of(user: ScimUser) -> Desired:
    """What ``user`` asks for; :class:`ScimRefusal` when it lacks what a person needs or is too long."""
    user_name = (user.user_name or "").strip()
    if not user_name:
        raise ScimRefusal(400, "userName is required", "invalidValue")
    emails = list(user.emails or [])
    chosen = next((e for e in emails if str(getattr(e.type, "value", e.type)) == "work" and e.value), None) \
        or next((e for e in emails if e.primary and e.value), None) or next((e for e in emails if e.value), None)
    email = chosen.value if chosen else (user_name if "@" in user_name else None)
    if not email:
        raise ScimRefusal(400, "a work email is required (emails, or a userName that is an email)", "invalidValue")
    given = user.name.given_name if user.name else None
    family = user.name.family_name if user.name else None
    formatted = user.name.formatted if user.name else None
    name = (user.display_name or formatted or " ".join(p for p in (given, family) if p) or user_name).strip()
    extension = user[EnterpriseUser] if ENTERPRISE_SCHEMA in (user.schemas or []) or user[EnterpriseUser] else None
    employee_number = extension.employee_number if extension else None
    department = (extension.department or None) if extension else None
    manager_id = extension.manager.value if extension and extension.manager and extension.manager.value else None
    for label, value in (("userName", user_name), ("externalId", user.external_id), ("name", name),
                         ("employeeNumber", employee_number), ("department", department), ("givenName", given),
                         ("familyName", family)):
        _too_long(label, value)
    return Desired(user_name=user_name, name=name, email=str(email).strip(), external_id=user.external_id or None,
                   employee_number=employee_number, given_name=given, family_name=family, department=department,
                   manager_id=manager_id, active=user.active is not False)


def user_name_key(user_name: str) -> str:
    """userName is not case-exact (RFC 7643 §4.1.1): one key per spelling."""
    return user_name.strip().lower()


def etag_of(body: Mapping[str, Any]) -> str:
    """A weak ETag over the resource as rendered (without its meta): any change to it changes the tag."""
    content = {k: v for k, v in body.items() if k != "meta"}
    digest = hashlib.sha256(json.dumps(content, sort_keys=True, default=str).encode()).hexdigest()[:20]
    return f'W/"{digest}"'


def user_resource(person: Mapping[str, Any], identity: Mapping[str, Any] | None, department_name: str | None,
                  manager: Mapping[str, Any] | None, base_url: str) -> ScimUser:
    """The User resource of ``person`` (an employee document) with their SCIM ``identity`` (or none)."""
    identity = identity or {}
    full = person.get("name", "")
    given, family = identity.get("givenName"), identity.get("familyName")
    if given is None and family is None:
        parts = full.split(" ", 1)
        given, family = parts[0], (parts[1] if len(parts) > 1 else None)
    user = ScimUser(
        id=person["_id"], external_id=identity.get("externalId"),
        user_name=identity.get("userName") or person.get("email"),
        name=Name(given_name=given, family_name=family, formatted=full), display_name=full,
        active=person.get("status") != EmployeeStatus.TERMINATED.value,
        emails=[Email(value=person.get("email"), type=Email.Type.work, primary=True)],
    )
    manager_ref = None
    if manager is not None:
        manager_ref = Manager(value=manager["_id"], display_name=manager.get("name"),
                              ref=f"{base_url}/Users/{manager['_id']}")
    user[EnterpriseUser] = EnterpriseUser(employee_number=identity.get("employeeNumber"), department=department_name,
                                          manager=manager_ref)
    stamps = [t for t in (person.get("updatedAt"), identity.get("updatedAt")) if t is not None]
    user.meta = Meta(resource_type="User", created=person.get("createdAt"), last_modified=max(stamps, default=None),
                     location=f"{base_url}/Users/{person['_id']}")
    return user


def group_resource(department: Mapping[str, Any], members: list[Mapping[str, Any]] | None, base_url: str) -> Group:
    """The Group resource of a department; ``members`` ``None`` leaves them out (``excludedAttributes``)."""
    group = Group(id=department["_id"], display_name=department.get("name"))
    if members is not None:
        group.members = [GroupMember(value=m["_id"], display=m.get("name"), ref=f"{base_url}/Users/{m['_id']}",
                                     type="User") for m in members]
    group.meta = Meta(resource_type="Group", location=f"{base_url}/Groups/{department['_id']}")
    return group


def dump(resource: Any, context: Context = Context.RESOURCE_QUERY_RESPONSE, **options: Any) -> dict[str, Any]:
    """The JSON body of a resource, with its ETag as ``meta.version``."""
    body = resource.model_dump(scim_ctx=context, **options)
    body.setdefault("meta", {})["version"] = etag_of(body)
    return body
