"""Depth and alias limits measured in one pass, linear in the document's size.

Each fragment is measured once (its depth and the aliases it brings), however many times it is spread:
a document whose fragments each spread the next ten times costs one walk of each fragment, not ten to
the power of the nesting. A spread of an unknown fragment, or one that spreads itself, counts as empty
here (graphql-core's own rules report those). Messages are those Strawberry's limiters give.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
)


@dataclass(frozen=True)
class Measure:
    depth: int
    aliases: int


EMPTY = Measure(0, 0)


class Measurer:
    """Depth (a field with a selection counts one, introspection fields none) and aliases of selections,
    with each fragment's measure kept once computed."""

    def __init__(self, fragments: dict[str, FragmentDefinitionNode]) -> None:
        self.fragments = fragments
        self.measured: dict[str, Measure] = {}
        self.measuring: set[str] = set()

    def selections(self, selection_set: SelectionSetNode | None) -> Measure:
        if selection_set is None:
            return EMPTY
        depth = aliases = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                inner = self.selections(selection.selection_set)
                aliases += inner.aliases + (1 if selection.alias else 0)
                if not selection.name.value.startswith("__") and selection.selection_set is not None:
                    depth = max(depth, 1 + inner.depth)
            elif isinstance(selection, InlineFragmentNode):
                inner = self.selections(selection.selection_set)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
            elif isinstance(selection, FragmentSpreadNode):
                inner = self.fragment(selection.name.value)
                depth, aliases = max(depth, inner.depth), aliases + inner.aliases
        return Measure(depth, aliases)

    def fragment(self, name: str) -> Measure:
        if name in self.measured:
            return self.measured[name]
        definition = self.fragments.get(name)
        if definition is None or name in self.measuring:  # unknown, or a cycle: reported by other rules
            return EMPTY
        self.measuring.add(name)
        measure = self.measured[name] = self.selections(definition.selection_set)
        self.measuring.discard(name)
        return measure


def document_limits(max_depth: int, max_aliases: int) -> type[ValidationRule]:
    """One validation rule class (built once: the validation cache keys on rule classes)."""

    class DocumentLimits(ValidationRule):
        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            definitions = context.document.definitions
            fragments = {d.name.value: d for d in definitions if isinstance(d, FragmentDefinitionNode)}
            measurer = Measurer(fragments)
            aliases = 0
            try:
                for operation in (d for d in definitions if isinstance(d, OperationDefinitionNode)):
                    measure = measurer.selections(operation.selection_set)
                    aliases += measure.aliases
                    if measure.depth > max_depth:
                        name = operation.name.value if operation.name else "anonymous"
                        context.report_error(GraphQLError(
                            f"'{name}' exceeds maximum operation depth of {max_depth}", [operation],
                            extensions={"code": "LIMIT_EXCEEDED"}))
            except RecursionError:
                context.report_error(GraphQLError("the document nests too deeply",
                                                  extensions={"code": "LIMIT_EXCEEDED"}))
                return
            if aliases > max_aliases:
                context.report_error(GraphQLError(f"{aliases} aliases found. Allowed: {max_aliases}",
                                                  extensions={"code": "LIMIT_EXCEEDED"}))

    return DocumentLimits
