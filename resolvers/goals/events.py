"""The goal-progress channel and its event: which goals' progress a committed change may have moved."""

from __future__ import annotations

from collections.abc import Sequence

from models.core.documents import Document
from models.goals.rules import GoalChange
from resolvers.core.context import SignedIn
from resolvers.core.publish import publish_after_commit
from store.goals import repository as goal_store


def goal_progress_channel(organization_id: str) -> str:
    """The organisation's channel of goal events."""
    return f"goal-progress:{organization_id}"


async def publish_goal_change(signed_in: SignedIn, kind: GoalChange, goal: Document,
                              key_result_id: str | None = None, also: Sequence[Document] = ()) -> None:
    """After a committed change: tell subscribers which goals' progress may have moved.

    ``goalIds`` is the changed goal, then its ancestors (nearest first), then ``also`` (the old
    ancestors after a re-alignment). Subscribers read the goals again and check visibility.
    """
    loaders = signed_in.context.fresh_loaders()  # the ancestors as they are after the write
    docs: list[Document] = []
    for doc in [goal, *await goal_store.ancestors(loaders.goals, goal), *also]:
        if all(doc["_id"] != d["_id"] for d in docs):
            docs.append(doc)
    owners = sorted({d[k] for d in docs for k in ("ownerEmployeeId", "ownerDepartmentId") if d.get(k)})
    message = {"kind": kind.value, "goalIds": [d["_id"] for d in docs], "ownerIds": owners,
               "changedGoalId": goal["_id"], "keyResultId": key_result_id, "byId": signed_in.viewer.employee_id}
    await publish_after_commit(signed_in.context, goal_progress_channel(signed_in.viewer.organization_id), message)
