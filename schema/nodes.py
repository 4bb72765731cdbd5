"""``node(id:)`` and ``nodes(ids:)``: every type implementing ``Node`` and how its own domain reads one.

Each kind names where its objects live (one collection, or a path inside another document) and reads an
object through the same resolver its domain's other paths use (``goal(id)``, ``checkIn(id)``, the lists
``departments`` or ``careerTracks``, a goal's key results, ...), so ``node`` applies exactly their
visibility. tests/core/test_nodes.py checks that every type implementing ``Node`` is listed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from resolvers.checkins import queries as checkins
from resolvers.compensation import queries as compensation
from resolvers.compensation.access import visible_pay
from resolvers.core import nodes as node_resolvers
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.core.nodes import KEY_SEPARATOR, MAX_NODES, TREE_SEPARATOR, Fetch, NodeKind, Place
from resolvers.exits import records as exit_records
from resolvers.exits import templates as exit_templates
from resolvers.feedback import anonymous as feedback_anonymous
from resolvers.feedback import follow_ups as feedback_follow_ups
from resolvers.feedback import praise as feedback_praise
from resolvers.feedback import queries as feedback
from resolvers.goals import queries as goals
from resolvers.growth import mentorships as growth_mentorships
from resolvers.growth import plans as growth_plans
from resolvers.growth import promotions as growth_promotions
from resolvers.growth import tracks as growth_tracks
from resolvers.integrations import learning as integration_learning
from resolvers.integrations import tokens as integration_tokens
from resolvers.notifications import audit, inbox, webhooks
from resolvers.org import access as org
from resolvers.pilots import pilots as pilot_resolvers
from resolvers.pilots import surveys as pilot_surveys
from resolvers.reviews import competencies, cycle_queries, review_queries
from resolvers.reviews import templates as review_templates
from schema.checkins.types import (
    ActionItem,
    CheckIn,
    CheckInProgressUpdate,
    CheckInSeries,
    CheckInTemplate,
    TalkingPoint,
)
from schema.compensation.types import MeritCycle, MeritParticipant, PayBand, PayRecord
from schema.core.cost import listed
from schema.core.node import Node
from schema.employee import DepartmentType, EmployeeType, PositionType
from schema.exits.types import ExitChecklistItem, ExitInterviewTemplate, ExitQuestion, ExitReason, ExitRecord
from schema.feedback.praise import Praise
from schema.feedback.types import AnonymousFeedback, Feedback, FeedbackRequest, FollowUp
from schema.goals.types import Goal, GoalTreeNode, KeyResult, ProgressEntry
from schema.growth.advancement import PromotionProposal
from schema.growth.types import CareerTrack, GrowthPlan, MentoringSession, Mentorship
from schema.integrations.learning import LearningEvidence, LearningMapping
from schema.integrations.types import IntegrationToken
from schema.notifications.types import AuditEntry, Notification, WebhookDelivery, WebhookEndpoint
from schema.pilots.types import Pilot, ProcessSurvey, ProcessSurveyQuestion, ProcessSurveyRound
from schema.reviews.competencies import Competency
from schema.reviews.cycles import ReviewCycle
from schema.reviews.templates import ReviewQuestion, ReviewSection, ReviewTemplate
from schema.reviews.types import Review, ReviewForm, ReviewGoal

Read = Callable[[Context, str], Awaitable[Document | None]]
ReadAll = Callable[[Context], Awaitable[list[Document]]]
Wrap = Callable[[Document], Any]


def by_id(read: Read, wrap: Wrap) -> Fetch:
    """A document read by its id as its root field reads it (``goal(id)`` …)."""
    async def fetch(context: Context, document_id: str, id: str) -> Any:
        doc = await read(context, document_id)
        return None if doc is None else wrap(doc)
    return fetch


def once(key: str, context: Context, read: Callable[[], Awaitable[Any]]) -> Awaitable[Any]:
    """``read()`` started once per request under ``key``, however many ids ask for it."""
    if key not in context.extras:
        context.extras[key] = asyncio.ensure_future(read())
    return context.extras[key]


def one_of(read_all: ReadAll) -> Read:
    """A document among those its root list field reads (``careerTracks`` …), the list read once per request."""
    key = f"nodes:{id(read_all)}"

    async def read(context: Context, document_id: str) -> Document | None:
        return next((d for d in await once(key, context, lambda: read_all(context)) if d["_id"] == document_id), None)
    return read


def listed_in(read_all: ReadAll, wrap: Wrap) -> Fetch:
    """A document among those its root list field reads, the list read once per request."""
    return by_id(one_of(read_all), wrap)


def inside(read: Read, pick: Callable[[Context, Document, str], Awaitable[Any]]) -> Fetch:
    """An object kept inside a document: the document read as its root field reads it, then the object."""
    async def fetch(context: Context, document_id: str, id: str) -> Any:
        doc = await read(context, document_id)
        return None if doc is None else await pick(context, doc, id)
    return fetch


def key_of(id: str) -> str:
    return id.partition(KEY_SEPARATOR)[2]


async def _key_result(context: Context, goal: Document, id: str) -> Any:
    return next((KeyResult.wrap(kr) for kr in goal.get("keyResults", []) if kr["_id"] == id), None)


async def _progress_entry(context: Context, goal: Document, id: str) -> Any:
    entries = await goals.progress_history(context, goal, None)
    return next((ProgressEntry.wrap(e) for e in entries if e["_id"] == id), None)


async def _check_in_question(context: Context, check_in: Document, id: str) -> Any:
    wrapped = CheckIn.wrap(check_in)
    return next((q for q in wrapped.questions() if q.id == id), None) if wrapped else None


async def _talking_point(context: Context, check_in: Document, id: str) -> Any:
    return next((TalkingPoint.wrap(t) for t in check_in.get("talkingPoints", []) if t["_id"] == id), None)


async def _progress_update(context: Context, check_in: Document, id: str) -> Any:
    shown = checkins.progress_updates(check_in, await checkins.goals_shown(context, check_in))
    return next((CheckInProgressUpdate.wrap(p) for p in shown if p["_id"] == id), None)


async def _template_question(context: Context, template: Document, id: str) -> Any:
    questions = CheckInTemplate.wrap(template)
    return next((q for q in questions.questions if q.id == id), None) if questions else None


async def _review_section(context: Context, template: Document, id: str) -> Any:
    key = key_of(id)
    return next((ReviewSection.of(template["_id"], s) for s in template.get("sections", []) if s["id"] == key), None)


async def _review_question(context: Context, template: Document, id: str) -> Any:
    key = key_of(id)
    return next((ReviewQuestion.of(template["_id"], s, q) for s in template.get("sections", [])
                 for q in s.get("questions", []) if q["id"] == key), None)


async def _exit_question(context: Context, template: Document, id: str) -> Any:
    key = key_of(id)
    return next((ExitQuestion.of(template["_id"], q) for q in template.get("questions", []) if q["id"] == key), None)


async def _checklist_item(context: Context, record: Document, id: str) -> Any:
    key = key_of(id)
    return next((ExitChecklistItem.of(record["_id"], i) for i in record.get("checklist", []) if i["id"] == key), None)


async def _tree_node(context: Context, root_id: str, id: str) -> Any:
    """A node of the tree below ``root_id`` as ``goalTree`` shows it (redacted alike), the tree read once."""
    tree = await once(f"nodes:tree:{root_id}", context, lambda: goals.goal_tree(context, root_id))
    wanted, frontier = id.partition(TREE_SEPARATOR)[2], [tree] if tree else []
    while frontier:
        node = frontier.pop()
        if node.id == wanted:
            return GoalTreeNode.wrap(node, root_id)
        frontier += node.children
    return None


async def _review_goal(context: Context, form: Document, id: str) -> Any:
    """A goal as ``ReviewForm.goals`` lists it to the viewer (goals' accessor), the form read as reviewForm."""
    key = key_of(id)
    shown = await once(f"nodes:form-goals:{form['_id']}", context,
                       lambda: review_queries.goals_of_form(context, form))
    return next((ReviewGoal.of(form["_id"], g) for g in shown if g["_id"] == key), None)


async def _exit_templates(context: Context) -> list[Document]:
    return await exit_templates.templates(context, True)


async def _exit_reasons(context: Context) -> list[Document]:
    return await exit_records.reasons(context, True)


async def _follow_up(context: Context, feedback_id: str, id: str) -> Any:
    return next((FollowUp.wrap(d) for d in await feedback_follow_ups.follow_ups_of(context, feedback_id)
                 if d["_id"] == id), None)


async def _development_action(context: Context, employee_id: str, id: str) -> Any:
    plan = GrowthPlan.wrap(await growth_plans.growth_plan(context, employee_id))
    return next((a for a in plan.actions() if a.id == id), None) if plan else None


async def _audit_entry(context: Context, object_id: str, id: str) -> Any:
    return AuditEntry.wrap(await audit.entry(context, object_id, id))


async def _session(context: Context, mentorship_id: str, id: str) -> Any:
    return MentoringSession.wrap(await growth_mentorships.session(context, mentorship_id, id))


async def _evidence(context: Context, employee_id: str, id: str) -> Any:
    employee = await org.employee(context, employee_id)
    found = await integration_learning.evidence_of(context, employee) if employee else []
    return next((LearningEvidence.wrap(d) for d in found if d["_id"] == id), None)


async def _pay_record(context: Context, employee_id: str, id: str) -> Any:
    view = await visible_pay(context, employee_id)  # the current record, and the history for those who see it
    shown = ([view.current] if view.current else []) + view.history if view else []
    return next((PayRecord.of(r) for r in shown if r["_id"] == id), None)


async def _process_survey(context: Context, survey_id: str) -> tuple[Document, list[Any]] | None:
    """A process survey with its rounds, as ``processSurveys`` reads them (HR admins), read once per request."""
    surveys = await once("nodes:processSurveys", context, lambda: pilot_surveys.surveys(context, None))
    return next(((doc, rounds) for doc, rounds in surveys if doc["_id"] == survey_id), None)


async def _survey(context: Context, survey_id: str, id: str) -> Any:
    found = await _process_survey(context, survey_id)
    return None if found is None else ProcessSurvey.of(*found)


async def _survey_round(context: Context, survey_id: str, id: str) -> Any:
    found = await _process_survey(context, survey_id)
    return next((ProcessSurveyRound.of(r) for r in found[1] if r.round["_id"] == id), None) if found else None


async def _survey_question(context: Context, survey_id: str, id: str) -> Any:
    found = await _process_survey(context, survey_id)
    key = key_of(id)
    return next((ProcessSurveyQuestion.of(survey_id, q) for q in found[0].get("questions", []) if q["id"] == key),
                None) if found else None


async def _department(context: Context, id: str) -> Document | None:
    return await load(context, "department_by_id", id)


async def _position(context: Context, id: str) -> Document | None:
    return await load(context, "position_by_id", id)


def kind(tag: str, collection: str, fetch: Fetch, path: str = "_id", *, composite: bool = False,
         via: str | None = None, view: str | None = None) -> NodeKind:
    return NodeKind(Place(tag, collection, path, composite, via, view), fetch)


KINDS: tuple[NodeKind, ...] = (
    kind("Employee", "employees", by_id(org.employee, EmployeeType.of)),
    kind("Department", "departments", by_id(_department, DepartmentType.wrap)),
    kind("Position", "positions", by_id(_position, PositionType.wrap)),
    kind("Goal", "goals", by_id(goals.goal, Goal.wrap)),
    kind("KeyResult", "goals", inside(goals.goal, _key_result), "keyResults._id"),
    kind("ProgressEntry", "goals", inside(goals.goal, _progress_entry), "progressHistory._id"),
    kind("GoalTreeNode", "goals", _tree_node, view=TREE_SEPARATOR),
    kind("CheckIn", "checkIns", by_id(checkins.check_in, CheckIn.wrap)),
    kind("CheckInQuestion", "checkIns", inside(checkins.check_in, _check_in_question), "questions._id",
         composite=True),
    kind("TalkingPoint", "checkIns", inside(checkins.check_in, _talking_point), "talkingPoints._id"),
    kind("CheckInProgressUpdate", "checkIns", inside(checkins.check_in, _progress_update), "progressUpdates._id"),
    kind("ActionItem", "checkInActionItems", by_id(checkins.action_item, ActionItem.wrap)),
    kind("CheckInSeries", "checkInSeries", by_id(checkins.series, CheckInSeries.wrap)),
    kind("CheckInTemplate", "checkInTemplates", listed_in(checkins.templates, CheckInTemplate.wrap)),
    kind("CheckInTemplateQuestion", "checkInTemplates",
         inside(one_of(checkins.templates), _template_question), "questions._id"),
    kind("Feedback", "feedback", by_id(feedback.feedback_by_id, Feedback.wrap)),
    kind("FeedbackRequest", "feedbackRequests", by_id(feedback.request_by_id, FeedbackRequest.wrap)),
    kind("AnonymousFeedback", "anonymousFeedback", by_id(feedback_anonymous.released_item, AnonymousFeedback.wrap)),
    kind("FollowUp", "followUps", _follow_up, via="feedbackId"),
    kind("Praise", "praise", by_id(feedback_praise.praise_by_id, Praise.wrap)),
    kind("Competency", "competencies", by_id(competencies.competency, Competency.wrap)),
    kind("ReviewTemplate", "reviewTemplates", by_id(review_templates.template, ReviewTemplate.wrap)),
    kind("ReviewSection", "reviewTemplates", inside(review_templates.template, _review_section), "sections.id",
         composite=True),
    kind("ReviewQuestion", "reviewTemplates", inside(review_templates.template, _review_question),
         "sections.questions.id", composite=True),
    kind("ReviewCycle", "reviewCycles", by_id(cycle_queries.review_cycle, ReviewCycle.wrap)),
    kind("Review", "reviews", by_id(review_queries.review, Review.wrap)),
    kind("ReviewForm", "reviewForms", by_id(review_queries.review_form, ReviewForm.wrap)),
    kind("ReviewGoal", "reviewForms", inside(review_queries.review_form, _review_goal), view=KEY_SEPARATOR),
    kind("ExitRecord", "exitRecords", by_id(exit_records.exit_record_by_id, ExitRecord.wrap)),
    kind("ExitChecklistItem", "exitRecords", inside(exit_records.exit_record_by_id, _checklist_item),
         "checklist.id", composite=True),
    kind("ExitReason", "exitReasons", listed_in(_exit_reasons, ExitReason.wrap)),
    kind("ExitInterviewTemplate", "exitTemplates", listed_in(_exit_templates, ExitInterviewTemplate.wrap)),
    kind("ExitQuestion", "exitTemplates", inside(one_of(_exit_templates), _exit_question), "questions.id",
         composite=True),
    kind("MeritCycle", "meritCycles", by_id(compensation.merit_cycle, MeritCycle.wrap)),
    kind("MeritParticipant", "meritParticipants", by_id(compensation.participant, MeritParticipant.wrap)),
    kind("PayRecord", "payRecords", _pay_record, via="employeeId"),
    kind("PayBand", "payBands", listed_in(compensation.pay_bands, PayBand.wrap)),
    kind("IntegrationToken", "integrationTokens",
         listed_in(integration_tokens.integration_tokens, IntegrationToken.wrap)),
    kind("WebhookEndpoint", "webhookEndpoints", listed_in(webhooks.endpoints, WebhookEndpoint.wrap)),
    kind("WebhookDelivery", "webhookDeliveries", by_id(webhooks.delivery, WebhookDelivery.wrap)),
    kind("AuditEntry", "auditLog", _audit_entry, via="objectId"),
    kind("Notification", "notifications", by_id(inbox.notification, Notification.wrap)),
    kind("DevelopmentAction", "growthPlans", _development_action, "actions._id", via="employeeId"),
    kind("Mentorship", "mentorships", by_id(growth_mentorships.mentorship, Mentorship.wrap)),
    kind("MentoringSession", "mentoringSessions", _session, via="mentorshipId"),
    kind("LearningEvidence", "learningEvidence", _evidence, via="employeeId"),
    kind("LearningMapping", "learningMappings", by_id(integration_learning.learning_mapping, LearningMapping.wrap)),
    kind("CareerTrack", "careerTracks", listed_in(growth_tracks.career_tracks, CareerTrack.wrap)),
    kind("Pilot", "pilots", by_id(pilot_resolvers.pilot, Pilot.wrap)),
    kind("ProcessSurvey", "processSurveys", _survey),
    kind("ProcessSurveyRound", "processSurveyRounds", _survey_round, via="surveyId"),
    kind("ProcessSurveyQuestion", "processSurveys", _survey_question, "questions.id", composite=True),
    kind("PromotionProposal", "promotionProposals",
         listed_in(lambda c: growth_promotions.promotion_proposals(c, None), PromotionProposal.wrap)),
)


@strawberry.type
class NodeQuery:
    @strawberry.field(description="Any object by its id alone (Relay's object identification); null for an "
                                  "unknown id and for one you may not see, alike.")
    async def node(self, info: Info[Context, Any],
                   id: Annotated[strawberry.ID, strawberry.argument(
                       description="An id of any type (at most 100 characters).")]) -> Node | None:
        return await node_resolvers.node(info.context, id, KINDS)

    @strawberry.field(description=f"Objects by their ids, in the order asked (at most {MAX_NODES}); null for "
                                  "an unknown id and for one you may not see, alike.", metadata=listed(MAX_NODES))
    async def nodes(self, info: Info[Context, Any],
                    ids: Annotated[list[strawberry.ID], strawberry.argument(
                        description=f"Ids of any types (at most {MAX_NODES}).")]) -> list[Node | None] | None:
        return await node_resolvers.nodes(info.context, ids, KINDS)
