"""The HR dashboard in Chromium against the real server and the committed build: the score distribution and
the overdue count the API answers, a calibration sent from outside the browser shown live, a form submitted from
outside changing the per-phase counts within a second (cycleProgressChanged), "HR admins only"
for a manager without a single dashboard query, department budgets for a compensation admin and words (no
query) for an HR admin without that role, axe-core clean, a phone's width without sideways scrolling."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any
from urllib.parse import unquote_plus, urlsplit

from playwright.async_api import Page, expect

from tests.conftest import RunningServer
from tests.reviews.support import TEMPLATE, answer_required, submit
from tests.web.conftest import axe, base_url, sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
CYCLES = "{ reviewCycles { id status } }"
REPORT = """query($id: ID!) {
  cycleDistribution(cycleId: $id) { total { before { rating count } after { rating count } } }
  overdueForms(cycleId: $id) { id }
  cycleProgress(cycleId: $id) { reviewStates { state count } }
  successionRisks { position { id } }
}"""
IN_MANAGER_REVIEW = """query($id: ID!) { reviewCycle(id: $id) {
  reviews(first: 50, state: MANAGER_REVIEW) { edges { node { id finalRating } } } } }"""
MOVE = """mutation($id: ID!) { moveReview(reviewId: $id, state: CALIBRATION) { errors { code message } } }"""
CALIBRATE = """mutation($id: ID!, $rating: Int!) {
  calibrateReview(reviewId: $id, rating: $rating, justification: "Calibration panel") { errors { code message } } }"""
BUDGETS = """query($id: ID!) { departmentBudgets(cycleId: $id) { department { name } allocated { amount } } }"""
MERIT = "{ meritCycles { id phase } }"
SELF_PHASE = """query($id: ID!) {
  cycleProgress(cycleId: $id) { phases { phase counts { notStarted inProgress submitted } } } }"""
COUNTED = ("notStarted", "inProgress", "submitted")
DASHBOARD_FIELDS = ("reviewCycles", "cycleProgress", "cycleDistribution", "overdueForms", "successionRisks",
                    "attritionReport", "meritCycles", "departmentBudgets", "cycleScoresChanged",
                    "cycleProgressChanged")


async def open_app(page: Page, server: RunningServer, persona: str, path: str) -> None:
    """Signed in as ``persona`` (a sign-in link), then ``path`` of the app loaded, its live connection up."""
    await sign_in(page, server, persona)
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible(timeout=10_000)
    await page.goto(f"{base_url(server)}/app{path}")
    await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible(timeout=10_000)


def sent_operations(page: Page) -> list[str]:
    """Every GraphQL document the page sends from now on, over HTTP and over its WebSocket."""
    sent: list[str] = []

    def on_request(request: Any) -> None:  # urql sends short queries as GET, the query in the address
        if urlsplit(request.url).path == "/graphql":
            sent.append(unquote_plus(request.url) + (request.post_data or ""))

    page.on("request", on_request)
    page.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(str(frame))))
    return sent


async def settled_subscriptions(server: RunningServer, at_least: int) -> None:
    """Until the page's subscriptions are live: at least one bus subscription each (some take several
    channels, so the exact number is theirs to choose), the count unchanged for half a second."""
    async with asyncio.timeout(10):
        seen: list[int] = []
        while len(seen) < 5 or len(set(seen[-5:])) > 1 or seen[-1] < at_least:
            seen.append(server.live_subscriptions())
            await asyncio.sleep(0.1)


async def active_cycle(server: RunningServer) -> str:
    cycles = (await server.client("hr_admin").data(CYCLES))["reviewCycles"]
    return str(next(c["id"] for c in cycles if c["status"] == "ACTIVE"))


def rating_key(rating: int | None) -> str:
    return "none" if rating is None else str(rating)


async def shown_distribution(page: Page) -> dict[str, tuple[str, str]]:
    rows = page.locator("table.d-distribution tbody tr")
    found: dict[str, tuple[str, str]] = {}
    for row in await rows.all():
        key = await row.get_attribute("data-rating")
        before = (await row.locator('td[data-when="before"]').inner_text()).strip()
        after = (await row.locator('td[data-when="after"]').inner_text()).strip()
        found[str(key)] = (before, after)
    return found


def expected_distribution(total: dict[str, Any]) -> dict[str, tuple[str, str]]:
    after = {r["rating"]: r["count"] for r in total["after"]}
    return {rating_key(r["rating"]): (str(r["count"]), str(after.get(r["rating"], 0))) for r in total["before"]}


async def test_the_dashboard_shows_the_apis_distribution_and_overdue_count(page: Page,
                                                                          web_server: RunningServer) -> None:
    # given the active cycle's report as the API answers an HR admin
    cycle = await active_cycle(web_server)
    report = await web_server.client("hr_admin").data(REPORT, {"id": cycle})
    sent = sent_operations(page)
    # when the HR admin (not a compensation admin) opens the dashboard
    await open_app(page, web_server, "hr_admin", "/hr")
    await expect(page.locator("table.d-distribution")).to_be_visible()
    # then the distribution before and after calibration and the overdue count are the API's
    assert await shown_distribution(page) == expected_distribution(report["cycleDistribution"]["total"])
    count = page.locator("[data-overdue-count]")
    await expect(count).to_have_text(str(len(report["overdueForms"])))
    for state in report["cycleProgress"]["reviewStates"]:
        await expect(page.locator(f'[data-state="{state["state"]}"] dd')).to_have_text(str(state["count"]))
    # and the budgets, which need the compensation admin role, are words and were never asked for
    await expect(page.get_by_text("Department budgets are shown to compensation admins only.")).to_be_visible()
    assert not [body for body in sent if "departmentBudgets" in body]
    await expect(page.get_by_role("heading", name="Succession risks")).to_be_visible()
    await expect(page.get_by_role("heading", name="Attrition", exact=True)).to_be_visible()
    # and axe-core finds nothing serious or critical
    serious = [v for v in await axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "hr-dashboard.png"), full_page=True)
    # and at a phone's width (375 px) nothing needs scrolling sideways
    await page.set_viewport_size({"width": 375, "height": 800})
    await expect(page.locator("table.d-distribution")).to_be_visible()
    assert await page.evaluate("() => document.documentElement.scrollWidth") <= 375


async def test_a_calibration_sent_from_outside_shows_live(page: Page, web_server: RunningServer) -> None:
    # given the HR admin on the dashboard, following the cycle's scores (and the succession plans, attrition)
    cycle = await active_cycle(web_server)
    hr = web_server.client("hr_admin")
    report = await hr.data(REPORT, {"id": cycle})
    reviews = (await hr.data(IN_MANAGER_REVIEW, {"id": cycle}))["reviewCycle"]["reviews"]["edges"]
    review = next(e["node"] for e in reviews if e["node"]["finalRating"] is not None)
    await open_app(page, web_server, "hr_admin", "/hr")
    await expect(page.locator("table.d-distribution")).to_be_visible()
    await settled_subscriptions(web_server, 2 + len(report["successionRisks"]))
    # when, outside the browser, a review moves to calibration and is calibrated to another rating
    rating = 1 if review["finalRating"] != 1 else 5
    assert (await hr.data(MOVE, {"id": review["id"]}))["moveReview"]["errors"] == []
    assert (await hr.data(CALIBRATE, {"id": review["id"], "rating": rating}))["calibrateReview"]["errors"] == []
    after = await hr.data(REPORT, {"id": cycle})
    expected = expected_distribution(after["cycleDistribution"]["total"])
    assert expected != expected_distribution(report["cycleDistribution"]["total"])
    # then the dashboard shows the new distribution (highlighted) and review states without a reload
    row = page.locator(f'table.d-distribution tr[data-rating="{rating}"] td[data-when="after"]')
    await expect(row).to_have_text(expected[str(rating)][1], timeout=2000)
    assert await shown_distribution(page) == expected
    calibrating = next(s["count"] for s in after["cycleProgress"]["reviewStates"] if s["state"] == "CALIBRATION")
    await expect(page.locator('[data-state="CALIBRATION"] dd')).to_have_text(str(calibrating))
    await expect(page.get_by_role("status").filter(has_text="Last change: Calibration of a review")).to_be_visible()


async def shown_counts(page: Page, phase: str) -> list[str]:
    """The "All departments" row of a phase's table: not started, in progress, submitted."""
    cells = page.locator(f'table[data-phase="{phase}"] tr.d-total td')
    return [(await cells.nth(i).inner_text()).strip() for i in range(3)]


