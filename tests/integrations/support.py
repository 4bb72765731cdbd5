"""Helpers of the integrations tests: tokens made through the API, and a SCIM client over HTTP."""

from __future__ import annotations

from typing import Any

import httpx

from models.demo.org import DemoOrganization
from tests.client import shared_client
from tests.conftest import RunningServer
from tests.stores import NORTHWIND

SCIM_JSON = "application/scim+json"
CREATE_TOKEN = """mutation($kind: IntegrationTokenKind!, $name: String!) {
  createIntegrationToken(kind: $kind, name: $name) {
    token { id kind name hint createdAt rotatedAt revokedAt previousValidUntil } secret errors { field code message }
  }
}"""
ROTATE_TOKEN = """mutation($id: ID!) {
  rotateIntegrationToken(id: $id) {
    token { id hint rotatedAt previousValidUntil } secret errors { field code message }
  }
}"""
REVOKE_TOKEN = """mutation($id: ID!) {
  revokeIntegrationToken(id: $id) { token { id revokedAt } errors { field code message } }
}"""
TOKENS = "{ integrationTokens { id kind name hint revokedAt } }"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


async def create_token(server: RunningServer, kind: str = "SCIM", org: DemoOrganization = NORTHWIND,
                       name: str = "Okta") -> tuple[str, str]:
    """(token id, secret) of a new token, made by the organisation's HR admin."""
    body = await server.client("hr_admin", org).data(CREATE_TOKEN, {"kind": kind, "name": name})
    payload = body["createIntegrationToken"]
    assert payload["errors"] == [], payload
    return payload["token"]["id"], payload["secret"]


class Scim:
    """A SCIM client of one token, as an identity provider is."""

    def __init__(self, server: RunningServer, secret: str | None) -> None:
        self.base = f"http://127.0.0.1:{server.port}/scim/v2"
        self.secret = secret

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Accept": SCIM_JSON}
        if self.secret:
            headers["Authorization"] = f"Bearer {self.secret}"
        return {**headers, **(extra or {})}

    async def request(self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None,
                      **kwargs: Any) -> httpx.Response:
        options: dict[str, Any] = {"headers": self.headers(headers), **kwargs}
        if body is not None:
            options["json"] = body
            options["headers"].setdefault("Content-Type", SCIM_JSON)
        return await shared_client().request(method, self.base + path, **options)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return await self.request("POST", path, body, **kwargs)

    async def put(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return await self.request("PUT", path, body, **kwargs)

    async def patch(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return await self.request("PATCH", path, body, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.request("DELETE", path, **kwargs)


async def scim_client(server: RunningServer, org: DemoOrganization = NORTHWIND) -> Scim:
    _, secret = await create_token(server, "SCIM", org)
    return Scim(server, secret)


def scim_error(response: httpx.Response) -> tuple[int, str | None, str]:
    """(status, scimType, detail) of a SCIM error response, checked to be one."""
    assert response.headers["content-type"].startswith(SCIM_JSON), response.headers
    body = response.json()
    assert body["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"], body
    assert body["status"] == str(response.status_code), body
    return response.status_code, body.get("scimType"), body["detail"]


def new_user(user_name: str, given: str, family: str, **extra: Any) -> dict[str, Any]:
    return {"schemas": [USER_SCHEMA, ENTERPRISE], "userName": user_name,
            "name": {"givenName": given, "familyName": family}, "displayName": f"{given} {family}",
            "emails": [{"value": user_name, "type": "work", "primary": True}], "active": True, **extra}


def patch(*operations: dict[str, Any]) -> dict[str, Any]:
    return {"schemas": [PATCH_OP], "Operations": list(operations)}
