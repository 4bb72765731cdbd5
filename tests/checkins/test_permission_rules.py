"""The check-in rules of models/checkins/permissions.py as tables: (viewer, document, expected decision).

Built from small in-memory documents, no server: one organisation where the skip-level manager ``skip``
manages ``manager``, who manages ``employee`` and ``peer``; ``hr`` is an HR admin outside that chain;
``outsider`` and ``outsider_hr`` belong to another organisation. The series and its occurrence are
between ``employee`` and ``manager``; each participant keeps a private note on the occurrence.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from models.checkins.permissions import (
    can_edit_check_in,
    can_list_overdue_check_ins,
    can_manage_check_in_settings,
    can_read_check_in,
    can_see_check_in_participation,
    can_see_private_note,
    can_set_series_cadence,
    can_start_check_in_series,
    can_subscribe_check_in,
    is_check_in_participant,
)
from models.core.viewer import Viewer
from tests.cast import ORG, OTHER_ORG, Document, cast, cells, person, viewer_in

PEOPLE: dict[str, Document] = cast("employee", "manager")
VIEWERS = tuple(PEOPLE)


def viewer(name: str) -> Viewer:
    return viewer_in(PEOPLE, name, managers=("manager", "skip"))


SERIES: Document = {"_id": "series", "organizationId": ORG, "employeeId": "employee", "managerId": "manager"}
CHECK_IN: Document = {**SERIES, "_id": "check-in", "seriesId": "series", "sequence": 1}
ACTION_ITEM: Document = {**CHECK_IN, "_id": "item", "checkInId": "check-in", "ownerId": "manager"}
# Another organisation's check-in whose ids happen to be those of this organisation's people.
FOREIGN_CHECK_IN: Document = {**CHECK_IN, "_id": "foreign", "organizationId": OTHER_ORG}
FOREIGN_EMPLOYEE = person("employee", ["manager", "skip"], OTHER_ORG)
# What the timeline query asks about someone who has no series yet: no manager takes part, so only
# the management chain (through the employee's document) and HR admins read beside the employee.
PROBE: Document = {"organizationId": ORG, "employeeId": "employee", "managerId": None}


def note(author: str) -> Document:
    return {"_id": f"note-{author}", "organizationId": ORG, "checkInId": "check-in", "authorId": author}


# columns: employee, manager, skip, peer, hr, outsider, outsider_hr
PARTICIPANT_RULES = {
    "series": (True, True, False, False, False, False, False),
    "check-in": (True, True, False, False, False, False, False),
    "action item": (True, True, False, False, False, False, False),
    "foreign check-in": (False, False, False, False, False, False, False),
}
DOCUMENTS = {"series": SERIES, "check-in": CHECK_IN, "action item": ACTION_ITEM, "foreign check-in": FOREIGN_CHECK_IN}


@pytest.mark.parametrize("rule", [is_check_in_participant, can_edit_check_in, can_subscribe_check_in])
@pytest.mark.parametrize(("kind", "name", "expected"), cells(PARTICIPANT_RULES, VIEWERS))
def test_only_the_two_participants_take_part_edit_and_subscribe(rule: Callable[[Viewer, Document], bool], kind: str,
                                                                name: str, expected: bool) -> None:
    # given a series, its occurrence, an action item of it, or another organisation's look-alike
    document = DOCUMENTS[kind]
    # when the rule is asked about the viewer, then only the employee and their manager are allowed
    assert rule(viewer(name), document) is expected


# columns: employee, manager, skip, peer, hr, outsider, outsider_hr
READ = {
    "series": (True, True, True, False, True, False, False),
    "check-in": (True, True, True, False, True, False, False),
    "series, employee not found": (True, True, False, False, True, False, False),
    "probe without a series": (True, True, True, False, True, False, False),
    "foreign check-in": (False, False, False, False, False, False, True),
}
READ_CASES = {
    "series": (SERIES, PEOPLE["employee"]),
    "check-in": (CHECK_IN, PEOPLE["employee"]),
    "series, employee not found": (SERIES, None),
    "probe without a series": (PROBE, PEOPLE["employee"]),
    "foreign check-in": (FOREIGN_CHECK_IN, FOREIGN_EMPLOYEE),
}


@pytest.mark.parametrize(("kind", "name", "expected"), cells(READ, VIEWERS))
def test_participants_the_management_chain_and_hr_admins_read(kind: str, name: str, expected: bool) -> None:
    # given a check-in document and its employee as loaded (None: the employee was not found)
    document, employee = READ_CASES[kind]
    # when the read rule is asked about the viewer
    allowed = can_read_check_in(viewer(name), document, employee)
    # then the participants, the employee's managers (through the chain) and HR admins of its organisation may
    assert allowed is expected


# columns: employee, manager, skip, peer, hr, outsider, outsider_hr
NOTES = {
    "the employee's note": (True, False, False, False, False, False, False),
    "the manager's note": (False, True, False, False, False, False, False),
}
NOTE_CASES = {"the employee's note": note("employee"), "the manager's note": note("manager")}


@pytest.mark.parametrize(("kind", "name", "expected"), cells(NOTES, VIEWERS))
def test_a_private_note_is_its_authors_alone(kind: str, name: str, expected: bool) -> None:
    # given a private note of one participant
    document = NOTE_CASES[kind]
    # when anyone asks to see it, then only its author may (not the other participant, not HR admins)
    assert can_see_private_note(viewer(name), document) is expected


# columns: employee, manager, skip, peer, hr, outsider, outsider_hr
MANAGE = {
    "start the employee's series": (False, True, False, False, True, False, False),
    "set the series' cadence": (False, True, False, False, True, False, False),
}
MANAGE_CASES: dict[str, tuple[Callable[[Viewer, Document], bool], Document]] = {
    "start the employee's series": (can_start_check_in_series, PEOPLE["employee"]),
    "set the series' cadence": (can_set_series_cadence, SERIES),
}


@pytest.mark.parametrize(("kind", "name", "expected"), cells(MANAGE, VIEWERS))
def test_the_manager_or_an_hr_admin_starts_a_series_and_sets_its_cadence(kind: str, name: str,
                                                                         expected: bool) -> None:
    # given the employee (to start their series) or their series with the manager (to set its cadence)
    rule, document = MANAGE_CASES[kind]
    # when the rule is asked about the viewer
    allowed = rule(viewer(name), document)
    # then the employee's (series') manager and HR admins of the same organisation may; the skip level may not
    assert allowed is expected


# columns: employee, manager, skip, peer, hr, outsider, outsider_hr
BY_ROLE = {
    "manage check-in settings": (False, False, False, False, True, False, True),
    "list overdue check-ins": (False, True, True, False, True, False, True),
    "see the participation report": (False, False, False, False, True, False, True),
}
ROLE_RULES: dict[str, Callable[[Viewer], bool]] = {
    "manage check-in settings": can_manage_check_in_settings,
    "list overdue check-ins": can_list_overdue_check_ins,
    "see the participation report": can_see_check_in_participation,
}


@pytest.mark.parametrize(("kind", "name", "expected"), cells(BY_ROLE, VIEWERS))
def test_settings_and_reports_go_by_role(kind: str, name: str, expected: bool) -> None:
    # given a rule that depends on the viewer's roles alone (each in their own organisation's store)
    rule = ROLE_RULES[kind]
    # when it is asked about the viewer, then HR admins (and, for the overdue list, managers) are allowed
    assert rule(viewer(name)) is expected
