"""Which subscribers see an event alike, so that one execution can serve them all (realtime/groups.py).

The org chart — names, titles, positions, departments and reporting lines — is the same for everyone
in an organisation (``models.org.permissions.can_see_org_chart``), and so is praise (its message, author,
recipients and reaction counts), and so is a goal everyone may see whose progress rolls up only goals
everyone may see (``resolvers/goals/sharing.py``). A subscription that selects only those fields shows every
member of the organisation the same thing; any other field (an email, your own reaction) may
differ from one viewer to the next, and such a subscription is shared only between subscriptions of the
same signed-in session with the same roles. Other subscriptions run once per subscriber.

The names here are the schema's (root fields and GraphQL types), so this table lives in the schema layer;
the server asks it and hands the answer to ``resolvers/core/audience.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

ORG_WIDE_SUBSCRIPTIONS = frozenset({"orgChartChanged", "praisePosted", "goalProgressChanged"})
# Subscriptions whose audience is the organisation only when a rule about their arguments holds too, decided
# by the server when each subscribes (``goalProgressChanged``: a goal everyone sees alike,
# ``resolvers/goals/sharing.py``).
ORG_WIDE_WHEN_ARGUMENTS = frozenset({"goalProgressChanged"})
# Subscriptions that may share an execution at all: their stream has no side effect when it starts and
# yields nothing before an event, so a member joining later misses nothing it would see alone.
# (``reviewPresence``, for one, announces each subscriber on the way in and answers with the viewers.)
SHAREABLE_SUBSCRIPTIONS = ORG_WIDE_SUBSCRIPTIONS | {"reviewFormChanged", "cycleProgressChanged"}
# ``cycleProgressChanged`` answers HR admins alike (every reviewee's counts): selecting only the counts, the cycle's
# own fields and departments (org-chart fields), it is shared by the organisation's HR admins
# (resolvers/reviews/sharing.py); a manager's answer covers the people below them, shared by the session.
HR_ALIKE_FIELDS: Mapping[str, frozenset[str]] = {
    "Subscription": frozenset({"cycleProgressChanged"}),
    "CycleProgress": frozenset({"cycle", "phases", "reviewStates"}),
    "PhaseProgressType": frozenset({"phase", "deadline", "counts", "departments"}),
    "DepartmentProgress": frozenset({"departmentId", "counts", "department"}),
    "FormCounts": frozenset({"notStarted", "inProgress", "submitted"}),
    "ReviewStateCount": frozenset({"state", "count"}),
    # the cycle itself, which everyone reads (not its reviews nor its template)
    "ReviewCycle": frozenset({"id", "name", "status", "periodStart", "periodEnd", "peersPerReviewee", "phases",
                              "eligibility", "launchedAt"}),
    "CyclePhase": frozenset({"phase", "deadline"}),
    "CycleEligibility": frozenset({"hiredBefore", "departmentIds", "excludedEmployeeIds"}),
}
# ``reviewFormChanged`` is shared by a form's reader class (resolvers/reviews/sharing.py) when it selects only
# what readers who stand to the form alike see alike: the change itself, and who made it (org-chart fields).
READER_CLASS_FIELDS: Mapping[str, frozenset[str]] = {
    "Subscription": frozenset({"reviewFormChanged"}),
    "ReviewFormChange": frozenset({"kind", "formId", "questionId", "value", "version", "byId", "at", "state", "by"}),
}

ORG_WIDE_FIELDS: Mapping[str, frozenset[str]] = {
    "Subscription": ORG_WIDE_SUBSCRIPTIONS,
    "OrgChartEvent": frozenset({"kind", "rootId", "employeeIds", "version", "employees"}),
    # praise is public within the organisation (models.feedback.permissions.can_see_praise); only
    # ``myReaction`` differs from one viewer to the next
    "Praise": frozenset({"id", "message", "value", "createdAt", "author", "recipients", "reactions"}),
    "ReactionCount": frozenset({"kind", "count"}),
    # a goal everyone sees alike (its progress rolls up only goals everyone sees); not ``changedGoalId`` nor
    # ``keyResultId`` (the change may be below, on a goal moved away that not everyone sees), nor the goal's
    # ``parent``, ``children``, ``progressHistory`` (whose authors) or ``canEdit``
    "GoalProgressEvent": frozenset({"kind", "progress", "goal"}),
    "Goal": frozenset({"id", "title", "description", "level", "status", "visibility", "rollUpChildren", "archived",
                       "startDate", "dueDate", "createdAt", "updatedAt", "keyResults", "progress",
                       "keyResultProgress", "ownerEmployee", "ownerDepartment"}),
    "KeyResult": frozenset({"id", "title", "metricKind", "startValue", "targetValue", "currentValue", "unit",
                            "weight", "progress"}),
    "Employee": frozenset({"id", "name", "status", "title", "position", "department", "manager", "mentor",
                           "reports", "reportingChain"}),
    "Department": frozenset({"id", "name", "parent", "head", "children", "employees"}),
    "Position": frozenset({"id", "title", "description", "responsibilities", "level", "department"}),
}


def is_shareable(root_field: str) -> bool:
    return root_field in SHAREABLE_SUBSCRIPTIONS


def is_read_by_class(root_field: str, fields: Iterable[tuple[str, str]]) -> bool:
    """True when a ``reviewFormChanged`` selecting ``fields`` shows readers of a form who stand to it alike the
    same result."""
    return root_field == "reviewFormChanged" and all(
        name == "__typename" or name in READER_CLASS_FIELDS.get(type_name, ())
        or name in ORG_WIDE_FIELDS.get(type_name, ()) for type_name, name in fields)


def is_org_wide(root_field: str, fields: Iterable[tuple[str, str]]) -> bool:
    """True when a subscription on ``root_field`` selecting ``fields`` (type, field) shows everyone in
    the organisation the same result."""
    return root_field in ORG_WIDE_SUBSCRIPTIONS and all(
        name == "__typename" or name in ORG_WIDE_FIELDS.get(type_name, ()) for type_name, name in fields)


def is_alike_for_hr_admins(root_field: str, fields: Iterable[tuple[str, str]]) -> bool:
    """True when a ``cycleProgressChanged`` selecting ``fields`` shows every HR admin of the organisation the same
    result (the counts of every reviewee, the cycle, departments as the org chart shows them)."""
    return root_field == "cycleProgressChanged" and all(
        name == "__typename" or name in HR_ALIKE_FIELDS.get(type_name, ())
        or name in ORG_WIDE_FIELDS.get(type_name, ()) for type_name, name in fields)
