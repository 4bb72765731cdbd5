"""What the audit trail records of a write: which collections it leaves out, which values it never keeps
(pay, secrets, anonymous and private content: recorded as changed, without the values), and whose author
it never names."""

from __future__ import annotations

import re

# Bookkeeping, not changes anyone made to an object: the trail itself, the outbox and deliveries, reminder
# leases, notifications marked read, the organisation's change counters and its rosters (copies of the people,
# ratings and targets, kept as of a counter, for rankings); and the contributor sets of
# anonymous feedback, whose every entry would name who wrote.
# The candid exit survey's answers are not audited at all: an entry, even without its author, would sit beside
# the leaver's own audited "survey done" on their exit record. Nor are process surveys' answers and their "has
# answered" markers: an entry for the marker would name who answered, and its time would point at the answer.
NOT_AUDITED = frozenset({"auditLog", "outbox", "webhookDeliveries", "reminders", "notifications", "organizations",
                         "employeeRosters", "growthRosters", "anonymousContributors", "exitSurveyResponses",
                         "processSurveyMarkers", "processSurveyAnswers"})
# Fields that are a document's own bookkeeping, never a change anyone made to it: a parent goal's tree counter,
# bumped when a child is aligned below it (an entry for it would tell a parent's readers that a child they may not
# see was added); growth settings' ranking counter, bumped by every potential rating and plan's targets.
BOOKKEEPING_FIELDS = frozenset({"treeVersion", "rankingVersion"})
# Every value of these is withheld: anonymous feedback, private check-in notes and mentoring sessions, exit
# records (reasons, the named interview), pay and everything of a merit cycle, potential ratings, readiness;
# and attributed feedback and feedback requests (texts, questions, answers), which HR admins, who read the
# trail, may not read unless they wrote, received or manage them (models/feedback/permissions.py).
REDACTED_COLLECTIONS = frozenset({"anonymousFeedback", "feedback", "feedbackRequests", "checkInNotes",
                                  "mentoringSessions", "exitRecords",
                                  "payRecords", "payBands", "meritCycles", "meritParticipants", "compensationBudgets",
                                  "talentRatings", "readinessAssessments", "successionPlans"})
# Nor is the author of these named, and their time is kept to the day (order within it would tell).
ANONYMOUS_COLLECTIONS = frozenset({"anonymousFeedback"})
SENSITIVE_FIELD = re.compile(r"secret|token|password|hash|salary|pay(?!load)|bonus|compensation|equity",
                             re.IGNORECASE)


def redacted(collection: str, field: str) -> bool:
    return collection in REDACTED_COLLECTIONS or bool(SENSITIVE_FIELD.search(field))


def actor_withheld(collection: str) -> bool:
    return collection in ANONYMOUS_COLLECTIONS
