"""Review templates: types (template, section, question), queries and the HR mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from models.core.documents import Document
from models.reviews.rules import is_required
from resolvers.core.context import Context
from resolvers.reviews import competencies as competency_resolvers
from resolvers.reviews import templates as resolvers
from schema.core.cost import listed
from schema.core.errors import Error, errors_of
from schema.core.node import Node
from schema.reviews.competencies import Competency
from schema.reviews.enums import (
    AnswerReaderEnum,
    FeedbackVisibilityEnum,
    QuestionKindEnum,
    ReviewerKindEnum,
)
from schema.reviews.inputs import ReviewTemplateInput, template_data


@strawberry.type(description="One point of a RATING question's scale.")
class RatingLabel:
    label: str = strawberry.field(description="What the point is called.")
    value: float = strawberry.field(description="The number an answer with this point gives.")


@strawberry.type(description="Weights of the reviewer kinds in a review's overall score.")
class KindWeights:
    self_kind: float = strawberry.field(name="self", description="The self form's weight.")
    manager: float = strawberry.field(description="The manager's form's weight.")
    peer: float = strawberry.field(description="The peer forms' weight.")
    upward: float = strawberry.field(description="The upward forms' weight.")


@strawberry.type(description="A question of a template. required is effective: false when its section is optional.")
class ReviewQuestion(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="Unique across templates and their versions (a normalised "
                                                     "cache's key): the template version's id, a colon, then key.")
    key: str = strawberry.field(description="The question's id within its template: what answers' questionId, "
                                            "updateReviewAnswer and presence refer to.")
    kind: QuestionKindEnum = strawberry.field(description="How it is answered.")
    text: str = strawberry.field(description="The question as asked.")
    weight: float = strawberry.field(description=(
        "Its share in its section's score (relative to the other questions')."))
    required: bool = strawberry.field(description=(
        "Whether it must be answered before the form can be submitted (in a required section)."))
    reviewer_kinds: list[ReviewerKindEnum] = strawberry.field(description="Who answers it.")
    readers: list[AnswerReaderEnum] = strawberry.field(
        description="Who besides the reviewer and HR admins reads the answers.")
    labels: list[RatingLabel] = strawberry.field(description=(
        "For RATING: the points of its scale with their labels; empty otherwise."))
    options: list[str] = strawberry.field(description="For CHOICE: the options; empty otherwise.")
    expected_level: int | None = strawberry.field(description=(
        "For COMPETENCY: the level expected, 1 to 5; null otherwise."))

    @classmethod
    def of(cls, template_id: str, section: Document, question: Document) -> ReviewQuestion:
        return cls(doc=question, id=f"{template_id}:{question['id']}", key=question["id"],
                   kind=QuestionKindEnum(question["kind"]), text=question["text"],
                   weight=question.get("weight", 1), required=is_required(section, question),
                   reviewer_kinds=[ReviewerKindEnum(k) for k in question.get("reviewerKinds", [])],
                   readers=[AnswerReaderEnum(r) for r in question.get("readers", [])],
                   labels=[RatingLabel(label=lb["label"], value=lb["value"]) for lb in question.get("labels", [])],
                   options=list(question.get("options", [])), expected_level=question.get("expectedLevel"))

    @strawberry.field(description="Competency questions: the competency rated.")
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        return Competency.wrap(await competency_resolvers.competency(info.context, self.doc.get("competencyId")))


@strawberry.type(description="A section of a template: a titled group of questions.")
class ReviewSection(Node):
    id: strawberry.ID = strawberry.field(description="Unique across templates and their versions (a normalised "
                                                     "cache's key): the template version's id, a colon, then key.")
    key: str = strawberry.field(description="The section's id within its template.")
    title: str = strawberry.field(description="Its title.")
    weight: float = strawberry.field(description="Its share in a form's score (relative to the other sections').")
    required: bool = strawberry.field(description=(
        "Whether its required questions must be answered (false makes every question of it optional)."))
    reviewer_kinds: list[ReviewerKindEnum] = strawberry.field(description="Who answers it.")
    questions: list[ReviewQuestion] = strawberry.field(description="Its questions, in order.")

    @classmethod
    def of(cls, template_id: str, section: Document) -> ReviewSection:
        return cls(id=f"{template_id}:{section['id']}", key=section["id"], title=section["title"],
                   weight=section.get("weight", 1),
                   required=bool(section.get("required", True)),
                   reviewer_kinds=[ReviewerKindEnum(k) for k in section.get("reviewerKinds", [])],
                   questions=[ReviewQuestion.of(template_id, section, q) for q in section.get("questions", [])])


@strawberry.type(description="One version of a review template. Locked once a launched cycle uses it: editing it "
                             "then creates the next version, and forms already issued keep theirs.")
class ReviewTemplate(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID
    family_id: strawberry.ID = strawberry.field(description="The id shared by every version of this template.")
    version: int = strawberry.field(description=(
        "Its version number, from 1 (editing a locked version creates the next)."))
    name: str = strawberry.field(description="The template's name.")
    description: str = strawberry.field(description="What it is for; empty when none was written.")
    scale_min: int = strawberry.field(description="The lowest rating of its scale.")
    scale_max: int = strawberry.field(description="The highest rating of its scale.")
    locked: bool = strawberry.field(description=(
        "Set once a cycle using it launched: it never changes again; editing creates the next version."))
    peer_visibility: FeedbackVisibilityEnum = strawberry.field(description=(
        "How peer answers reach the reviewee once shared."))
    upward_visibility: FeedbackVisibilityEnum = strawberry.field(description=(
        "How upward answers reach the reviewee once shared."))

    @classmethod
    def wrap(cls, doc: Document | None) -> ReviewTemplate | None:
        if doc is None:
            return None
        return cls(doc=doc, id=strawberry.ID(doc["_id"]), family_id=strawberry.ID(doc["familyId"]),
                   version=doc["version"], name=doc["name"], description=doc.get("description", ""),
                   scale_min=doc["scale"]["min"], scale_max=doc["scale"]["max"], locked=bool(doc.get("locked")),
                   peer_visibility=FeedbackVisibilityEnum(doc.get("peerVisibility", "anonymous")),
                   upward_visibility=FeedbackVisibilityEnum(doc.get("upwardVisibility", "anonymous")))

    @classmethod
    def wrap_all(cls, docs: list[Document]) -> list[ReviewTemplate]:
        return [t for t in map(cls.wrap, docs) if t is not None]

    @strawberry.field(description="Each reviewer kind's share of the overall score.")
    def weights(self) -> KindWeights:
        w = self.doc.get("kindWeights", {})
        return KindWeights(self_kind=w.get("self", 0), manager=w.get("manager", 0), peer=w.get("peer", 0),
                           upward=w.get("upward", 0))

    @strawberry.field(description="Its sections, in order.")
    def sections(self) -> list[ReviewSection]:
        return [ReviewSection.of(self.doc["_id"], s) for s in self.doc.get("sections", [])]

    @strawberry.field(description="False once a newer version exists.")
    def latest(self) -> bool:
        return not self.doc.get("supersededById")

    @strawberry.field(description="When this version was created (UTC); null for seeded templates.")
    def created_at(self) -> datetime | None:
        return self.doc.get("createdAt")

    @strawberry.field(metadata=listed(20), description="Every version of this template, oldest first.")
    async def versions(self, info: Info[Context, Any]) -> list[ReviewTemplate]:
        return ReviewTemplate.wrap_all(await resolvers.versions(info.context, self.doc))


@strawberry.type
class ReviewTemplatePayload:
    template: ReviewTemplate | None
    errors: list[Error]
    new_version: bool = strawberry.field(description="True when the edit created a new version (the template was "
                                                     "locked by a launched cycle).")


@strawberry.type
class TemplateQuery:
    @strawberry.field(metadata=listed(50), description="Review templates, latest versions only unless asked.")
    async def review_templates(
        self, info: Info[Context, Any],
        include_old_versions: Annotated[bool, strawberry.argument(description=(
            "Include superseded versions (default: the latest of each)."))] = False,
    ) -> list[ReviewTemplate]:
        return ReviewTemplate.wrap_all(await resolvers.templates(info.context, include_old_versions))

    @strawberry.field(description="One template version.")
    async def review_template(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The template version's id (ReviewTemplate.id)."))],
    ) -> ReviewTemplate | None:
        return ReviewTemplate.wrap(await resolvers.template(info.context, id))


@strawberry.type
class TemplateMutation:
    @strawberry.mutation(description="HR admins: a new review template (version 1).")
    async def create_review_template(
        self, info: Info[Context, Any],
        input: Annotated[ReviewTemplateInput, strawberry.argument(description=(
            "The new template (name and sections required)."))],
    ) -> ReviewTemplatePayload:
        outcome = await resolvers.create_template(info.context, template_data(input))
        return ReviewTemplatePayload(template=ReviewTemplate.wrap(outcome.document), errors=errors_of(outcome.errors),
                                     new_version=False)

    @strawberry.mutation(description="HR admins: edit a template; a locked one gets a new version instead.")
    async def update_review_template(
        self, info: Info[Context, Any],
        id: Annotated[strawberry.ID, strawberry.argument(description=(
            "The template version to change (a locked one gets a new version)."))],
        input: Annotated[ReviewTemplateInput, strawberry.argument(description=(
            "The fields to change; the others stay as they are."))],
    ) -> ReviewTemplatePayload:
        outcome = await resolvers.update_template(info.context, id, template_data(input))
        doc = outcome.document
        return ReviewTemplatePayload(template=ReviewTemplate.wrap(doc), errors=errors_of(outcome.errors),
                                     new_version=bool(doc and doc["_id"] != id))
