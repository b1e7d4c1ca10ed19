"""Read docs/access.md (the documented authorization table) and build real URLs from it."""

import dataclasses
import re
from pathlib import Path

from django.conf import settings

from openrecovery.accounts.roles import Role
from openrecovery.chart.access_table import ANONYMOUS

ROLE_BY_LABEL = {role.label: role.value for role in Role}
COLUMNS = [role.value for role in Role] + [ANONYMOUS]
PATH_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")


@dataclasses.dataclass(frozen=True)
class DocumentedRow:
    """One row of a documented table: its leading cells, and one cell per column."""

    fields: dict[str, str]
    cells: dict[str, str]

    @property
    def path(self) -> str:
        return self.fields["path"]

    @property
    def name(self) -> str:
        return self.fields.get("URL name") or self.fields["operation"]


def access_doc_text() -> str:
    return (Path(settings.REPO_DIR) / "docs" / "access.md").read_text(encoding="utf-8")


def _split(line: str) -> list[str]:
    return [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]


def _table(text: str, heading: str) -> list[DocumentedRow]:
    section = text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = _split(lines[0])
    rows = []
    for line in lines[2:]:
        values = dict(zip(header, _split(line), strict=True))
        cells = {
            ROLE_BY_LABEL.get(h, h): values.pop(h)
            for h in list(values)
            if h in ROLE_BY_LABEL or h == ANONYMOUS
        }
        rows.append(DocumentedRow(fields=values, cells=cells))
    assert rows, f"no rows under '## {heading}' in docs/access.md"
    return rows


def documented_pages() -> list[DocumentedRow]:
    """Return the rows of the documented page table."""
    return _table(access_doc_text(), "Pages")


def documented_api() -> list[DocumentedRow]:
    """Return the rows of the documented API table."""
    return _table(access_doc_text(), "API")


def concrete_path(pattern: str, ids: dict[str, int | str]) -> str:
    """Fill a documented path pattern's parameters with real object ids."""
    return PATH_PARAMETER.sub(lambda m: str(ids[m.group(1)]), pattern)
