"""The review rules of models/reviews/permissions.py as tables: (viewer, review or form, expected decision).

Built from small in-memory documents, no server: one organisation where the skip-level manager ``skip``
manages ``boss``, who manages ``reviewee`` and ``peer``; ``hr`` is an HR admin outside that chain;
``outsider`` and ``outsider_hr`` belong to another organisation. ``reviewee`` is reviewed: ``reviewee``
writes the self form, ``boss`` the manager's form, ``peer`` a peer form and ``report`` (a direct report of
the reviewee, not among the viewers) the upward form.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.core.viewer import Viewer
from models.reviews.permissions import (
    can_calibrate_review,
    can_edit_review_form,
    can_follow_cycle,
    can_manage_reviews,
    can_move_review,
    can_nominate_peers,
    can_read_review_answer,
    can_read_review_form,
    can_see_competency_profile,
    can_see_cycle_scores,
    can_see_review,
    can_see_review_feedback,
    can_see_review_score,
    can_submit_review_form,
    review_relations,
)
from tests.cast import ORG, OTHER_ORG, Document, cast, cells, viewer_in

PEOPLE: dict[str, Document] = cast("reviewee", "boss")
VIEWERS = tuple(PEOPLE)
REVIEWEE = PEOPLE["reviewee"]
REVIEWER_OF = {"self": "reviewee", "manager": "boss", "peer": "peer", "upward": "report"}


def viewer(name: str) -> Viewer:
    return viewer_in(PEOPLE, name, managers=("boss", "skip"))


def review(state: str, organization_id: str = ORG) -> Document:
    return {"_id": f"review-{state}-{organization_id}", "organizationId": organization_id, "state": state,
            "employeeId": "reviewee"}


def form(kind: str, state: str = "in_progress") -> Document:
    return {"_id": f"form-{kind}-{state}", "organizationId": ORG, "kind": kind, "reviewerId": REVIEWER_OF[kind],
            "state": state}


def template(peers: str = "anonymous", upward: str = "hidden") -> Document:
    return {"_id": "template", "organizationId": ORG, "peerVisibility": peers, "upwardVisibility": upward}


T, F = True, False
UNSHARED, SHARED = review("self_review"), review("shared")

# -- rules about the viewer alone ---------------------------------------------------------------------
#                         reviewee boss skip peer hr outsider outsider_hr
VIEWER_RULES: dict[str, tuple[bool, ...]] = {
    "can_manage_reviews":   (F, F, F, F, T, F, T),
    "can_see_cycle_scores": (F, F, F, F, T, F, T),
    "can_follow_cycle":     (F, T, T, F, T, F, T),
}
VIEWER_RULE: dict[str, Callable[[Viewer], bool]] = {
    "can_manage_reviews": can_manage_reviews, "can_see_cycle_scores": can_see_cycle_scores,
    "can_follow_cycle": can_follow_cycle,
}


@pytest.mark.parametrize(("rule", "name", "expected"), cells(VIEWER_RULES, VIEWERS))
def test_rules_about_the_viewer_alone(rule: str, name: str, expected: bool) -> None:
    # given the viewer / when the rule is asked / then HR admins manage and see scores, managers follow cycles
    assert VIEWER_RULE[rule](viewer(name)) is expected


def test_how_each_viewer_relates_to_the_reviewee() -> None:
    # given each viewer / when asked how they relate to the reviewee
    relations = {name: review_relations(viewer(name), REVIEWEE) for name in VIEWERS}
    # then the reviewee is themselves, anyone above them a manager, an HR admin of their organisation one
    assert relations == {"reviewee": {"reviewee"}, "boss": {"manager"}, "skip": {"manager"}, "peer": set(),
                         "hr": {"hr_admin"}, "outsider": set(), "outsider_hr": set()}


# -- rules about a review -------------------------------------------------------------------------------
ANY_ONE = frozenset({"reviewee", "manager", "hr_admin"})
MANAGERS = frozenset({"manager", "hr_admin"})
REVIEW_CASES: dict[str, Callable[[Viewer], bool]] = {
    "see the review": lambda v: can_see_review(v, UNSHARED, REVIEWEE),
    "see another organisation's review": lambda v: can_see_review(v, review("self_review", OTHER_ORG),
                                                                  {**REVIEWEE, "organizationId": OTHER_ORG}),
    "see the score before sharing": lambda v: can_see_review_score(v, UNSHARED, REVIEWEE),
    "see the score once shared": lambda v: can_see_review_score(v, SHARED, REVIEWEE),
    "move it where anyone may": lambda v: can_move_review(v, UNSHARED, REVIEWEE, ANY_ONE),
    "move it where managers may": lambda v: can_move_review(v, UNSHARED, REVIEWEE, MANAGERS),
    "acknowledge it": lambda v: can_move_review(v, SHARED, REVIEWEE, frozenset({"reviewee"})),
    "calibrate it": lambda v: can_calibrate_review(v, review("calibration"), REVIEWEE),
    "nominate its peers": lambda v: can_nominate_peers(v, UNSHARED, REVIEWEE),
    "see the competency profile": lambda v: can_see_competency_profile(v, REVIEWEE),
}
#                                        reviewee boss skip peer hr outsider outsider_hr
REVIEW_RULES: dict[str, tuple[bool, ...]] = {
    "see the review":                      (T, T, T, F, T, F, F),
    "see another organisation's review":   (F, F, F, F, F, F, T),
    "see the score before sharing":        (F, T, T, F, T, F, F),
    "see the score once shared":           (T, T, T, F, T, F, F),
    "move it where anyone may":            (T, T, T, F, T, F, F),
    "move it where managers may":          (F, T, T, F, T, F, F),
    "acknowledge it":                      (T, F, F, F, F, F, F),
    "calibrate it":                        (F, T, T, F, T, F, F),
    "nominate its peers":                  (T, T, T, F, T, F, F),
    "see the competency profile":          (T, T, T, F, T, F, F),
}


@pytest.mark.parametrize(("case", "name", "expected"), cells(REVIEW_RULES, VIEWERS))
def test_who_may_see_and_act_on_a_review(case: str, name: str, expected: bool) -> None:
    # given the reviewee's review (in self review, in calibration or shared) / when the viewer asks to act
    # then the reviewee, their managers and HR admins of the same organisation may, as the row says
    assert REVIEW_CASES[case](viewer(name)) is expected


# -- reading forms and answers --------------------------------------------------------------------------
FORM_CASES: dict[str, tuple[Document, Document, Document]] = {
    "self form before sharing": (form("self"), UNSHARED, template()),
    "manager's form before sharing": (form("manager"), UNSHARED, template()),
    "manager's form once shared": (form("manager"), SHARED, template()),
    "anonymous peer form before sharing": (form("peer"), UNSHARED, template()),
    "anonymous peer form once shared": (form("peer"), SHARED, template()),
    "named peer form once shared": (form("peer"), SHARED, template(peers="named")),
    "hidden upward form once shared": (form("upward"), SHARED, template()),
    "named upward form once shared": (form("upward"), SHARED, template(upward="named")),
}
#                                          reviewee boss skip peer hr outsider outsider_hr
READ_FORM_RULES: dict[str, tuple[bool, ...]] = {
    "self form before sharing":              (T, T, T, F, T, F, F),
    "manager's form before sharing":         (F, T, T, F, T, F, F),
    "manager's form once shared":            (T, T, T, F, T, F, F),
    "anonymous peer form before sharing":    (F, T, T, T, T, F, F),
    "anonymous peer form once shared":       (F, T, T, T, T, F, F),
    "named peer form once shared":           (T, T, T, T, T, F, F),
    "hidden upward form once shared":        (F, T, T, F, T, F, F),
    "named upward form once shared":         (T, T, T, F, T, F, F),
}


@pytest.mark.parametrize(("case", "name", "expected"), cells(READ_FORM_RULES, VIEWERS))
def test_who_may_read_a_form(case: str, name: str, expected: bool) -> None:
    # given a form of the review, as its state and template have it
    doc, of_review, with_template = FORM_CASES[case]
    # when the viewer reads it / then its reviewer, the reviewee's managers and HR admins always may, the
    # reviewee only once shared (the manager's form, and peer or upward forms where the template names them)
    assert can_read_review_form(viewer(name), doc, of_review, REVIEWEE, with_template) is expected


ANSWER_CASES: dict[str, tuple[Document, Document, list[str]]] = {
    "self form, managers read": (form("self"), UNSHARED, ["manager"]),
    "self form, the reviewee reads": (form("self"), UNSHARED, ["reviewee"]),
    "shared manager's form, both read": (form("manager"), SHARED, ["reviewee", "manager"]),
    "shared manager's form, managers read": (form("manager"), SHARED, ["manager"]),
    "shared manager's form, no one else reads": (form("manager"), SHARED, []),
}
#                                                 reviewee boss skip peer hr outsider outsider_hr
READ_ANSWER_RULES: dict[str, tuple[bool, ...]] = {
    "self form, managers read":                     (T, T, T, F, T, F, F),
    "self form, the reviewee reads":                (T, F, F, F, T, F, F),
    "shared manager's form, both read":             (T, T, T, F, T, F, F),
    "shared manager's form, managers read":         (F, T, T, F, T, F, F),
    "shared manager's form, no one else reads":     (F, T, F, F, T, F, F),
}


@pytest.mark.parametrize(("case", "name", "expected"), cells(READ_ANSWER_RULES, VIEWERS))
def test_who_may_read_an_answer(case: str, name: str, expected: bool) -> None:
    # given an answer to a question whose readers are listed, on a form of the review
    doc, of_review, readers = ANSWER_CASES[case]
    question = {"id": "q", "readers": readers}
    # when the viewer reads it / then the form's reviewer and HR admins may, others if the readers name them
    assert can_read_review_answer(viewer(name), doc, of_review, REVIEWEE, template(), question) is expected


FEEDBACK_CASES: dict[str, tuple[str, Document, Document, int]] = {
    "anonymous peers before sharing": ("peer", UNSHARED, template(), 3),
    "anonymous peers, 3 answers, shared": ("peer", SHARED, template(), 3),
    "anonymous peers, 2 answers, shared": ("peer", SHARED, template(), 2),
    "named peers, 1 answer, shared": ("peer", SHARED, template(peers="named"), 1),
    "hidden upward, 5 answers, shared": ("upward", SHARED, template(), 5),
    "anonymous upward, 3 answers, shared": ("upward", SHARED, template(upward="anonymous"), 3),
}
#                                              reviewee boss skip peer hr outsider outsider_hr
FEEDBACK_RULES: dict[str, tuple[bool, ...]] = {
    "anonymous peers before sharing":            (F, T, T, F, T, F, F),
    "anonymous peers, 3 answers, shared":        (T, T, T, F, T, F, F),
    "anonymous peers, 2 answers, shared":        (F, T, T, F, T, F, F),
    "named peers, 1 answer, shared":             (T, T, T, F, T, F, F),
    "hidden upward, 5 answers, shared":          (F, T, T, F, T, F, F),
    "anonymous upward, 3 answers, shared":       (T, T, T, F, T, F, F),
}


@pytest.mark.parametrize(("case", "name", "expected"), cells(FEEDBACK_RULES, VIEWERS))
def test_who_may_see_peer_and_upward_feedback(case: str, name: str, expected: bool) -> None:
    # given the peer or upward answers of the review, so many of them submitted
    kind, of_review, with_template, answered = FEEDBACK_CASES[case]
    # when the viewer asks for their aggregate / then managers and HR admins may; the reviewee once shared,
    # unless hidden, and anonymous answers only from the anonymity threshold (3) on
    assert can_see_review_feedback(viewer(name), kind, of_review, REVIEWEE, with_template, answered) is expected


# -- writing on forms -----------------------------------------------------------------------------------
EDIT_CASES: dict[str, tuple[Document, Document]] = {
    "self form in self review": (form("self"), UNSHARED),
    "self form in calibration": (form("self"), review("calibration")),
    "manager's form in calibration": (form("manager"), review("calibration")),
    "submitted manager's form in calibration": (form("manager", "submitted"), review("calibration")),
    "manager's form once shared": (form("manager"), SHARED),
    "peer form in calibration": (form("peer"), review("calibration")),
}
#                                                  reviewee boss skip peer hr outsider outsider_hr
EDIT_RULES: dict[str, tuple[bool, ...]] = {
    "self form in self review":                      (T, F, F, F, F, F, F),
    "self form in calibration":                      (T, F, F, F, F, F, F),
    "manager's form in calibration":                 (F, T, T, F, T, F, F),
    "submitted manager's form in calibration":       (F, F, F, F, F, F, F),
    "manager's form once shared":                    (F, F, F, F, F, F, F),
    "peer form in calibration":                      (F, F, F, T, F, F, F),
}


@pytest.mark.parametrize(("case", "name", "expected"), cells(EDIT_RULES, VIEWERS))
def test_who_may_answer_on_a_form(case: str, name: str, expected: bool) -> None:
    # given a form in the state the row names / when the viewer writes an answer on it
    doc, of_review = EDIT_CASES[case]
    # then its reviewer may until it is submitted or the review shared; during calibration the reviewee's
    # managers and HR admins may too, on the manager's form only
    assert can_edit_review_form(viewer(name), doc, of_review, REVIEWEE) is expected


#                                  reviewee boss skip peer hr outsider outsider_hr
SUBMIT_RULES: dict[str, tuple[bool, ...]] = {
    "self":                          (T, F, F, F, F, F, F),
    "manager":                       (F, T, F, F, F, F, F),
    "peer":                          (F, F, F, T, F, F, F),
}


@pytest.mark.parametrize(("kind", "name", "expected"), cells(SUBMIT_RULES, VIEWERS))
def test_only_the_reviewer_submits_a_form(kind: str, name: str, expected: bool) -> None:
    # given a form of the kind the row names / when the viewer submits it / then only its reviewer may
    assert can_submit_review_form(viewer(name), form(kind)) is expected


def test_a_form_of_another_organisation_is_nobodys_to_submit_here() -> None:
    # given a form of the other organisation whose reviewer id is the reviewee's id
    foreign = {**form("self"), "organizationId": OTHER_ORG}
    # when that viewer submits it / then they may not: the form is not of their organisation
    assert can_submit_review_form(viewer("reviewee"), foreign) is False
