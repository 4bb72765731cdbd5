"""A web page on another origin calling the API from a real browser (Debian's Chromium driven by Playwright).

The page is served by a second small server on its own port (another origin); it calls the API with
``fetch`` and a bearer token, which makes the browser send a CORS preflight, and opens a graphql-transport-ws
WebSocket. The API allows the page's origin through ``ALLOWED_ORIGINS``; a page on an origin it does not list
gets neither answers nor a WebSocket.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
import uvicorn
from playwright.async_api import Browser, async_playwright
from starlette.applications import Starlette
from starlette.responses import HTMLResponse
from starlette.routing import Route

from tests.conftest import RunningServer, start_server, stop_server
from tests.conftest import settings_for_tests as settings_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# The page's script: one request with a bearer token (a preflighted request), and one subscription.
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Perfgraph client</title></head>
<body><main><h1>Perfgraph client</h1></main><script>
window.ask = async (api, token, query) => {
  try {
    const response = await fetch(api, { method: "POST", body: JSON.stringify({ query }),
      headers: { "Content-Type": "application/json", "Authorization": `Bearer ${token}` } });
    return { status: response.status, body: await response.json(), requestId: response.headers.get("X-Request-ID") };
  } catch (error) {
    return { failed: String(error) };
  }
};
window.subscribe = (url, token, query, variables) => new Promise((resolve) => {
  const socket = new WebSocket(url, "graphql-transport-ws");
  window.received = new Promise((deliver) => { window.deliver = deliver; });
  const init = { type: "connection_init", payload: { authorization: `Bearer ${token}` } };
  socket.onopen = () => socket.send(JSON.stringify(init));
  socket.onmessage = (message) => {
    const data = JSON.parse(message.data);
    if (data.type === "connection_ack") {
      socket.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query, variables } }));
      resolve({ acknowledged: true });
    } else if (data.type === "next") {
      window.deliver(data.payload);
    }
  };
  socket.onclose = (event) => resolve({ closed: event.code });
});
</script></body></html>"""


async def page_server() -> tuple[uvicorn.Server, str]:
    """The page on a port of its own: ``http://localhost:<port>``, another origin than the API's 127.0.0.1."""
    app = Starlette(routes=[Route("/", lambda request: HTMLResponse(PAGE))])
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    config.load()
    server = uvicorn.Server(config)
    server.lifespan = config.lifespan_class(config)
    await server.startup()
    return server, f"http://localhost:{server.servers[0].sockets[0].getsockname()[1]}"


@asynccontextmanager
async def api_allowing(*origins: str) -> AsyncIterator[RunningServer]:
    uvicorn_server, running = await start_server(settings_for(allowed_origins=origins))
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert CHROMIUM, "Chromium is needed (`apt-get install chromium`; .ci/run installs it where it is missing)"
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            await browser.close()


@pytest.fixture
async def origin() -> AsyncIterator[str]:
    server, origin = await page_server()
    try:
        yield origin
    finally:
        await server.shutdown()


async def open_page(browser: Browser, origin: str) -> Any:
    page = await browser.new_page()
    await page.goto(origin + "/")
    return page


def me_name(server: RunningServer) -> str:
    return next(e["name"] for e in server.demo.employees if e["_id"] == server.demo.personas["employee"])


async def test_a_page_on_an_allowed_origin_calls_the_api_with_a_token(browser: Browser, origin: str) -> None:
    async with api_allowing(origin) as api:
        page = await open_page(browser, origin)
        # when the page asks with its bearer token (the browser preflights the request first)
        result = await page.evaluate("([api, token]) => window.ask(api, token, '{ me { name } }')",
                                     [api.url, api.token("employee")])
    # then it reads the answer and the exposed request id
    assert result["status"] == 200
    assert result["body"]["data"] == {"me": {"name": me_name(api)}}
    assert result["requestId"]


async def test_a_page_on_another_origin_gets_nothing(browser: Browser, origin: str) -> None:
    async with api_allowing("https://app.example") as api:
        page = await open_page(browser, origin)
        result = await page.evaluate("([api, token]) => window.ask(api, token, '{ me { name } }')",
                                     [api.url, api.token("employee")])
        socket = await page.evaluate(
            "([url, token]) => window.subscribe(url, token, 'subscription { praisePosted { id } }', {})",
            [api.ws_url, api.token("employee")])
    # then the browser refuses the answer (the preflight is not allowed) and the WebSocket is closed
    assert result == {"failed": "TypeError: Failed to fetch"}
    assert "closed" in socket and "acknowledged" not in socket


async def test_a_page_on_an_allowed_origin_receives_live_events(browser: Browser, origin: str) -> None:
    async with api_allowing(origin) as api:
        page = await open_page(browser, origin)
        # given the manager's page subscribed to their org chart
        manager = api.demo.personas["manager"]
        report = next(e for e in api.demo.employees if e.get("managerId") == manager)
        opened = await page.evaluate(
            "([url, token, root]) => window.subscribe(url, token,"
            " 'subscription($root: ID!) { orgChartChanged(rootId: $root) { kind employees { id name } } }',"
            " { root })", [api.ws_url, api.token("manager"), manager])
        assert opened == {"acknowledged": True}
        await api.wait_subscribers(1)
        # when HR renames the report from outside the browser
        renamed = await api.client("hr_admin").data(
            "mutation($id: ID!) { updateEmployee(id: $id, input: {name: \"Seen In Chromium\"}) { errors { code } } }",
            {"id": report["_id"]})
        assert renamed == {"updateEmployee": {"errors": []}}
        # then the page receives the event
        event = await page.evaluate("() => window.received")
    assert event == {"data": {"orgChartChanged": {"kind": "EMPLOYEE_UPDATED",
                                                  "employees": [{"id": report["_id"], "name": "Seen In Chromium"}]}}}
