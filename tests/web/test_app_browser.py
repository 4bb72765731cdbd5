"""The page fixtures in a real browser (Chromium through Playwright) on a small stand-in for the built app:
its script, loaded from /app/assets under the app's Content-Security-Policy, redeems the sign-in link's code,
asks /graphql who signed in and opens the graphql-transport-ws WebSocket on the same origin; an inline script
is refused by the policy; axe-core finds nothing to report on the page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from playwright.async_api import Page

from tests.conftest import RunningServer
from tests.web.conftest import app_server, axe, sign_in, sign_in_link

INDEX = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Perfgraph</title>
<script type="module" src="/app/assets/main-1a2b3c.js"></script></head>
<body><main><h1 id="who">Signing in…</h1><p id="socket">not connected</p></main>
<script>window.inlineRan = true;</script></body></html>"""
SCRIPT = """
const show = (id, text) => { document.getElementById(id).textContent = text; };
const code = new URLSearchParams(location.search).get("code");
const exchanged = await fetch("/auth/code-exchange", { method: "POST", headers: { "Content-Type": "application/json" },
  body: JSON.stringify({ code }) });
const session = await exchanged.json();
if (!exchanged.ok) {
  show("who", `Refused: ${session.error.code}`);
} else {
  const answer = await fetch("/graphql", { method: "POST", body: JSON.stringify({ query: "{ me { name } }" }),
    headers: { "Content-Type": "application/json", "Authorization": `Bearer ${session.token}` } });
  show("who", `Signed in as ${(await answer.json()).data.me.name}`);
  const socket = new WebSocket(`ws://${location.host}/graphql`, "graphql-transport-ws");
  socket.onopen = () => socket.send(JSON.stringify({ type: "connection_init",
    payload: { authorization: `Bearer ${session.token}` } }));
  socket.onmessage = (message) => show("socket", JSON.parse(message.data).type);
}
"""


@pytest_asyncio.fixture(loop_scope="session")
async def server(tmp_path: Path) -> AsyncIterator[RunningServer]:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "main-1a2b3c.js").write_text(SCRIPT)
    async with app_server(app_dir=str(tmp_path)) as running:
        yield running


async def test_a_sign_in_link_signs_the_page_in_under_the_apps_policy(page: Page, server: RunningServer) -> None:
    await sign_in(page, server, "manager")
    manager = next(e for e in server.demo.employees if e["_id"] == server.demo.personas["manager"])
    who = page.locator("#who")
    await who.filter(has_text="Signed in").wait_for(timeout=10_000)
    assert await who.text_content() == f"Signed in as {manager['name']}"
    await page.locator("#socket", has_text="connection_ack").wait_for(timeout=10_000)
    # the policy refused the inline script, and axe-core (evaluated despite it) finds nothing wrong
    assert await page.evaluate("() => window.inlineRan === undefined")
    assert await axe(page) == []


async def test_a_used_link_opened_again_is_refused(page: Page, server: RunningServer) -> None:
    link = await sign_in_link(server, "employee")
    await page.goto(link)
    await page.locator("#who", has_text="Signed in").wait_for(timeout=10_000)
    await page.goto(link)
    await page.locator("#who", has_text="Refused").wait_for(timeout=10_000)
    assert await page.locator("#who").text_content() == "Refused: CODE_INVALID"
