"""Review templates: types (template, section, question), queries and the HR mutations."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


@strawberry.type
class RatingLabel:
    label: str
    value: float


@strawberry.type(description="Weights of the reviewer kinds in a review's overall score.")
class KindWeights:
    self_kind: float = strawberry.field(name="self")
    manager: float
    peer: float
    upward: float


@strawberry.type(description="A question of a template. required is effective: false when its section is optional.")
class ReviewQuestion(Node):
    doc: strawberry.Private[Document]
    id: strawberry.ID = strawberry.field(description="Unique across templates and their versions (a normalised "
                                                     "cache's key): the template version's id, a colon, then key.")
    key: str = strawberry.field(description="The question's id within its template: what answers' questionId, "
                                            "updateReviewAnswer and presence refer to.")
    kind: QuestionKindEnum
    text: str
    weight: float
    required: bool
    reviewer_kinds: list[ReviewerKindEnum]
    readers: list[AnswerReaderEnum] = strawberry.field(
        description="Who besides the reviewer and HR admins reads the answers.")
    labels: list[RatingLabel]
    options: list[str]
    expected_level: int | None

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
    title: str
    weight: float
    required: bool
    reviewer_kinds: list[ReviewerKindEnum]
    questions: list[ReviewQuestion]

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
    family_id: strawberry.ID
    version: int
    name: str
    description: str
    scale_min: int
    scale_max: int
    locked: bool
    peer_visibility: FeedbackVisibilityEnum
    upward_visibility: FeedbackVisibilityEnum

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

    @strawberry.field
    def weights(self) -> KindWeights:
        w = self.doc.get("kindWeights", {})
        return KindWeights(self_kind=w.get("self", 0), manager=w.get("manager", 0), peer=w.get("peer", 0),
                           upward=w.get("upward", 0))

    @strawberry.field
    def sections(self) -> list[ReviewSection]:
        return [ReviewSection.of(self.doc["_id"], s) for s in self.doc.get("sections", [])]

    @strawberry.field(description="False once a newer version exists.")
    def latest(self) -> bool:
        return not self.doc.get("supersededById")

    @strawberry.field
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
    async def review_templates(self, info: Info[Context, Any],
                               include_old_versions: bool = False) -> list[ReviewTemplate]:
        return ReviewTemplate.wrap_all(await resolvers.templates(info.context, include_old_versions))

    @strawberry.field(description="One template version.")
    async def review_template(self, info: Info[Context, Any], id: strawberry.ID) -> ReviewTemplate | None:
        return ReviewTemplate.wrap(await resolvers.template(info.context, id))


@strawberry.type
class TemplateMutation:
    @strawberry.mutation(description="HR admins: a new review template (version 1).")
    async def create_review_template(self, info: Info[Context, Any],
                                     input: ReviewTemplateInput) -> ReviewTemplatePayload:
        outcome = await resolvers.create_template(info.context, template_data(input))
        return ReviewTemplatePayload(template=ReviewTemplate.wrap(outcome.document), errors=errors_of(outcome.errors),
                                     new_version=False)

    @strawberry.mutation(description="HR admins: edit a template; a locked one gets a new version instead.")
    async def update_review_template(self, info: Info[Context, Any], id: strawberry.ID,
                                     input: ReviewTemplateInput) -> ReviewTemplatePayload:
        outcome = await resolvers.update_template(info.context, id, template_data(input))
        doc = outcome.document
        return ReviewTemplatePayload(template=ReviewTemplate.wrap(doc), errors=errors_of(outcome.errors),
                                     new_version=bool(doc and doc["_id"] != id))
