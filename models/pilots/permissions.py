"""Who sees and does what of pilots (plain functions; nothing here reads the store).

Pilots and process surveys are run by HR admins, who see every pilot and every comparison. A manager sees a
pilot and its comparison when every person of its cohort is below them (their management chain names the
manager); its figures are thresholded like everyone's. Employees see and answer the rounds sent to them, and
nobody reads an answer: only aggregates over at least k answers of a closed round reach a comparison.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models.core.viewer import Role, Viewer, same_organization


def can_run_pilots(viewer: Viewer) -> bool:
    """Starting, ending, adopting pilots; writing and sending process surveys: HR admins."""
    return viewer.is_hr_admin


def can_see_pilot(viewer: Viewer, pilot: Mapping[str, Any], cohort: Sequence[Mapping[str, Any]]) -> bool:
    """HR admins; a manager whose management covers the whole cohort (``cohort``: its people's documents)."""
    if not same_organization(viewer, pilot):
        return False
    if viewer.is_hr_admin:
        return True
    return (Role.MANAGER in viewer.roles and bool(cohort)
            and all(viewer.employee_id in (p.get("managerChain") or []) for p in cohort))


def can_answer_round(viewer: Viewer, round: Mapping[str, Any]) -> bool:
    """A recipient of the round."""
    return same_organization(viewer, round) and any(viewer.employee_id in ids
                                                    for ids in (round.get("recipients") or {}).values())
