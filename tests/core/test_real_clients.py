"""The clients people build on Perfgraph, driven against the running server as they are used.

- Apollo Client 4's ``InMemoryCache`` in Node (tests/clients/apollo.mjs): a normalised cache holding every
  template's sections and questions without mixing them up, Apollo's persisted-query link, and a watched
  query updated by a mutation's payload.
- ``gql``, Python's GraphQL client: the schema fetched by introspection and used to validate documents before
  they are sent, queries over HTTP, subscriptions on both WebSocket protocols.

A browser on another origin is in tests/core/test_browser_cors.py.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from gql import Client, GraphQLRequest, gql
from gql.transport.httpx import HTTPXAsyncTransport
from gql.transport.websockets import WebsocketsTransport
from graphql import GraphQLError

from tests.conftest import RunningServer

CLIENTS = Path(__file__).resolve().parents[1] / "clients"
NODE = shutil.which("node")
CREATE_TEMPLATE = """mutation Create($input: ReviewTemplateInput!) {
  createReviewTemplate(input: $input) { template { id } errors { field code message } }
}"""


async def apollo(scenario: str, server: RunningServer, who: str, *args: str) -> dict[str, Any]:
    """Run one scenario of tests/clients/apollo.mjs as ``who`` and return what it printed."""
    assert NODE, "Node.js is needed for the Apollo Client tests (the brief's machines have Node 20)"
    assert (CLIENTS / "node_modules" / "@apollo" / "client").is_dir(), "run `make install` (npm ci in tests/clients)"
    process = await asyncio.create_subprocess_exec(
        NODE, str(CLIENTS / "apollo.mjs"), scenario, server.url, server.token(who), *args,
        cwd=CLIENTS, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    async with asyncio.timeout(60):
        out, err = await process.communicate()
    assert process.returncode == 0, (out.decode(), err.decode())
    return json.loads(out)


# --- Apollo Client ---------------------------------------------------------------------------------------


async def test_apollo_s_normalised_cache_keeps_every_template_s_sections_and_questions_apart(
        server: RunningServer) -> None:
    # given a second template whose sections and questions reuse the demo template's keys with other texts
    demo = (await server.client("hr_admin").data(
        "{ reviewTemplates { sections { key title questions { key text } } } }"))["reviewTemplates"][0]
    sections = [{"id": s["key"], "title": f"Other {s['title']}", "questions": [
        {"id": q["key"], "kind": "TEXT", "text": f"Other {q['text']}"} for q in s["questions"]]}
        for s in demo["sections"]]
    created = await server.client("hr_admin").data(CREATE_TEMPLATE, {"input": {"name": "Engineering review",
                                                                                "sections": sections}})
    assert created["createReviewTemplate"]["errors"] == []
    # when Apollo normalises each template on its own and then reads the list back from its cache
    result = await apollo("templates", server, "hr_admin")
    sent = result["sent"]
    keys = [section["key"] for template in sent["reviewTemplates"] for section in template["sections"]]
    assert len(sent["reviewTemplates"]) >= 2 and len(keys) > len(set(keys)), "no shared section key to test"
    question_keys = [q["key"] for t in sent["reviewTemplates"] for s in t["sections"] for q in s["questions"]]
    assert len(question_keys) > len(set(question_keys))
    # then every section title and question text is the one the server sent for that template
    assert result["cached"] == sent


async def test_apollo_s_persisted_query_link_registers_a_hash_once_then_sends_the_hash_alone(
        server: RunningServer) -> None:
    # when two Apollo clients with the persisted-query link (GET for hashed queries) ask the same query
    result = await apollo("apq", server, "employee")
    me = next(e for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
    expected = {"me": {"id": me["_id"], "name": me["name"]}}
    assert result["first"] == expected and result["second"] == expected
    requests = [(r["method"], r["hash"] is not None, r["query"], r["status"], r["codes"]) for r in result["requests"]]
    # then the first client's GET with the hash alone is told PERSISTED_QUERY_NOT_FOUND, it retries with the
    # query (Apollo POSTs that one), and the second client's GET with the hash alone is answered
    assert requests == [
        ("GET", True, False, 200, ["PERSISTED_QUERY_NOT_FOUND"]),
        ("POST", True, True, 200, []),
        ("GET", True, False, 200, []),
    ]
    assert len({r["hash"] for r in result["requests"]}) == 1


async def test_a_mutation_s_payload_updates_apollo_s_watched_query(server: RunningServer) -> None:
    # given the employee's page watched by HR's Apollo client
    employee_id = server.demo.personas["employee"]
    # when HR renames them through the same client
    result = await apollo("mutation", server, "hr_admin", employee_id, "Renamed In Apollo")
    # then the watched query saw the old name and then the new one, without asking the server again
    before = next(e["name"] for e in server.demo.employees if e["_id"] == employee_id)
    assert result == {"seen": [before, "Renamed In Apollo"], "errors": [], "cachedName": "Renamed In Apollo"}
    assert (await server.stored_employees())[employee_id]["name"] == "Renamed In Apollo"


# --- gql (Python) ----------------------------------------------------------------------------------------


def http_client(server: RunningServer, who: str) -> Client:
    transport = HTTPXAsyncTransport(url=server.url, headers={"Authorization": f"Bearer {server.token(who)}"})
    return Client(transport=transport, fetch_schema_from_transport=True)


async def test_gql_fetches_the_schema_and_refuses_a_wrong_document_before_sending_it(server: RunningServer) -> None:
    async with http_client(server, "employee") as session:
        # given the schema gql fetched by introspection
        assert session.client.schema is not None and "orgChartChanged" in session.client.schema.subscription_type.fields
        # when a document names a field the schema does not have, gql refuses it locally
        with pytest.raises(GraphQLError, match="Cannot query field 'salary'"):
            await session.execute(gql("{ me { salary } }"))
        # and a valid query is answered
        me = next(e for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
        assert await session.execute(gql("{ me { name } }")) == {"me": {"name": me["name"]}}


PROTOCOLS = [WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL, WebsocketsTransport.APOLLO_SUBPROTOCOL]
ORG_CHART = "subscription($root: ID!) { orgChartChanged(rootId: $root) { kind employees { id name } } }"


@pytest.mark.parametrize("protocol", PROTOCOLS)
async def test_gql_receives_a_subscription_event_on_both_websocket_protocols(server: RunningServer,
                                                                               protocol: str) -> None:
    # given the manager subscribed to their part of the org chart with gql's WebSocket transport
    manager = server.demo.personas["manager"]
    report = next(e for e in server.demo.employees if e.get("managerId") == manager)
    transport = WebsocketsTransport(url=server.ws_url, subprotocols=[protocol],
                                    init_payload={"authorization": f"Bearer {server.token('manager')}"})
    subscription = GraphQLRequest(ORG_CHART, variable_values={"root": manager})
    async with Client(transport=transport) as session:
        assert transport.subprotocol == protocol
        events = session.subscribe(subscription)
        first = asyncio.ensure_future(anext(events))
        await server.wait_subscribers(1)
        # when HR renames the report
        renamed = await server.client("hr_admin").data(
            "mutation($id: ID!) { updateEmployee(id: $id, input: {name: \"Live Via Gql\"}) { errors { code } } }",
            {"id": report["_id"]})
        assert renamed == {"updateEmployee": {"errors": []}}
        # then gql hands the event over
        async with asyncio.timeout(10):
            event = await first
        await events.aclose()
    assert event == {"orgChartChanged": {"kind": "EMPLOYEE_UPDATED",
                                         "employees": [{"id": report["_id"], "name": "Live Via Gql"}]}}


async def test_gql_sends_queries_over_the_websocket_too(server: RunningServer) -> None:
    transport = WebsocketsTransport(url=server.ws_url, subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
                                    init_payload={"authorization": f"Bearer {server.token('employee')}"})
    async with Client(transport=transport) as session:
        me = next(e for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])
        assert await session.execute(gql("{ me { name } }")) == {"me": {"name": me["name"]}}
