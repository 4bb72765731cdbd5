"""GraphQL over HTTP: methods, media types and status codes, limits checked before execution, error masking."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

import resolvers.org.queries
from models.core.pagination import MAX_PAGE
from schema.core.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS
from tests.client import answer
from tests.conftest import RunningServer

GRAPHQL_RESPONSE_JSON = "application/graphql-response+json"

ME = "{ me { name } }"
ME_OPERATION = "query Me { me { name } }"
SAVE_DEPARTMENT = 'mutation { saveDepartment(input: {name: "Via GET"}) { department { id } errors { message } } }'
DEPARTMENTS = "{ departments { name } }"
PARSE_ERROR = "{ me { name "
UNKNOWN_FIELD = "{ me { nam } }"
EMPLOYEE_EMAIL = "query Email($id: ID!) { employee(id: $id) { name email } }"
EMPLOYEES_LITERAL = f"{{ employees(first: {MAX_PAGE + 1}) {{ totalCount edges {{ node {{ name }} }} }} }}"
EMPLOYEES_VARIABLE = "query Page($first: Int!) { employees(first: $first) { totalCount edges { node { name } } } }"
EMPLOYEES_AT_LIMIT = f"{{ employees(first: {MAX_PAGE}) {{ edges {{ node {{ name }} }} }} }}"


def nested_managers(levels: int) -> str:
    """``me`` then ``manager`` nested ``levels`` times: a query ``levels + 1`` selection sets deep."""
    return "{ me " + "{ manager " * levels + "{ name }" + " }" * levels + " }"


DEEPER_THAN_ALLOWED = nested_managers(MAX_DEPTH)
AS_DEEP_AS_ALLOWED = nested_managers(MAX_DEPTH - 1)
TOO_MANY_ALIASES = "{ " + " ".join(f"a{i}: me {{ name }}" for i in range(MAX_ALIASES + 1)) + " }"
TOO_MANY_TOKENS = "{ me { " + "name " * MAX_TOKENS + "} }"


async def get(server: RunningServer, params: dict[str, str] | None = None, *, who: str | None = "employee",
              accept: str = "application/json") -> httpx.Response:
    headers = {"Accept": accept}
    if who is not None:
        headers["Authorization"] = f"Bearer {server.token(who)}"
    async with httpx.AsyncClient(timeout=30) as http:
        return await http.get(server.url, params=params, headers=headers)


def employee_name(server: RunningServer, persona: str) -> str:
    return next(e["name"] for e in server.demo.employees if e["_id"] == server.demo.personas[persona])


def messages(body: dict[str, Any]) -> list[str]:
    return [error["message"] for error in body["errors"]]


def codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


# --- transport -------------------------------------------------------------------------------------------------


async def test_post_json_answers_a_query(server: RunningServer) -> None:
    # given the employee's token / when they POST a query as JSON
    response = await server.client("employee").post(ME)
    # then the answer is JSON with the data
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert answer(response.json()) == {"data": {"me": {"name": employee_name(server, "employee")}}}


async def test_get_with_query_parameter_answers_a_query(server: RunningServer) -> None:
    # given the employee's token / when they send the query in the URL
    response = await get(server, {"query": ME_OPERATION, "operationName": "Me"})
    # then it is answered like a POST
    assert response.status_code == 200
    assert answer(response.json()) == {"data": {"me": {"name": employee_name(server, "employee")}}}


async def test_get_with_a_mutation_is_refused_and_writes_nothing(server: RunningServer) -> None:
    # given an HR admin, who may create departments, and the departments there are
    before = await server.client("hr_admin").data(DEPARTMENTS)
    server.database.stats.reset()
    # when they send a mutation with GET
    response = await get(server, {"query": SAVE_DEPARTMENT}, who="hr_admin")
    # then it is refused as a method not allowed, without touching the store
    assert response.status_code == 405
    assert "mutations are not allowed when using GET" in response.text
    assert server.database.stats.calls == 0
    assert await server.client("hr_admin").data(DEPARTMENTS) == before


async def test_graphiql_is_served_to_a_browser(server: RunningServer) -> None:
    # when a browser opens the endpoint
    response = await get(server, who=None, accept="text/html,application/xhtml+xml,*/*;q=0.8")
    # then it gets the GraphiQL page
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "graphiql" in response.text.lower()


# --- application/graphql-response+json ---------------------------------------------------------------------------


async def test_graphql_response_json_with_data_is_200(server: RunningServer) -> None:
    # when a client that accepts application/graphql-response+json asks a valid query
    response = await server.client("employee").post(ME, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    # then the response has that media type and status 200
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    assert answer(response.json()) == {"data": {"me": {"name": employee_name(server, "employee")}}}


async def test_graphql_response_json_with_field_errors_is_still_200(server: RunningServer) -> None:
    # when an anonymous client asks a field that needs a viewer
    response = await server.client().post(ME, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    # then there is data (a null field) and an error, and the status stays 200
    assert response.status_code == 200
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    body = response.json()
    assert body["data"] == {"me": None}
    assert codes(body) == ["UNAUTHENTICATED"]


async def test_graphql_response_json_parse_error_is_400_without_data(server: RunningServer) -> None:
    # when the document does not parse
    response = await server.client("employee").post(PARSE_ERROR, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    # then it is a request error: 400, no "data" key
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert messages(body) == ["Syntax Error: Expected Name, found <EOF>."]


async def test_graphql_response_json_validation_error_is_400_without_data(server: RunningServer) -> None:
    # when the document asks a field that does not exist
    response = await server.client("employee").post(UNKNOWN_FIELD, headers={"Accept": GRAPHQL_RESPONSE_JSON})
    # then it is a request error: 400, no "data" key
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{GRAPHQL_RESPONSE_JSON}; charset=utf-8"
    body = response.json()
    assert "data" not in body
    assert messages(body) == ["Cannot query field 'nam' on type 'Employee'."]


async def test_plain_json_validation_error_is_200_with_errors(server: RunningServer) -> None:
    # when a client that accepts only application/json sends an invalid document
    response = await server.client("employee").post(UNKNOWN_FIELD, headers={"Accept": "application/json"})
    # then the legacy rules apply: 200, the errors and a null data
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "data": None,
        "errors": [{"message": "Cannot query field 'nam' on type 'Employee'.",
                    "locations": [{"line": 1, "column": 8}], "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}],
    }


async def test_field_suggestions_are_disabled(server: RunningServer) -> None:
    # when a query misspells a field that has a close match
    body = await server.client("employee").execute(UNKNOWN_FIELD)
    # then the message does not reveal the schema
    assert len(body["errors"]) == 1
    assert "Did you mean" not in body["errors"][0]["message"]


# --- limits, before execution ----------------------------------------------------------------------------------


async def refused_before_execution(server: RunningServer, query: str,
                                   variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """The body of a request that must be refused without a single store call."""
    client = server.client("manager")
    server.database.stats.reset()
    body = await client.execute(query, variables)
    assert server.database.stats.calls == 0
    assert body.get("data") is None
    return body


async def test_query_deeper_than_the_limit_is_refused(server: RunningServer) -> None:
    # when a query nests deeper than MAX_DEPTH / then it is refused before any store call
    body = await refused_before_execution(server, DEEPER_THAN_ALLOWED)
    assert messages(body) == [f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH}"]


async def test_query_as_deep_as_the_limit_runs(server: RunningServer) -> None:
    # when a query nests exactly MAX_DEPTH deep / then it runs
    data = await server.client("manager").data(AS_DEEP_AS_ALLOWED)
    assert data["me"] is not None


async def test_too_many_aliases_are_refused(server: RunningServer) -> None:
    # when a query uses more aliases than allowed / then it is refused before any store call
    body = await refused_before_execution(server, TOO_MANY_ALIASES)
    assert messages(body) == [f"{MAX_ALIASES + 1} aliases found. Allowed: {MAX_ALIASES}"]


async def test_too_many_tokens_are_refused(server: RunningServer) -> None:
    # when a document has more tokens than allowed / then it is refused before any store call
    body = await refused_before_execution(server, TOO_MANY_TOKENS)
    assert messages(body) == [f"Syntax Error: Document contains more than {MAX_TOKENS} tokens. Parsing aborted."]


async def test_page_size_literal_over_the_limit_is_refused(server: RunningServer) -> None:
    # when a page of 101 is asked for with a literal / then it is refused before any store call
    body = await refused_before_execution(server, EMPLOYEES_LITERAL)
    assert messages(body) == [f"first must be between 0 and {MAX_PAGE}, not {MAX_PAGE + 1}"]
    assert codes(body) == ["LIMIT_EXCEEDED"]


@pytest.mark.parametrize("first", [MAX_PAGE + 1, -1])
async def test_page_size_variable_out_of_range_is_refused(server: RunningServer, first: int) -> None:
    # when the page size comes in a variable / then it is refused before any store call just the same
    body = await refused_before_execution(server, EMPLOYEES_VARIABLE, {"first": first})
    assert messages(body) == [f"first must be between 0 and {MAX_PAGE}, not {first}"]
    assert codes(body) == ["LIMIT_EXCEEDED"]


async def test_page_size_at_the_limit_runs(server: RunningServer) -> None:
    # when exactly MAX_PAGE is asked for / then a full page comes back
    data = await server.client("manager").data(EMPLOYEES_AT_LIMIT)
    assert len(data["employees"]["edges"]) == MAX_PAGE


# --- error masking ---------------------------------------------------------------------------------------------


async def test_unexpected_exception_is_masked(server: RunningServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # given a resolver that fails with an exception carrying internal detail
    async def broken(context: Any) -> list[Any]:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(resolvers.org.queries, "departments", broken)
    # when it is queried
    response = await server.client("employee").post(DEPARTMENTS)
    # then the client sees a generic message and nothing of the detail
    assert response.status_code == 200
    assert "secret detail" not in response.text
    assert answer(response.json()) == {
        "data": None,
        "errors": [{"message": "Internal error: the server could not complete this request.",
                    "locations": [{"line": 1, "column": 3}], "path": ["departments"],
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"}}],
    }


async def test_forbidden_is_not_masked(server: RunningServer) -> None:
    # when a plain employee asks for a report that is HR admins' alone
    body = await server.client("employee").execute("{ followUpStats { open } }")
    # then the refusal is readable
    assert body["data"] == {"followUpStats": None}
    assert codes(body) == ["FORBIDDEN"]
    assert messages(body) == ["follow-up statistics are for HR admins"]


async def test_a_hidden_field_is_null_without_an_error(server: RunningServer) -> None:
    # given someone outside the employee's own management chain
    top = next(e for e in server.demo.employees if e["managerId"] is None)
    # when the employee asks their personal email, then it is null by design, with no error to mask
    body = await server.client("employee").execute(EMPLOYEE_EMAIL, {"id": top["_id"]})
    assert body["data"] == {"employee": {"name": top["name"], "email": None}}
    assert "errors" not in body


async def test_unauthenticated_is_not_masked(server: RunningServer) -> None:
    # when an anonymous client asks who they are / then the reason is readable
    body = await server.client().execute(ME)
    assert codes(body) == ["UNAUTHENTICATED"]
    assert messages(body) == ["no bearer token: send 'Authorization: Bearer <token>'"]
