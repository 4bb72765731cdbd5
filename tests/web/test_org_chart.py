"""The live org chart page (/app/org) in Chromium against the real server and the committed build: changes made
from outside the browser appear within a second and are highlighted, search reveals someone deep in the tree,
the tree works from the keyboard, and the page passes axe and fits a phone's width."""

from __future__ import annotations

import asyncio
import json
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from playwright.async_api import Page, Request, Route, expect

from models.core.documents import Document
from tests.conftest import RunningServer
from tests.web.conftest import axe, base_url, sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
LIVE_SECONDS = 1.0

CREATE = """mutation($input: CreateEmployeeInput!) {
  createEmployee(input: $input) { employee { id } errors { field code message } } }"""
CHANGE_MANAGER = """mutation($employee: ID!, $manager: ID) {
  changeManager(employeeId: $employee, managerId: $manager) { employee { id } errors { field code message } } }"""
SAVE_DEPARTMENT = """mutation($id: ID!, $name: String!) {
  saveDepartment(id: $id, input: {name: $name}) { department { id } errors { field code message } } }"""
SAVE_POSITION = """mutation($id: ID!, $title: String!) {
  savePosition(id: $id, input: {title: $title}) { position { id } errors { field code message } } }"""
RENAME = """mutation($id: ID!, $name: String!) {
  updateEmployee(id: $id, input: {name: $name}) { employee { id } errors { field code message } } }"""
TERMINATE = """mutation($id: ID!) {
  terminateEmployee(employeeId: $id) { employee { id } errors { field code message } } }"""


def active(server: RunningServer) -> list[Document]:
    return [e for e in server.demo.employees if e["status"] != "terminated"]


def reports_of(server: RunningServer, manager_id: str) -> list[Document]:
    return sorted((e for e in active(server) if e.get("managerId") == manager_id), key=lambda e: e["name"])


def top(server: RunningServer) -> Document:
    return min((e for e in active(server) if e.get("managerId") is None), key=lambda e: (e["name"], e["_id"]))


def item(id: str) -> str:
    return f'li[role="treeitem"][data-id="{id}"]'


# The ids of the cards shown as a manager's direct reports, as assistive technology reads the tree: the rows
# after the manager's, one aria-level deeper, up to the next row at the manager's level or above (null when
# the manager's card is not shown expanded).
SHOWN_REPORTS = """(managerId) => {
  const rows = [...document.querySelectorAll('[role="tree"] [role="treeitem"]')];
  const at = rows.findIndex((row) => row.dataset.id === managerId);
  if (at < 0 || rows[at].getAttribute("aria-expanded") !== "true") return null;
  const level = Number(rows[at].getAttribute("aria-level"));
  const ids = [];
  for (const row of rows.slice(at + 1)) {
    const depth = Number(row.getAttribute("aria-level"));
    if (depth <= level) break;
    if (depth === level + 1) ids.push(row.dataset.id);
  }
  return ids;
}"""
SHOWN_CHANGED_UNDER = f"""([managerId, id]) => {{
  const ids = ({SHOWN_REPORTS})(managerId);
  const card = document.querySelector(`[role="treeitem"][data-id="${{id}}"] > .oc-card`);
  return ids !== null && ids.includes(id) && card !== null && card.dataset.changed === "true";
}}"""


async def shown_reports(page: Page, manager_id: str) -> list[str] | None:
    return await page.evaluate(SHOWN_REPORTS, manager_id)  # type: ignore[no-any-return]


def operation_of(request: Request) -> str:
    """The operation a GraphQL request over HTTP runs (urql sends queries as GET, mutations as POST)."""
    if request.method == "GET":
        text = parse_qs(urlsplit(request.url).query).get("query", [""])[0]
    else:
        text = json.loads(request.post_data or "{}").get("query", "")
    found = re.match(r"\s*(?:query|mutation)\s+(\w+)", text)
    return found.group(1) if found else ""


