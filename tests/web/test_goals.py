"""The goals page in Chromium against the real server and the committed build: key-result progress recorded
from outside the browser appears live, the alignment tree shows every goal of the API's tree (redacted ones as
"a goal you cannot see", their titles nowhere), a goal's page records progress and says a refusal in words,
axe-core finds nothing serious, and a phone's width needs no sideways scrolling."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from playwright.async_api import Page, Route, expect

from tests.conftest import RunningServer
from tests.web.conftest import axe, base_url, sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
# the goals as the page's own overview asks for them (the same parent depth)
MY_GOALS = """{ me { id goals { id title progress parent { id parent { id parent { id parent { id } } } }
  keyResults { id title metricKind startValue targetValue currentValue unit progress } } } }"""
RECORD = """mutation($kr: ID!, $value: Float!, $comment: String) {
  updateKeyResultProgress(keyResultId: $kr, value: $value, comment: $comment) {
    goal { id progress keyResults { id currentValue progress } } errors { field code message } } }"""
NODE = "goalId redacted goal { title }"


def nested(depth: int) -> str:
    return NODE if depth == 0 else f"{NODE} children {{ {nested(depth - 1)} }}"


TREE = f"query($root: ID!) {{ goalTree(rootGoalId: $root) {{ {nested(7)} }} }}"  # the page's depth
TEAM = "{ myTeamGoals { employee { name } goalCount meanProgress atRiskCount offTrackCount } }"
KEY_RESULT = """query($id: ID!) { goal(id: $id) { progressHistory { newValue comment }
  keyResults { id currentValue progress } } }"""


async def open_app(page: Page, server: RunningServer, persona: str, path: str) -> None:
    """Signed in as ``persona`` (a sign-in link), then ``path`` of the app loaded, its live connection up."""
    await sign_in(page, server, persona)
    await expect(page.get_by_role("heading", name="Welcome", exact=False)).to_be_visible(timeout=10_000)
    await page.goto(f"{base_url(server)}/app{path}")
    await expect(page.get_by_role("status").filter(has_text="Live")).to_be_visible(timeout=10_000)


def percent(share: float) -> str:
    """As the page writes a share: one decimal, none when whole."""
    value = round(share * 1000) / 10
    return f"{value:g}%"


def values(kr: dict[str, Any], current: float) -> str:
    def amount(value: float) -> str:
        number = f"{value:g}"
        return f"{number}%" if kr["unit"] == "%" else f"{number} {kr['unit']}" if kr["unit"] else number
    return f"{amount(current)} of {amount(kr['targetValue'])} (from {amount(kr['startValue'])})"


def numeric_key_result(me: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    for goal in me["goals"]:
        for kr in goal["keyResults"]:
            if kr["metricKind"] in ("NUMBER", "PERCENTAGE") and kr["progress"] < 1:
                return goal, kr
    raise AssertionError("the persona has no numeric key result short of its target")


async def test_key_result_progress_recorded_elsewhere_appears_live(page: Page, web_server: RunningServer) -> None:
    # given the employee on the goals page, and one of their key results as the API has it
    me = (await web_server.client("employee").data(MY_GOALS))["me"]
    goal, kr = numeric_key_result(me)
    await open_app(page, web_server, "employee", "/goals")
    item = page.locator(f'li.g-kr:has([data-kr-id="{kr["id"]}"])')
    await expect(item.locator(".g-kr-values")).to_have_text(values(kr, kr["currentValue"]))
    # every query of the page answered (a response read before the change and arriving after its event would
    # show the older progress), and the page following the employee's goals and the alignment tree's root
    await expect(page.locator("li.g-node").first).to_be_visible()
    await web_server.wait_subscribers(2)
    # when the value is recorded from outside the browser
    new_value = round((kr["currentValue"] + kr["targetValue"]) / 2, 2)
    result = (await web_server.client("employee").data(RECORD, {"kr": kr["id"], "value": new_value}))
    payload = result["updateKeyResultProgress"]
    assert payload["errors"] == []
    moved = next(k for k in payload["goal"]["keyResults"] if k["id"] == kr["id"])
    # then within a second the key result shows the new value and progress, highlighted, and so does its goal
    await expect(item.locator(".g-kr-values")).to_have_text(values(kr, new_value), timeout=1000)
    await expect(item.get_by_role("progressbar")).to_have_attribute("aria-valuetext", percent(moved["progress"]))
    await expect(item).to_have_attribute("data-changed", "true")
    card = page.locator(f'article[data-goal-id="{goal["id"]}"]')
    await expect(card.get_by_role("progressbar", name=f"Progress of {goal['title']}")).to_have_attribute(
        "aria-valuetext", percent(payload["goal"]["progress"]))


async def test_an_answer_read_before_a_change_does_not_undo_its_live_update(page: Page,
                                                                           web_server: RunningServer) -> None:
    # given the employee's goals page whose alignment tree is answered before a change and delivered after it
    me = (await web_server.client("employee").data(MY_GOALS))["me"]
    goal, kr = numeric_key_result(me)
    answered, release = asyncio.Event(), asyncio.Event()

    async def hold_tree(route: Route) -> None:
        if "GoalTree" not in (route.request.post_data or route.request.url):
            await route.continue_()
            return
        response = await route.fetch()  # the goals as stored before the change
        answered.set()
        await release.wait()
        await route.fulfill(response=response)

    await page.route("**/graphql*", hold_tree)
    await open_app(page, web_server, "employee", "/goals")
    item = page.locator(f'li.g-kr:has([data-kr-id="{kr["id"]}"])')
    await expect(item.locator(".g-kr-values")).to_have_text(values(kr, kr["currentValue"]))
    await asyncio.wait_for(answered.wait(), 10)
    await web_server.wait_subscribers(2)
    # when a new value is recorded from outside and its event has shown
    new_value = round((kr["currentValue"] + kr["targetValue"]) / 2, 2)
    payload = (await web_server.client("employee").data(RECORD, {"kr": kr["id"], "value": new_value}))[
        "updateKeyResultProgress"]
    bar = page.locator(f'article[data-goal-id="{goal["id"]}"]').get_by_role(
        "progressbar", name=f"Progress of {goal['title']}")
    await expect(bar).to_have_attribute("aria-valuetext", percent(payload["goal"]["progress"]))
    # and only then the tree's older answer arrives
    release.set()
    await expect(page.locator("li.g-node").first).to_be_visible()
    # then the goal keeps the new progress, on its card and in the tree
    await expect(bar).to_have_attribute("aria-valuetext", percent(payload["goal"]["progress"]))
    await expect(item.locator(".g-kr-values")).to_have_text(values(kr, new_value))
    node = page.locator(f'li.g-node[data-goal-id="{goal["id"]}"] > .g-node-row .g-node-progress')
    await expect(node).to_have_text(percent(payload["goal"]["progress"]))


def tree_nodes(node: dict[str, Any]) -> list[dict[str, Any]]:
    found = [node]
    for child in node.get("children") or []:
        found += tree_nodes(child)
    return found


async def test_the_alignment_tree_shows_the_apis_tree_with_redacted_goals(page: Page,
                                                                         web_server: RunningServer) -> None:
    # given the tree below the highest goal above the employee's first aligned goal, as the API answers it
    me = (await web_server.client("employee").data(MY_GOALS))["me"]
    top = next(g["parent"] for g in me["goals"] if g["parent"])
    while top.get("parent"):
        top = top["parent"]
    tree = (await web_server.client("employee").data(TREE, {"root": top["id"]}))["goalTree"]
    nodes = tree_nodes(tree)
    redacted = [n for n in nodes if n["redacted"]]
    assert redacted, "the employee's tree holds a goal they may not see"
    # when the employee opens the goals page and expands every goal of the tree
    await open_app(page, web_server, "employee", "/goals")
    view = page.get_by_role("list", name="Goals aligned below", exact=False)
    await expect(view.locator("li.g-node").first).to_be_visible()
    for _ in range(len(nodes)):
        closed = view.locator('button[aria-expanded="false"]')
        if await closed.count() == 0:
            break
        await closed.first.click()
    # then it shows each goal of the API's tree once, in the API's order, redacted ones without a title
    shown = await view.locator("li.g-node").evaluate_all("items => items.map(i => i.dataset.goalId)")
    assert shown == [n["goalId"] for n in nodes]
    hidden = view.locator("li.g-node-redacted")
    assert await hidden.evaluate_all("items => items.map(i => i.dataset.goalId)") == [n["goalId"] for n in redacted]
    redacted_titles = await hidden.locator("> .g-node-row .g-node-title").all_inner_texts()
    assert redacted_titles == ["A goal you cannot see"] * len(redacted)
    assert await hidden.locator("> .g-node-row a").count() == 0
    assert await view.locator("a.g-node-title").all_inner_texts() == [n["goal"]["title"] for n in nodes if n["goal"]]
    # and the employee's own goals are marked as theirs
    mine = {g["id"] for g in me["goals"]}
    marked = await view.locator("li.g-node-mine").evaluate_all("items => items.map(i => i.dataset.goalId)")
    assert marked == [n["goalId"] for n in nodes if n["goalId"] in mine]


async def test_a_goal_page_records_progress_and_says_a_refusal_in_words(page: Page, web_server: RunningServer) -> None:
    # given the employee on the page of one of their goals with a percentage key result
    me = (await web_server.client("employee").data(MY_GOALS))["me"]
    goal, kr = next((g, k) for g in me["goals"] for k in g["keyResults"] if k["metricKind"] == "PERCENTAGE")
    await open_app(page, web_server, "employee", f"/goals/{goal['id']}")
    form = page.get_by_role("form", name=f"Record progress on {kr['title']}")
    # when they record a percentage above 100
    await form.get_by_label("New value (%)").fill("150")
    await form.get_by_role("button", name="Record").click()
    # then the refusal is said in words and nothing changed
    item = page.locator("li.g-kr-item").filter(has=form)
    await expect(item.get_by_role("alert")).to_have_text(
        "Value is not valid: A percentage lies between 0 and 100, not 150.")
    stored = (await web_server.client("employee").data(KEY_RESULT, {"id": goal["id"]}))["goal"]
    assert next(k for k in stored["keyResults"] if k["id"] == kr["id"])["currentValue"] == kr["currentValue"]
    # when they record 75 with a comment
    await form.get_by_label("New value (%)").fill("75")
    await form.get_by_label("Comment (optional)").fill("Two suites migrated")
    await form.get_by_role("button", name="Record").click()
    await expect(form.get_by_role("status")).to_have_text("Saved.")
    # then the API holds it, and the page shows the new value, its progress and the history entry
    stored = (await web_server.client("employee").data(KEY_RESULT, {"id": goal["id"]}))["goal"]
    saved = next(k for k in stored["keyResults"] if k["id"] == kr["id"])
    assert saved["currentValue"] == 75
    assert {"newValue": 75.0, "comment": "Two suites migrated"} in stored["progressHistory"]
    await expect(item.locator(".g-kr-values")).to_have_text(values(kr, 75))
    await expect(item.get_by_role("progressbar")).to_have_attribute("aria-valuetext", percent(saved["progress"]))
    await expect(item.get_by_role("alert")).to_have_count(0)
    await expect(page.locator(".g-history li").first).to_contain_text("Two suites migrated")


async def test_the_goals_pages_pass_axe_and_fit_a_phone(page: Page, web_server: RunningServer) -> None:
    # given the manager (their goals, their team's and the tree) on the goals page
    team = (await web_server.client("manager").data(TEAM))["myTeamGoals"]
    await open_app(page, web_server, "manager", "/goals")
    await expect(page.get_by_role("heading", name="My team's goals")).to_be_visible()
    # then the team's summary is the API's, a row per direct report
    rows = page.get_by_role("table", name="Goals of your direct reports").locator("tbody tr")
    def summary(member: dict[str, Any]) -> list[str]:
        mean = "–" if member["meanProgress"] is None else percent(member["meanProgress"])
        return [member["employee"]["name"], str(member["goalCount"]), mean, str(member["atRiskCount"]),
                str(member["offTrackCount"])]

    assert [await row.locator("th, td").all_inner_texts() for row in await rows.all()] == [summary(m) for m in team]
    await expect(page.locator("li.g-node").first).to_be_visible()
    # then axe-core finds nothing serious or critical, on the overview and on a goal's page
    serious = [v for v in await axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    ARTIFACTS.mkdir(exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / "goals.png"), full_page=True)
    await page.locator("article.g-card h3 a").first.click()
    await expect(page.get_by_role("heading", name="Key results")).to_be_visible()
    await expect(page.locator("li.g-node").first).to_be_visible()
    serious = [v for v in await axe(page) if v["impact"] in ("serious", "critical")]
    assert serious == []
    # and at a phone's width (375 px) nothing needs scrolling sideways
    await page.set_viewport_size({"width": 375, "height": 800})
    for path in ("/goals",):
        await page.goto(f"{base_url(web_server)}/app{path}")
        await expect(page.locator("li.g-node").first).to_be_visible()
        assert await page.evaluate("() => document.documentElement.scrollWidth") <= 375
