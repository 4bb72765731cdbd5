"""Per-request DataLoaders: every domain's loaders in one registry, built per request and per
subscription event (a cache that outlived them would serve stale documents).

Results come back in the order of the keys, with ``None`` (or an empty list) for a miss; batches are
capped at ``store.core.loaders.MAX_BATCH`` keys.
"""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar

from store.checkins.repository import CheckInLoaders
from store.compensation.repository import CompensationLoaders
from store.core.history import HistoryByObjectIdLoader
from store.core.loaders import unbatched
from store.core.repository import TenantStore
from store.exits.repository import ExitLoaders
from store.feedback.repository import FeedbackLoaders
from store.goals.repository import GoalLoaders
from store.growth.repository import GrowthLoaders
from store.integrations.learning import IntegrationLoaders
from store.org.loaders import (
    DepartmentByIdLoader,
    DepartmentsByParentIdLoader,
    EmployeeByIdLoader,
    EmployeesByDepartmentIdLoader,
    PositionByIdLoader,
    ReportCountByManagerIdLoader,
    ReportsByManagerIdLoader,
)
from store.pilots.repository import PilotLoaders
from store.reviews.repository import ReviewLoaders


class Loaders:
    """Every loader a request may use."""

    # Off only in bench/round_trips.py and tests/test_round_trips_depth.py: every ``.load`` is then its own
    # store call (batches of one key, no per-request cache), as with resolvers that read one object each.
    # The service never turns it off.
    batching: ClassVar[bool] = True

    def __init__(self, store: TenantStore) -> None:
        self.store = store

    # Each loader is built the first time it is used: a WebSocket connection keeps its Loaders while it
    # lives, and an idle subscriber should not hold seven empty caches.
    @cached_property
    def employee_by_id(self) -> EmployeeByIdLoader:
        return unbatched(self.batching, EmployeeByIdLoader(self.store.employees))

    @cached_property
    def department_by_id(self) -> DepartmentByIdLoader:
        return unbatched(self.batching, DepartmentByIdLoader(self.store.departments))

    @cached_property
    def position_by_id(self) -> PositionByIdLoader:
        return unbatched(self.batching, PositionByIdLoader(self.store.positions))

    @cached_property
    def reports_by_manager_id(self) -> ReportsByManagerIdLoader:
        return unbatched(self.batching, ReportsByManagerIdLoader(self.store.employees))

    @cached_property
    def report_count_by_manager_id(self) -> ReportCountByManagerIdLoader:
        return unbatched(self.batching, ReportCountByManagerIdLoader(self.store.employees))

    @cached_property
    def employees_by_department_id(self) -> EmployeesByDepartmentIdLoader:
        return unbatched(self.batching, EmployeesByDepartmentIdLoader(self.store.employees))

    @cached_property
    def departments_by_parent_id(self) -> DepartmentsByParentIdLoader:
        return unbatched(self.batching, DepartmentsByParentIdLoader(self.store.departments))

    # Each domain's loaders, built the first time a request uses them: a subscription builds fresh
    # Loaders for every event, and most events touch one domain.
    @cached_property
    def check_ins(self) -> CheckInLoaders:
        return unbatched(self.batching, CheckInLoaders(self.store))

    @cached_property
    def goals(self) -> GoalLoaders:
        return unbatched(self.batching, GoalLoaders(self.store))

    @cached_property
    def feedback(self) -> FeedbackLoaders:
        return unbatched(self.batching, FeedbackLoaders(self.store))

    @cached_property
    def reviews(self) -> ReviewLoaders:
        return unbatched(self.batching, ReviewLoaders(self.store))

    @cached_property
    def exits(self) -> ExitLoaders:
        return unbatched(self.batching, ExitLoaders(self.store))

    @cached_property
    def compensation(self) -> CompensationLoaders:
        return unbatched(self.batching, CompensationLoaders(self.store))

    @cached_property
    def integrations(self) -> IntegrationLoaders:
        return unbatched(self.batching, IntegrationLoaders(self.store))

    @cached_property
    def history_by_object_id(self) -> HistoryByObjectIdLoader:
        """The audit history of objects (any domain's ``history`` field)."""
        return unbatched(self.batching, HistoryByObjectIdLoader(self.store))

    @cached_property
    def growth(self) -> GrowthLoaders:
        return unbatched(self.batching, GrowthLoaders(self.store))

    @cached_property
    def pilots(self) -> PilotLoaders:
        return unbatched(self.batching, PilotLoaders(self.store))