async def hr_mutation(server: RunningServer, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    """A mutation sent from outside the browser: httpx with the HR admin's bearer token."""
    async with httpx.AsyncClient() as http:
        answer = await http.post(server.url, json={"query": query, "variables": variables},
                                 headers={"Authorization": f"Bearer {server.token('hr_admin')}"})
    body = answer.json()
    assert "errors" not in body, body
    [payload] = body["data"].values()
    assert payload["errors"] == [], payload
    return dict(payload)


async def open_chart(page: Page, server: RunningServer, path: str = "/app/org") -> list[str]:
    """Signs in as the HR admin and opens ``path``; returns the GraphQL operations the page sends over HTTP
    from then on (as they are sent)."""
    await sign_in(page, server, "hr_admin")
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    operations: list[str] = []
    page.on("request", lambda request: operations.append(operation_of(request)) if "/graphql" in request.url else None)
    await page.goto(base_url(server) + path)
    await expect(page.locator(item(top(server)["_id"]))).to_be_visible()
    await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    await server.wait_subscribers(1)
    return operations


@dataclass
class HeldAnswer:
    answered: asyncio.Event = field(default_factory=asyncio.Event)  # the server has answered the first request
    release: asyncio.Event = field(default_factory=asyncio.Event)  # set: the page gets that answer now
    requests: int = 0  # how many the page sent


async def hold_first_answer(page: Page, operation: str) -> HeldAnswer:
    """The first request of ``operation`` the page sends is answered by the server at once (as things stand then)
    and handed to the page only when ``release`` is set; later ones pass."""
    held = HeldAnswer()

    async def hold(route: Route) -> None:
        held.requests += 1
        if held.requests > 1:
            await route.continue_()
            return
        response = await route.fetch()
        held.answered.set()
        await held.release.wait()
        await route.fulfill(response=response)

    await page.route(re.compile(operation), hold)
    return held


async def seen_under_within(page: Page, manager_id: str, id: str, committed: float) -> None:
    """``id``'s card is shown among ``manager_id``'s reports, highlighted, within LIVE_SECONDS of the change's
    commit (``committed``: when the mutation answered; how long a loaded machine takes to answer it is the
    server's, measured by the benchmarks)."""
    left = LIVE_SECONDS - (time.monotonic() - committed)
    await page.wait_for_function(SHOWN_CHANGED_UNDER, arg=[manager_id, id], timeout=left * 1000, polling="raf")


async def test_a_hire_a_move_and_a_termination_from_outside_appear_within_a_second(
        web_server: RunningServer, page: Page) -> None:
    # given the HR admin's chart: the top and two levels below it, the first level expanded
    server = web_server
    operations = await open_chart(page, server)
    root = top(server)
    first, second = [m for m in reports_of(server, root["_id"]) if reports_of(server, m["_id"])][:2]
    # (one query read them, the top and two levels below it; nobody below is loaded or rendered)
    assert operations.count("OrgChartTop") == 1 and "OrgChartReports" not in operations
    level1 = reports_of(server, root["_id"])
    await expect(page.get_by_role("tree").get_by_role("treeitem")).to_have_count(
        1 + len(level1) + sum(len(reports_of(server, m["_id"])) for m in level1))
    assert await shown_reports(page, first["_id"]) == [p["_id"] for p in reports_of(server, first["_id"])]
    department = first["departmentId"]

    # when HR hires someone under a visible manager, from outside the browser
    hired = await hr_mutation(server, CREATE, {"input": {
        "name": "Aaron Newhire", "email": "aaron.newhire@northwind.example", "hireDate": "2026-11-30",
        "managerId": first["_id"], "departmentId": department, "positionId": first.get("positionId")}})
    committed = time.monotonic()
    hire_id = hired["employee"]["id"]
    # then their card appears under that manager within a second, highlighted
    await seen_under_within(page, first["_id"], hire_id, committed)
    await expect(page.locator(item(hire_id)).locator(".oc-name")).to_have_text("Aaron Newhire")
    await expect(page.locator(item(hire_id))).to_have_attribute("aria-level", "3")
    await expect(page.locator(f'{item(first["_id"])} > .oc-card .oc-count')).to_have_text(
        f'{len(reports_of(server, first["_id"])) + 1} reports')
    # (a name starting with "Aa" sorts first among the reports)
    assert await shown_reports(page, first["_id"]) == [hire_id, *(p["_id"] for p in reports_of(server, first["_id"]))]

    # when HR moves someone (with their own reports) from one visible manager to another
    mover = next(p for p in reports_of(server, first["_id"]) if reports_of(server, p["_id"]))
    await hr_mutation(server, CHANGE_MANAGER, {"employee": mover["_id"], "manager": second["_id"]})
    committed = time.monotonic()
    # then the card is under the new manager within a second, highlighted, and gone from the old one
    await seen_under_within(page, second["_id"], mover["_id"], committed)
    assert mover["_id"] not in (await shown_reports(page, first["_id"]) or [])
    await expect(page.locator(item(mover["_id"]))).to_have_count(1)
    await expect(page.locator(f'{item(second["_id"])} > .oc-card')).to_have_attribute("data-changed", "true")
    await expect(page.locator(f'{item(first["_id"])} > .oc-card .oc-count')).to_have_text(
        f'{len(reports_of(server, first["_id"]))} reports')

    # when HR terminates the person they moved: their reports move up to the new manager
    await hr_mutation(server, TERMINATE, {"id": mover["_id"]})
    committed = time.monotonic()
    moved = reports_of(server, mover["_id"])
    await seen_under_within(page, second["_id"], moved[0]["_id"], committed)
    await expect(page.locator(item(mover["_id"]))).to_have_count(0)
    assert set(await shown_reports(page, second["_id"]) or []) == {
        *(p["_id"] for p in reports_of(server, second["_id"]) if p["_id"] != mover["_id"]), *(p["_id"] for p in moved)}
    await expect(page.get_by_test_id("oc-announcement")).to_contain_text(f'{mover["name"]} left')
    # and the highlight fades
    await expect(page.locator('.oc-card[data-changed="true"]')).to_have_count(0, timeout=4000)

    # when someone the page has not loaded moves from one collapsed card to another, both counts follow
    leads = [p for m in reports_of(server, root["_id"]) if m["_id"] != first["_id"] and m["_id"] != second["_id"]
             for p in reports_of(server, m["_id"]) if reports_of(server, p["_id"])]
    old_lead, new_lead = leads[0], leads[1]
    unseen = reports_of(server, old_lead["_id"])[0]
    await expect(page.locator(item(unseen["_id"]))).to_have_count(0)
    await hr_mutation(server, CHANGE_MANAGER, {"employee": unseen["_id"], "manager": new_lead["_id"]})
    for lead, count in ((old_lead, len(reports_of(server, old_lead["_id"])) - 1),
                        (new_lead, len(reports_of(server, new_lead["_id"])) + 1)):
        card = page.locator(item(lead["_id"]))
        await expect(card).to_have_attribute("aria-expanded", "false")
        await expect(card.locator(".oc-count")).to_have_text(f"{count} reports" if count != 1 else "1 report")


async def test_a_change_committed_while_the_chart_is_being_read_is_not_lost(
        web_server: RunningServer, page: Page) -> None:
    # given the chart's first read answered as the organisation stood, and held back from the page
    server = web_server
    person = reports_of(server, top(server)["_id"])[0]
    await sign_in(page, server, "hr_admin")
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible()
    held = await hold_first_answer(page, "OrgChartTop")
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(str(frame))))
    await page.goto(base_url(server) + "/app/org")
    async with asyncio.timeout(10):
        await held.answered.wait()
    # when someone on it is renamed meanwhile, and the event reaches the page before the chart does
    await server.wait_subscribers(1)
    await hr_mutation(server, RENAME, {"id": person["_id"], "name": "Renamed Meanwhile"})
    async with asyncio.timeout(5):
        while not any("Renamed Meanwhile" in frame for frame in frames):
            await asyncio.sleep(0.02)
    held.release.set()
    # then the chart, once shown, has the change, highlighted
    card = page.locator(item(person["_id"]))
    await expect(card.locator(".oc-name")).to_have_text("Renamed Meanwhile")
    await expect(card.locator(".oc-card")).to_have_attribute("data-changed", "true")


