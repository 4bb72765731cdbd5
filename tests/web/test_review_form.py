"""The live review form (/app/reviews/<form id>) in Chromium, end to end against the real server and the committed
build: two people on one form see each other's presence and answers live, a conflicting edit shows the merge
and merging resolves it, a submit with a required answer missing is refused in words; axe-core finds nothing
serious; a screenshot of the form is kept in tests/web/artifacts/review-form.png.

The form: the manager persona's manager form of one of their reports in the running cycle, with the review
moved to calibration by the HR admin persona, so that both may answer it (the reviewer, and during
calibration HR admins: models/reviews/permissions.py, can_edit_review_form)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from playwright.async_api import Browser, Page, Request, Route, expect

from tests.conftest import RunningServer
from tests.reviews.support import MOVE_REVIEW, RUNNING, SEED, TEMPLATE, UNKNOWN_ID, person, persona
from tests.web.conftest import axe, base_url, sign_in

ARTIFACTS = Path(__file__).parent / "artifacts"
MANAGER = persona("manager")
HR = persona("hr_admin")
# one of the manager's reports whose forms the seed left unanswered: the scores below are this form's answers alone
REVIEW = min((r for r in SEED["reviews"] if r["cycleId"] == RUNNING["_id"] and r.get("managerId") == MANAGER["_id"]
              and not any(f["answers"] for f in SEED["reviewForms"] if f["reviewId"] == r["_id"])),
             key=lambda r: r["_id"])
REVIEWEE = person(REVIEW["employeeId"])
FORM = next(f for f in SEED["reviewForms"] if f["reviewId"] == REVIEW["_id"] and f["kind"] == "manager")
QUESTIONS = {q["id"]: q for s in TEMPLATE["sections"] if "manager" in s["reviewerKinds"] for q in s["questions"]
             if "manager" in q["reviewerKinds"]}
STRENGTHS = QUESTIONS["strengths"]["text"]
IMPACT = QUESTIONS["impact"]["text"]

ANSWER = """query($id: ID!) { reviewForm(id: $id) { state answers { questionId value version by { name } } } }"""


class HeldSave:
    """The next answer a page saves, held on its way to the server until ``release`` is set: the other person's
    save lands in between, whatever the timing."""

    def __init__(self) -> None:
        self.arm()

    def arm(self) -> None:
        self.held, self.release, self.armed = asyncio.Event(), asyncio.Event(), True

    async def route(self, route: Route, request: Request) -> None:
        if self.armed and "UpdateReviewAnswer" in (request.post_data or ""):
            self.armed = False
            self.held.set()
            await self.release.wait()
        await route.continue_()


async def to_calibration(server: RunningServer) -> None:
    for state in ("MANAGER_REVIEW", "CALIBRATION"):
        moved = await server.client("hr_admin").data(MOVE_REVIEW, {"review": REVIEW["_id"], "state": state})
        assert moved["moveReview"]["errors"] == [], moved


async def stored(server: RunningServer) -> dict[str, Any]:
    return dict((await server.client("hr_admin").data(ANSWER, {"id": FORM["_id"]}))["reviewForm"])


@asynccontextmanager
async def signed_in(browser: Browser, server: RunningServer, who: str, *, width: int = 1280) -> AsyncIterator[Page]:
    context = await browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    try:
        page = await context.new_page()
        await sign_in(page, server, who)
        await page.wait_for_url(f"{base_url(server)}/app/")
        yield page
    finally:
        await context.close()


async def open_form(page: Page, server: RunningServer) -> None:
    await page.goto(f"{base_url(server)}/app/reviews/{FORM['_id']}")
    await expect(page.get_by_role("heading", level=1)).to_have_text(f"Manager review of {REVIEWEE['name']}")


def question(page: Page, key: str) -> Any:
    return page.locator(f"li.question:has(#q-{key})")


def others(page: Page) -> Any:
    return page.locator(".presence li[data-session=other] .presence-who")


async def test_two_people_see_each_others_presence_and_answers_live(web_server: RunningServer,
                                                                    browser: Browser) -> None:
    # given the review in calibration, its manager and an HR admin on its manager form (the manager from the list)
    await to_calibration(web_server)
    async with signed_in(browser, web_server, "manager") as manager, \
            signed_in(browser, web_server, "hr_admin", width=375) as hr:
        await manager.get_by_role("link", name="My reviews").click()
        card = manager.get_by_role("link", name=f"Manager review of {REVIEWEE['name']}").first
        await expect(card.locator(".form-card-meta")).to_have_text(
            "H2 2026 performance review · Not started · due November 22, 2026 (overdue)")
        violations = await axe(manager)
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []
        await card.click()
        await expect(manager.get_by_role("heading", level=1)).to_have_text(f"Manager review of {REVIEWEE['name']}")
        await open_form(hr, web_server)
        # then each sees the other, just viewing
        await expect(others(manager)).to_have_text([f"{HR['name']} viewing"])
        await expect(others(hr)).to_have_text([f"{MANAGER['name']} viewing"])

        # when the manager starts on "What went particularly well?"
        await question(manager, "strengths").locator("textarea").focus()
        # then the HR admin sees where they are, in the list and on the question
        await expect(others(hr)).to_have_text([f"{MANAGER['name']} on “{STRENGTHS}”"])
        await expect(question(hr, "strengths").locator(".here-words")).to_have_text(
            f"{MANAGER['name']} is on this question")

        # when the manager types an answer, typing on while its first part is being saved
        hold = HeldSave()
        await manager.route("**/graphql", hold.route)
        await question(manager, "strengths").locator("textarea").press_sequentially("Led")
        async with asyncio.timeout(5):
            await hold.held.wait()
        await question(manager, "strengths").locator("textarea").press_sequentially(" the launch.")
        hold.release.set()
        # then both parts are saved, the second on the version the first wrote
        await expect(question(manager, "strengths").locator(".save-state [role=status]")).to_have_text("Saved")
        # then the HR admin's field shows it, highlighted, with who saved it
        await expect(question(hr, "strengths").locator("textarea")).to_have_value("Led the launch.")
        await expect(question(hr, "strengths")).to_have_attribute("data-changed", "true")
        await expect(question(hr, "strengths").locator(".save-state [role=status]")).to_have_text(
            f"Last saved by {MANAGER['name']}")

        # when the HR admin rates the impact "4 · Exceeds expectations"
        await question(hr, "impact").get_by_label("4 · Exceeds expectations").check()
        # then the manager sees the rating and the form's and the review's score move to 4, provisional
        await expect(question(manager, "impact").get_by_label("4 · Exceeds expectations")).to_be_checked()
        await expect(manager.locator(".score-form")).to_have_text("4 of 5 (provisional)")
        await expect(manager.locator(".score-review")).to_have_text("4 of 5 (provisional)")
        await expect(manager.locator(".score-final")).to_have_text("4 of 5")
        await expect(others(manager)).to_have_text([f"{HR['name']} on “{QUESTIONS['impact']['text']}”"])

        # and at a phone's width nothing is wider than the screen
        assert await hr.evaluate("() => document.documentElement.scrollWidth") <= 375
        ARTIFACTS.mkdir(exist_ok=True)
        await hr.screenshot(path=ARTIFACTS / "review-form-phone.png")

        # when the HR admin closes the form, then the manager sees them gone
        await hr.goto(f"{base_url(web_server)}/app/reviews")
        await expect(others(manager)).to_have_count(0)

    answers = {a["questionId"]: a for a in (await stored(web_server))["answers"]}
    assert answers["strengths"] == {"questionId": "strengths", "value": "Led the launch.", "version": 2,
                                    "by": {"name": MANAGER["name"]}}
    assert answers["impact"] == {"questionId": "impact", "value": 4, "version": 1, "by": {"name": HR["name"]}}


async def test_a_conflicting_edit_shows_the_merge_and_combining_resolves_it(web_server: RunningServer,
                                                                            browser: Browser) -> None:
    await to_calibration(web_server)
    async with signed_in(browser, web_server, "manager") as manager, signed_in(browser, web_server, "hr_admin") as hr:
        await open_form(manager, web_server)
        await open_form(hr, web_server)
        # given the manager's save held on its way to the server (both start on the empty answer, version 0)
        hold = HeldSave()
        await manager.route("**/graphql", hold.route)
        await question(manager, "strengths").locator("textarea").fill("Mine.")
        async with asyncio.timeout(5):
            await hold.held.wait()
        # when the HR admin saves another answer first
        await question(hr, "strengths").locator("textarea").fill("Theirs.")
        await expect(question(hr, "strengths").locator(".save-state [role=status]")).to_have_text("Saved")
        # then the manager, who is editing it, keeps what they typed (the change has reached them)
        await expect(manager.locator(".last-change")).to_have_text(
            f"{HR['name']} just saved an answer to “{STRENGTHS}”")
        await expect(question(manager, "strengths").locator("textarea")).to_have_value("Mine.")

        # when the manager's save reaches the server, on the version they started from
        hold.release.set()
        # then it is refused as a conflict, shown inline with the other value and the ways to merge
        conflict = question(manager, "strengths").locator(".conflict")
        await expect(conflict.locator(".conflict-title")).to_have_text(
            f"{HR['name']} saved this answer while you were editing it.")
        await expect(conflict.locator(".theirs")).to_have_text("Theirs.")
        await expect(conflict.locator(".mine")).to_have_text("Mine.")
        await expect(question(manager, "strengths").locator(".save-state [role=status]")).to_have_text(
            "Not saved: someone else changed this answer")
        await expect(conflict.get_by_role("button")).to_have_text(["Use their answer", "Keep mine", "Combine both"])
        assert [(a["questionId"], a["value"]) for a in (await stored(web_server))["answers"]] == [
            ("strengths", "Theirs.")]
        ARTIFACTS.mkdir(exist_ok=True)
        await question(manager, "strengths").screenshot(path=ARTIFACTS / "review-form-conflict.png")
        violations = await axe(manager)
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

        # when the manager combines both
        await conflict.get_by_role("button", name="Combine both").click()
        # then the combined text is saved on the HR admin's version, and both see it
        await expect(conflict).to_have_count(0)
        await expect(question(manager, "strengths").locator(".save-state [role=status]")).to_have_text("Saved")
        await expect(question(manager, "strengths").locator("textarea")).to_have_value("Theirs.\n\nMine.")
        await expect(question(hr, "strengths").locator("textarea")).to_have_value("Theirs.\n\nMine.")

        # given, on the impact rating, the manager's save held again while the HR admin rates it first
        hold.arm()
        await question(manager, "impact").get_by_label("2 · Below expectations").check()
        async with asyncio.timeout(5):
            await hold.held.wait()
        await question(hr, "impact").get_by_label("5 · Far exceeds expectations").check()
        await expect(question(hr, "impact").locator(".save-state [role=status]")).to_have_text("Saved")
        await expect(manager.locator(".last-change")).to_have_text(
            f"{HR['name']} just saved an answer to “{IMPACT}”")
        await expect(question(manager, "impact").get_by_label("2 · Below expectations")).to_be_checked()
        hold.release.set()
        # then the conflict offers their rating or the manager's (no combining ratings)
        conflict = question(manager, "impact").locator(".conflict")
        await expect(conflict.locator(".theirs")).to_have_text("Far exceeds expectations (5)")
        await expect(conflict.locator(".mine")).to_have_text("Below expectations (2)")
        await expect(conflict.get_by_role("button")).to_have_text(["Use their answer", "Keep mine"])
        # when the manager keeps their own, then it is sent again on the HR admin's version and both see it
        await conflict.get_by_role("button", name="Keep mine").click()
        await expect(question(manager, "impact").locator(".save-state [role=status]")).to_have_text("Saved")
        await expect(question(hr, "impact").get_by_label("2 · Below expectations")).to_be_checked()

    answers = {a["questionId"]: a for a in (await stored(web_server))["answers"]}
    assert answers == {
        "strengths": {"questionId": "strengths", "value": "Theirs.\n\nMine.", "version": 2,
                      "by": {"name": MANAGER["name"]}},
        "impact": {"questionId": "impact", "value": 2, "version": 2, "by": {"name": MANAGER["name"]}},
    }


async def test_submitting_with_a_required_answer_missing_is_refused_in_words(web_server: RunningServer,
                                                                             browser: Browser) -> None:
    async with signed_in(browser, web_server, "manager") as manager:
        # given the manager's form with every required question answered but "Readiness for promotion"
        await open_form(manager, web_server)
        await question(manager, "impact").get_by_label("3 · Meets expectations").check()
        for key in ("competency-communication", "competency-collaboration", "competency-delivery"):
            await question(manager, key).locator("input[type=radio][value='3']").check()
        await question(manager, "strengths").locator("textarea").fill("Steady delivery all half.")
        # when they submit at once (the text still waiting for its typing pause)
        await manager.get_by_role("button", name="Submit the form").click()
        # then it is refused, naming the question in words, and the question says so
        refusal = manager.locator("#submit-refusal")
        await expect(refusal.locator("p")).to_have_text(
            "The form was not submitted: one required question needs an answer first.")
        await expect(refusal.get_by_role("link")).to_have_text([QUESTIONS["promotion"]["text"]])
        await expect(question(manager, "promotion").locator(".missing-words")).to_have_text(
            "This question needs an answer before the form can be submitted.")
        await expect(manager.locator(".score-form")).to_have_text("3 of 5 (provisional)")
        ARTIFACTS.mkdir(exist_ok=True)
        await manager.evaluate("window.scrollTo(0, 0)")
        await manager.screenshot(path=ARTIFACTS / "review-form.png", full_page=True)
        violations = await axe(manager)
        assert [v["id"] for v in violations if v["impact"] in ("serious", "critical")] == []

        # and nothing was submitted, while every answer given was saved
        form = await stored(web_server)
        assert form["state"] == "IN_PROGRESS"
        assert sorted(a["questionId"] for a in form["answers"]) == sorted(
            ["impact", "competency-communication", "competency-collaboration", "competency-delivery", "strengths"])

        # when they answer it from the refusal's link and submit again
        await refusal.get_by_role("link").click()
        await question(manager, "promotion").get_by_label("Within a year").check()
        await expect(question(manager, "promotion").locator(".save-state [role=status]")).to_have_text("Saved")
        await manager.get_by_role("button", name="Submit the form").click()
        # then the form is submitted and read-only
        await expect(manager.locator(".form-meta .state")).to_have_text("Submitted")
        await expect(manager.locator(".notice")).to_have_text(
            "This form has been submitted; it can no longer be changed.")
        await expect(manager.locator("textarea")).to_have_count(0)

        # and a form that does not exist says so in words
        await manager.goto(f"{base_url(web_server)}/app/reviews/{UNKNOWN_ID}")
        await expect(manager.get_by_role("heading", level=1)).to_have_text("Review form not found")
        await expect(manager.locator("main p")).to_have_text(
            "This review form does not exist or is not yours to read. Back to my review forms.")
    assert (await stored(web_server))["state"] == "SUBMITTED"
