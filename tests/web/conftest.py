"""Fixtures for the web app (/app) and its sign-in: a running server with the demo organisations seeded and
the development sign-in on, Debian's Chromium driven by Playwright, and two helpers for page tests:
``sign_in(page, server, persona)`` (a one-time code from /dev/sign-in, its link opened) and ``axe(page)``
(axe-core injected into the page, its violations returned)."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright
from pytest_asyncio import is_async_test

from tests.conftest import RunningServer, start_server, stop_server
from tests.conftest import settings_for_tests as settings_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
AXE = Path(__file__).parents[1] / "clients" / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The async tests here run in the session's event loop, where the one browser lives (a Playwright
    browser belongs to the loop it was launched in); their async fixtures do too."""
    here = Path(__file__).parent
    for item in items:
        if isinstance(item, pytest.Function) and here in item.path.parents and is_async_test(item):
            item.add_marker(pytest.mark.asyncio(loop_scope="session"), append=False)


def base_url(server: RunningServer) -> str:
    return f"http://127.0.0.1:{server.port}"


@asynccontextmanager
async def app_server(**overrides: Any) -> AsyncIterator[RunningServer]:
    """A server with the development sign-in on (unless ``overrides`` say otherwise); ``app_dir`` chooses the
    built app it serves (by default server/static/app)."""
    uvicorn_server, running = await start_server(settings_for(**{"dev_sign_in": True, **overrides}))
    try:
        yield running
    finally:
        await stop_server(uvicorn_server, running)


@pytest_asyncio.fixture(loop_scope="session")
async def web_server() -> AsyncIterator[RunningServer]:
    """The server with the committed build of the web app and the development sign-in."""
    async with app_server() as running:
        yield running


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def browser() -> AsyncIterator[Browser]:
    """One Chromium (and Playwright driver) per test process: starting both took 3–4 s a test. Each test gets
    a fresh context of its own (``page``): nothing of a page is shared between tests."""
    if CHROMIUM is None:
        pytest.skip("Chromium is not installed (`apt-get install chromium`; .ci/run installs it where it is missing)")
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield launched
        finally:
            await launched.close()


@pytest_asyncio.fixture(loop_scope="session")
async def page(browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context()
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def sign_in_link(server: RunningServer, persona: str) -> str:
    """A fresh one-time sign-in link for ``persona`` ("employee", "manager", "hr_admin") or an employee id."""
    employee_id = server.demo.personas.get(persona, persona)
    async with httpx.AsyncClient(base_url=base_url(server)) as http:
        answer = await http.post("/dev/sign-in", json={"employeeId": employee_id})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["link"])


async def sign_in(page: Page, server: RunningServer, persona: str) -> None:
    """Open ``persona``'s sign-in link in ``page``: the app exchanges the code for a token and signs in."""
    await page.goto(await sign_in_link(server, persona))


async def axe(page: Page, **options: Any) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (``options``: axe.run's, e.g. ``runOnly``). The script is
    evaluated through the browser's debugging protocol: the app's Content-Security-Policy refuses inline
    scripts (a ``<script>`` tag added to the page would not run)."""
    assert AXE.is_file(), f"{AXE} is missing: `make install` runs npm ci in tests/clients"
    if not await page.evaluate("() => typeof window.axe === 'object'"):
        await page.evaluate(AXE.read_text() + "\n;undefined")
    result = await page.evaluate("(options) => window.axe.run(document, options)", options)
    return list(result["violations"])