async def test_a_form_submitted_from_outside_changes_the_phase_counts_live(page: Page,
                                                                           web_server: RunningServer) -> None:
    # given a self form of the active cycle answered in full but not submitted, before the page opens
    cycle = await active_cycle(web_server)
    form = await web_server.database.reviewForms.find_one(
        {"cycleId": cycle, "kind": "self", "state": {"$in": ["not_started", "in_progress"]}})
    assert form is not None
    await answer_required(web_server, form["reviewerId"], form, TEMPLATE)
    hr = web_server.client("hr_admin")
    report = await hr.data(REPORT, {"id": cycle})
    progress = (await hr.data(SELF_PHASE, {"id": cycle}))["cycleProgress"]["phases"]
    before = next(p["counts"] for p in progress if p["phase"] == "SELF_REVIEW")
    # and the HR admin on the dashboard, its subscriptions live
    await open_app(page, web_server, "hr_admin", "/hr")
    await expect(page.locator('table[data-phase="SELF_REVIEW"]')).to_be_visible()
    assert await shown_counts(page, "SELF_REVIEW") == [str(before[k]) for k in COUNTED]
    await settled_subscriptions(web_server, 3 + len(report["successionRisks"]))
    # when the reviewee submits it outside the browser
    await submit(web_server, form["reviewerId"], form["_id"])
    # then within a second the self-review phase counts it submitted, no longer in progress
    expected = [str(before["notStarted"]), str(before["inProgress"] - 1), str(before["submitted"] + 1)]
    submitted = page.locator('table[data-phase="SELF_REVIEW"] tr.d-total td').nth(2)
    await expect(submitted).to_have_text(expected[2], timeout=1000)
    assert await shown_counts(page, "SELF_REVIEW") == expected
    await expect(page.get_by_role("status").filter(has_text="Forms last changed at")).to_be_visible()


