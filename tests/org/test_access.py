"""The org chart's access module as other domains call it: departments in order, and the department
fields other domains own written through it (and no other field)."""

from __future__ import annotations

import pytest

from resolvers.core.context import Context
from resolvers.org import access
from server.auth import bearer_token, decode_token
from tests.conftest import RunningServer


def context_of(server: RunningServer, who: str) -> Context:
    """A context signed in as ``who``, as the server builds one for a request."""
    def decode(credentials: str | None) -> object:
        return decode_token(server.settings.jwt_secret, bearer_token(credentials))
    return Context(database=server.database, bus=server.bus, decode=decode,
                   credentials=f"Bearer {server.token(who)}")


async def test_departments_are_the_organisations_by_name_then_id(server: RunningServer) -> None:
    departments = await access.departments(context_of(server, "employee"))
    org_id = server.demo.organization["_id"]
    assert [d["_id"] for d in departments] == [
        d["_id"] for d in sorted(server.demo.departments, key=lambda d: (d["name"], d["_id"]))]
    assert {d["organizationId"] for d in departments} == {org_id}


async def test_set_department_fields_writes_only_the_fields_other_domains_own(server: RunningServer) -> None:
    context = context_of(server, "hr_admin")
    department = server.demo.departments[0]
    assert await access.set_department_fields(context, department["_id"],
                                              {"cadence": "monthly", "checkInTemplateId": "t-1"})
    stored = await server.database.departments.find_one({"_id": department["_id"]})
    assert (stored["cadence"], stored["checkInTemplateId"], stored["name"]) == ("monthly", "t-1", department["name"])
    assert not await access.set_department_fields(context, "no-such-department", {"cadence": "weekly"})
    other = server.other.departments[0]["_id"]
    assert not await access.set_department_fields(context, other, {"cadence": "monthly"})
    before = await server.snapshot(("departments",))
    with pytest.raises(ValueError, match="name"):
        await access.set_department_fields(context, department["_id"], {"name": "Renamed", "cadence": "weekly"})
    assert await server.snapshot(("departments",)) == before
