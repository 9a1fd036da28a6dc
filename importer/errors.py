"""Errors of a tenant import: every problem of a document, each with its JSON path."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import ngettext

from core.errors import InvalidInput


@dataclass(frozen=True)
class ImportIssue:
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class TenantImportInvalid(InvalidInput):
    """The document has errors; nothing was changed. ``issues`` lists every one of them."""

    def __init__(self, issues: list[ImportIssue]):
        self.issues = list(issues)
        super().__init__(
            ngettext(
                "The tenant import has %(count)d error; nothing was changed.",
                "The tenant import has %(count)d errors; nothing was changed.",
                len(issues),
            )
            % {"count": len(issues)},
            data=[{"path": i.path, "message": i.message} for i in self.issues],
        )

    @property
    def lines(self) -> list[str]:
        return [str(issue) for issue in self.issues]