async def test_a_manager_sees_hr_admins_only_and_nothing_is_queried(page: Page, web_server: RunningServer) -> None:
    # given a manager, signed in, every operation the page sends recorded
    sent = sent_operations(page)
    await open_app(page, web_server, "manager", "/")
    # when they open /app/hr
    await page.goto(f"{base_url(web_server)}/app/hr")
    # then they read that it is for HR admins, with no dashboard query or subscription sent
    await expect(page.get_by_role("heading", name="HR dashboard")).to_be_visible()
    await expect(page.get_by_role("note")).to_contain_text("HR admins only.")
    await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible()
    assert [body for body in sent if "me {" in body]  # the shell's own query was recorded
    assert [field for field in DASHBOARD_FIELDS if any(field in body for body in sent)] == []
    assert await page.get_by_role("navigation", name="Main").get_by_role("link", name="HR dashboard").count() == 0
    assert [v for v in await axe(page) if v["impact"] in ("serious", "critical")] == []


async def test_a_compensation_admin_sees_the_department_budgets(page: Page, web_server: RunningServer) -> None:
    # given the HR admin who also holds the compensation admin role (granted in the store)
    hr_id = web_server.demo.personas["hr_admin"]
    await web_server.database.employees.update_one({"_id": hr_id}, {"$addToSet": {"roles": "compensation_admin"}})
    roles = ["employee", "manager", "hr_admin", "compensation_admin"]
    client = web_server.client(hr_id)
    client.token = web_server.token(hr_id, roles=roles)
    merit = (await client.data(MERIT))["meritCycles"]
    open_cycle = next(c["id"] for c in merit if c["phase"] in ("PROPOSALS", "REVIEW"))
    budgets = (await client.data(BUDGETS, {"id": open_cycle}))["departmentBudgets"]
    assert budgets
    # when they open the dashboard
    await open_app(page, web_server, "hr_admin", "/hr")
    # then the open merit cycle's department budgets are listed, one row per department the API answers
    table = page.get_by_role("table", name="Department budgets (merit and promotion pools together)")
    await expect(table).to_be_visible()
    names = await table.locator("tbody th").all_inner_texts()
    assert [name.replace(" (over budget)", "") for name in names] == [
        (b["department"] or {}).get("name", "No department") for b in budgets]
    assert json.dumps(names)  # rows are text, not only bars
    await expect(page.get_by_text("Department budgets are shown to compensation admins only.")).to_have_count(0)
