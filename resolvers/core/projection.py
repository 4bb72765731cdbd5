"""Read only what a query selects: a MongoDB projection from the GraphQL selection set."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection

# GraphQL field of Employee → document fields it reads. Fields not listed read nothing extra.
EMPLOYEE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "email": ("email",),
    "hireDate": ("hireDate",),
    "statusHistory": ("statusHistory",),
    "roles": ("roles",),
    "title": ("positionId",),
    "position": ("positionId",),
    "department": ("departmentId",),
    "manager": ("managerId",),
    "mentor": ("mentorId",),
}
# Always read: identity, tenant, and what visibility rules and cursors need.
EMPLOYEE_ALWAYS = ("_id", "organizationId", "name", "status", "managerId", "managerChain")


def field_names(selections: Iterable[Selection], under: str | None = None) -> set[str]:
    """Names selected at this level; with ``under``, the names selected inside every field so called."""
    names: set[str] = set()
    for selection in selections:
        if isinstance(selection, (FragmentSpread, InlineFragment)):
            names |= field_names(selection.selections, under)
        elif isinstance(selection, SelectedField):
            if under is None:
                names.add(selection.name)
            elif selection.name == under:
                names |= field_names(selection.selections)
            else:
                names |= field_names(selection.selections, under)
    return names


def employee_projection(selected: set[str]) -> dict[str, int]:
    fields = set(EMPLOYEE_ALWAYS)
    for name in selected:
        fields.update(EMPLOYEE_FIELDS.get(name, ()))
    return {name: 1 for name in sorted(fields)}