async def test_two_renames_in_a_row_show_the_second_even_when_the_first_read_answers_last(
        web_server: RunningServer, page: Page) -> None:
    # given the chart open on someone of the first level, and the page's read of the names after a first
    # department rename answered by the server but held back from the page
    server = web_server
    person = next(e for e in reports_of(server, top(server)["_id"]) if e.get("departmentId") and e.get("positionId"))
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: frames.append(str(frame))))
    operations = await open_chart(page, server)
    held = await hold_first_answer(page, "OrgChartCatalogue")
    await hr_mutation(server, SAVE_DEPARTMENT, {"id": person["departmentId"], "name": "First Rename"})
    async with asyncio.timeout(10):
        await held.answered.wait()
    # when the department is renamed again and that event reaches the page while the first read is held
    await hr_mutation(server, SAVE_DEPARTMENT, {"id": person["departmentId"], "name": "Second Rename"})
    async with asyncio.timeout(5):
        while sum("DEPARTMENT_SAVED" in frame for frame in frames) < 2:
            await asyncio.sleep(0.02)
    # (a page reading at once for the second event would send that read now: give it the time to)
    try:
        async with asyncio.timeout(2):
            while operations.count("OrgChartCatalogue") < 2:
                await asyncio.sleep(0.02)
    except TimeoutError:
        pass
    held.release.set()
    # then the card ends with the second name: the first read's older answer, arriving last, did not undo it
    card = page.locator(item(person["_id"]))
    await expect(card.locator(".oc-meta")).to_have_text(re.compile(r"· Second Rename$"))
    assert held.requests == 2  # the names were read again after the held read, once


