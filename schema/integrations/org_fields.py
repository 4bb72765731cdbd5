"""The integrations domain's fields on Employee (composed in ``schema/employee.py``)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from resolvers.core.context import Context
from resolvers.integrations import learning
from schema.core.cost import listed
from schema.integrations.learning import LearningEvidence


@strawberry.type(name="IntegrationEmployeeFields", description="The integrations domain's fields of a person.")
class IntegrationEmployeeFields:
    @strawberry.field(description="Competency evidence from learning systems (passed activities), newest first, "
                                  "at most 100: for the person, their management chain and HR admins; null for "
                                  "anyone else, by design and without an error.", metadata=listed(100))
    async def learning_evidence(self, info: Info[Context, Any]) -> list[LearningEvidence] | None:
        docs = await learning.evidence_of(info.context, self.doc)
        return None if docs is None else [LearningEvidence.wrap(d) for d in docs]
