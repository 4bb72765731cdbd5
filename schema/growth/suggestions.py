"""``mentorshipSuggestions``: the mentors suggested for a person, each with what they cover and why. A suggestion
shows the mentee's own gap and the target's expected level, never the mentor's assessed levels."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from models.growth.suggestions import MAX_SUGGESTIONS, Need
from resolvers.core.context import Context
from resolvers.core.loading import load
from resolvers.growth.suggestions import SuggestionView
from resolvers.reviews.access import competency
from schema.core.cost import listed
from schema.org.types import Employee, EmployeeFields, Position, PositionFields
from schema.reviews.competencies import Competency


@strawberry.type(description="A competency the mentee needs to grow in for a target position, which the "
                             "suggested mentor's last shared review meets.")
class MentorStrength:
    need: strawberry.Private[Need]

    @strawberry.field(description="The competency the mentee needs to grow in and the mentor meets.")
    async def competency(self, info: Info[Context, Any]) -> Competency | None:
        return Competency.wrap(await competency(info.context, self.need.competency_id))

    @strawberry.field(description="The mentee's target position that expects it.")
    async def target_position(self, info: Info[Context, Any]) -> Position | None:
        return PositionFields.wrap(await load(info.context, "position_by_id", self.need.position_id))

    @strawberry.field(description="The level the target position expects (the mentor meets it).")
    def expected_level(self) -> int:
        return self.need.expected

    @strawberry.field(description="The mentee's level in their last shared review; null if it never assessed "
                                  "this competency.")
    def mentee_level(self) -> int | None:
        return self.need.assessed

    @strawberry.field(description="Levels the mentee still has to grow (a competency never assessed counts as 2).")
    def shortfall(self) -> int:
        return self.need.shortfall


@strawberry.type(description="A mentor suggested for a person: from outside their reporting line, with room "
                             "for a mentee, strong where the person's target positions need growth.")
class MentorSuggestion:
    view: strawberry.Private[SuggestionView]

    @strawberry.field(description="The suggested mentor.")
    def mentor(self) -> Employee:
        return EmployeeFields.of(self.view.mentor)  # type: ignore[return-value]

    @strawberry.field(description="Levels of growth the mentor covers: the sum of the shortfalls of the "
                                  "competencies they are strong in (higher first).")
    def score(self) -> int:
        return self.view.suggestion.score

    @strawberry.field(description="How many more mentees the mentor may take (the organisation's maximum less "
                                  "their active mentees).")
    def capacity_left(self) -> int:
        return self.view.suggestion.room

    @strawberry.field(description="The needs the mentor covers, largest shortfall first.", metadata=listed(20))
    def strengths(self) -> list[MentorStrength]:
        return [MentorStrength(need=n) for n in self.view.suggestion.covers[:20]]

    @strawberry.field(description="Why this mentor, in words.")
    def explanation(self) -> str:
        return self.view.explanation


SUGGESTIONS_BOUND = MAX_SUGGESTIONS