async def test_search_reveals_someone_deep_in_the_tree_with_their_panel(web_server: RunningServer, page: Page) -> None:
    # given someone four levels down, whose card is not loaded yet
    server = web_server
    operations = await open_chart(page, server)
    chain_of = {e["_id"]: e["managerChain"] for e in active(server)}
    deep = next(e for e in sorted(active(server), key=lambda e: e["name"])
                if len(chain_of[e["_id"]]) >= 4 and e.get("positionId") and e["status"] == "active")
    await expect(page.locator(item(deep["_id"]))).to_have_count(0)
    # when they are searched for by part of their name, any case
    search = page.get_by_role("searchbox", name="Find a person")
    await search.fill(deep["name"].split()[-1].lower())
    hit = page.get_by_role("list", name="People found").get_by_role("button", name=deep["name"])
    await hit.click()
    # then the cards above them are expanded and theirs is selected and focused
    await expect(page).to_have_url(f'{base_url(server)}/app/org/{deep["_id"]}')
    card = page.locator(item(deep["_id"]))
    await expect(card).to_be_focused()
    await expect(card).to_have_attribute("aria-selected", "true")
    for manager in deep["managerChain"]:
        await expect(page.locator(item(manager))).to_have_attribute("aria-expanded", "true")
    # (their chain in one query, then one query per manager whose reports were not loaded: those below the
    # first level; only those managers' reports are added to the tree)
    level1 = reports_of(server, top(server)["_id"])
    missing = deep["managerChain"][2:]
    assert operations.count("OrgChartChain") == 1 and operations.count("OrgChartReports") == len(missing)
    await expect(page.get_by_role("tree").get_by_role("treeitem")).to_have_count(
        1 + len(level1) + sum(len(reports_of(server, m["_id"])) for m in level1)
        + sum(len(reports_of(server, m)) for m in missing))
    # and the panel shows their position's description, the managers above them (nearest first) and reports
    position = next(p for p in server.demo.positions if p["_id"] == deep["positionId"])
    panel = page.get_by_role("complementary", name=deep["name"])
    await expect(panel.get_by_text(position["description"])).to_be_visible()
    names = {e["_id"]: e["name"] for e in server.demo.employees}
    chain = panel.get_by_role("list", name=f'Managers above {deep["name"]}, nearest first').get_by_role("link")
    await expect(chain).to_have_text([names[m] for m in reversed(deep["managerChain"])])
    await expect(panel.get_by_role("heading", name=f'Reports ({len(reports_of(server, deep["_id"]))})')).to_be_visible()
    # when HR renames their position and department, their card and panel follow without a reload
    await hr_mutation(server, SAVE_POSITION, {"id": deep["positionId"], "title": "Principal Analyst"})
    await hr_mutation(server, SAVE_DEPARTMENT, {"id": deep["departmentId"], "name": "Insights"})
    await expect(card.locator(".oc-meta")).to_have_text("Principal Analyst · Insights")
    await expect(card.locator(".oc-card")).to_have_attribute("data-changed", "true")
    await expect(panel.get_by_text("Principal Analyst", exact=True)).to_be_visible()
    await expect(panel.get_by_text("Insights", exact=True)).to_be_visible()
    # and a name nobody has says so
    await search.fill("zzzz-nobody")
    await expect(page.locator("#oc-search-status")).to_have_text("Nobody's name contains “zzzz-nobody”.")


