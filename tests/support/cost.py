"""What a request builds: SQL compiled by the ORM and templates rendered (page-cost tests)."""

import contextlib
from collections import Counter
from collections.abc import Iterator

from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.test.signals import template_rendered


@contextlib.contextmanager
def sql_compiled() -> Iterator[list[str]]:
    """Collect the SELECTs the ORM compiles inside the block (their SQL)."""
    compiled: list[str] = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003, ANN202
        sql, params = original(self, *args, **kwargs)
        compiled.append(sql)
        return sql, params

    SQLCompiler.as_sql = counting  # type: ignore[method-assign]
    try:
        yield compiled
    finally:
        SQLCompiler.as_sql = original  # type: ignore[method-assign]


@contextlib.contextmanager
def templates_rendered() -> Iterator[Counter[str]]:
    """Count the templates rendered inside the block, by name (the test runner's signal)."""
    names: Counter[str] = Counter()

    def seen(sender, template, context, **kwargs):  # noqa: ANN001, ANN003, ANN202, ARG001
        names[template.name] += 1

    template_rendered.connect(seen)
    try:
        yield names
    finally:
        template_rendered.disconnect(seen)


def sql_of_second_view(client: Client, path: str) -> list[str]:
    """Return the SELECTs the ORM compiles for ``path`` once the client has seen it once."""
    client.get(path)
    with sql_compiled() as compiled:
        assert client.get(path).status_code == 200
    return compiled
