"""What a mutation resolver returns: the written document, or the reasons nothing was written."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from models.core.documents import Document
from models.core.errors import ErrorCode, FieldError


@dataclass
class Outcome:
    """``document`` after the write, or ``errors`` and nothing written; ``extra`` holds what a payload
    shows beside its document (a conflict's current version, a related request, a launch's report)."""

    document: Document | None = None
    errors: list[FieldError] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def refused(cls, field_name: str | None, code: ErrorCode, message: str, **extra: Any) -> Outcome:
        return cls(errors=[FieldError(field_name, code, message)], extra=extra)

    @property
    def ok(self) -> bool:
        return not self.errors