async def test_the_tree_works_from_the_keyboard(web_server: RunningServer, page: Page) -> None:
    server = web_server
    operations = await open_chart(page, server)
    root = top(server)
    level1 = reports_of(server, root["_id"])
    first = level1[0]
    # Tab reaches the tree at its one tab stop, the top of the organisation
    await page.get_by_role("searchbox", name="Find a person").focus()
    await page.keyboard.press("Tab")
    await expect(page.locator(item(root["_id"]))).to_be_focused()
    tree = page.get_by_role("tree", name="Organisation chart")
    await expect(tree.locator('[role="treeitem"][tabindex="0"]')).to_have_count(1)
    # Down moves to the first report; Left collapses it, Right expands it again, Right again enters its reports
    await page.keyboard.press("ArrowDown")
    await expect(page.locator(item(first["_id"]))).to_be_focused()
    await expect(page.locator(item(first["_id"]))).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("ArrowLeft")
    await expect(page.locator(item(first["_id"]))).to_have_attribute("aria-expanded", "false")
    assert await shown_reports(page, first["_id"]) is None
    await expect(page.locator(item(reports_of(server, first["_id"])[0]["_id"]))).to_have_count(0)
    await page.keyboard.press("ArrowRight")
    await expect(page.locator(item(first["_id"]))).to_have_attribute("aria-expanded", "true")
    await page.keyboard.press("ArrowRight")
    child = reports_of(server, first["_id"])[0]
    await expect(page.locator(item(child["_id"]))).to_be_focused()
    # Right on a collapsed card whose reports are not loaded yet loads and expands them
    grandchildren = reports_of(server, child["_id"])
    assert grandchildren, "the first report of the first level leads a team in the demo"
    await expect(page.locator(item(child["_id"]))).to_have_attribute("aria-expanded", "false")
    await page.keyboard.press("ArrowRight")
    await expect(page.locator(item(child["_id"]))).to_have_attribute("aria-expanded", "true")
    await expect(page.locator(f'[role="treeitem"][data-manager="{child["_id"]}"]')).to_have_count(len(grandchildren))
    assert operations.count("OrgChartReports") == 1
    assert await shown_reports(page, child["_id"]) == [p["_id"] for p in grandchildren]
    # Left twice: collapse, then up to the manager; Home and End reach the first and last cards
    await page.keyboard.press("ArrowLeft")
    await expect(page.locator(item(child["_id"]))).to_have_attribute("aria-expanded", "false")
    await page.keyboard.press("ArrowLeft")
    await expect(page.locator(item(first["_id"]))).to_be_focused()
    await page.keyboard.press("End")
    await expect(tree.locator('[role="treeitem"]').last).to_be_focused()
    await page.keyboard.press("Home")
    await expect(page.locator(item(root["_id"]))).to_be_focused()
    # Enter opens the focused person in the side panel
    await page.keyboard.press("ArrowDown")
    await page.keyboard.press("Enter")
    await expect(page).to_have_url(f'{base_url(server)}/app/org/{first["_id"]}')
    await expect(page.get_by_role("complementary", name=first["name"])).to_be_visible()
    await expect(page.locator(item(first["_id"]))).to_have_attribute("aria-selected", "true")


async def test_the_page_passes_axe_and_fits_a_phone(web_server: RunningServer, page: Page) -> None:
    server = web_server
    root = top(server)
    person = reports_of(server, reports_of(server, root["_id"])[0]["_id"])[0]
    await open_chart(page, server, f'/app/org/{person["_id"]}')
    panel = page.get_by_role("complementary", name=person["name"])
    await expect(panel.get_by_role("heading", name="Manager chain")).to_be_visible()
    serious = [v for v in await axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "org-chart.png"), full_page=True)

    # at a phone's width: one column, the panel above the tree, nothing wider than the screen
    await page.set_viewport_size({"width": 375, "height": 800})
    await expect(panel).to_be_visible()
    panel_box, tree_box = await panel.bounding_box(), await page.get_by_role("tree").bounding_box()
    assert panel_box is not None and tree_box is not None
    assert panel_box["y"] + panel_box["height"] <= tree_box["y"]
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 375
    for card in await page.locator(".oc-card").all():
        box = await card.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 375
    serious = [v for v in await axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == [], [(v["id"], v["help"], [n["target"] for n in v["nodes"]]) for v in serious]
    await page.screenshot(path=str(ARTIFACTS / "org-chart-375.png"), full_page=True)

