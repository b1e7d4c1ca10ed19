"""Querysets whose SQL is built once per database connection, for the hottest page reads.

Building a query costs far more CPU than running it: for the chart's reads the ORM's
``filter()`` chains and its SQL compiler took about 95% of each query's time (a patient
read: 0.95 ms to build and compile, 0.03 ms in SQLite). ``PreparedQuery`` builds a
queryset once per connection with a placeholder for each parameter, keeps the compiled
SQL and the compiler (which knows how to turn rows into values or model instances), and
for each call only puts the parameters in and runs it.

Rules, checked when the query is first prepared:

- the builder takes only keyword parameters, integers (ids), strings or aware datetimes
  (a moment such as "now", passed in), and reads nothing else that varies (no
  ``timezone.now()`` inside, no settings that change at run time): everything but its
  parameters is frozen into the SQL;
- each parameter appears among the query's SQL parameters unchanged (an ``exact``
  lookup; not ``startswith``, which rewrites its value, nor ``__in``);
- the queryset yields model instances (with ``select_related`` and ``only`` as usual)
  or ``values_list`` tuples; no ``prefetch_related``, no related-manager querysets.

With ``settings.PREPARED_QUERY_CHECK`` on (the test settings), every call also builds the
queryset with the real parameters and fails unless its SQL and parameters are exactly
those the prepared query ran, so the whole test suite checks that preparing changes no
query.
"""

import dataclasses
import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import ModelIterable, ValuesListIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

# Placeholders, found among the compiled parameters by value:
# integers within a 32-bit column's range (the ORM refuses larger ones for an int
# column), strings with a NUL, moments far in the future (found as the database
# adapter writes them: a datetime on PostgreSQL, a string on SQLite).
_INT_BASE = 2_000_000_000
_MOMENT_BASE = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)
_CONNECTION_CACHE = "_openrecovery_prepared"


@dataclasses.dataclass
class _Compiled:
    sql: str
    params: list[Any]
    slots: dict[str, list[int]]  # parameter name -> where it goes in params
    compiler: SQLCompiler
    queryset: QuerySet[Any]


class PreparedQuery:
    """A queryset shape compiled once per connection; each call fills in its parameters.

    ``PreparedQuery(lambda patient_id: Model.objects.filter(patient_id=patient_id))``;
    then ``prepared.fetch(patient_id=7)`` returns what
    ``list(Model.objects.filter(patient_id=7))`` returns.
    """

    def __init__(self, build: Callable[..., QuerySet[Any]], **kinds: type) -> None:
        names = list(inspect.signature(build).parameters)
        unknown = set(kinds) - set(names)
        if unknown:
            raise TypeError(f"no such parameters: {sorted(unknown)}")
        self.build = build
        self.kinds: dict[str, type] = {name: kinds.get(name, int) for name in names}

    def _placeholders(self) -> dict[str, Any]:
        placeholders: dict[str, Any] = {}
        for index, (name, kind) in enumerate(self.kinds.items()):
            if kind is int:
                placeholders[name] = _INT_BASE + index
            elif kind is str:
                placeholders[name] = f"\x00prepared-{index}\x00"
            elif kind is dt.datetime:
                placeholders[name] = _MOMENT_BASE + dt.timedelta(seconds=index + 1)
            else:
                raise TypeError(f"parameter {name}: only int, str and datetime can be prepared")
        return placeholders

    @staticmethod
    def _adapted(alias: str, value: Any) -> Any:
        # A datetime goes into the SQL parameters as the backend adapts a DateTimeField's.
        if isinstance(value, dt.datetime):
            return connections[alias].ops.adapt_datetimefield_value(value)
        return value

    def _compile(self, alias: str) -> _Compiled:
        placeholders = self._placeholders()
        queryset = self.build(**placeholders)
        if queryset._iterable_class not in (ModelIterable, ValuesListIterable):
            raise TypeError("a prepared query yields model instances or values_list tuples")
        internals: Any = queryset  # private QuerySet state the stubs do not declare
        if internals._prefetch_related_lookups or internals._known_related_objects:
            raise TypeError("a prepared query cannot prefetch or carry related objects")
        query = queryset.query
        if query.extra_select or (internals._fields and query.annotation_select):
            raise TypeError("a prepared values_list query selects fields only")
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        params = list(params)
        slots = {}
        for name, placeholder in placeholders.items():
            value = self._adapted(alias, placeholder)
            found = [i for i, p in enumerate(params) if type(p) is type(value) and p == value]
            if not found:
                raise TypeError(f"parameter {name} must appear, unchanged, in the SQL parameters")
            slots[name] = found
        return _Compiled(sql, params, slots, compiler, queryset)

    def _prepared(self, alias: str) -> _Compiled:
        # Per connection object: each thread has its own (and its own compiler state).
        connection = connections[alias]
        # Keyed by the query itself (not its id(), which a new object may reuse).
        cache: dict[PreparedQuery, _Compiled] = connection.__dict__.setdefault(
            _CONNECTION_CACHE, {}
        )
        compiled = cache.get(self)
        if compiled is None:
            compiled = cache[self] = self._compile(alias)
        return compiled

    def fetch(self, **values: Any) -> list[Any]:
        """Run the query with these parameters; return its rows (instances or tuples)."""
        if values.keys() != self.kinds.keys():
            raise TypeError(f"expected parameters {sorted(self.kinds)}")
        compiled = self._prepared(DEFAULT_DB_ALIAS)
        params = list(compiled.params)
        for name, indexes in compiled.slots.items():
            value = values[name]
            if not isinstance(value, self.kinds[name]) or isinstance(value, bool):
                raise TypeError(f"parameter {name} must be {self.kinds[name].__name__}")
            if isinstance(value, dt.datetime) and value.tzinfo is None:
                raise TypeError(f"parameter {name} must be an aware datetime")
            for index in indexes:
                params[index] = self._adapted(DEFAULT_DB_ALIAS, value)
        if getattr(settings, "PREPARED_QUERY_CHECK", False):
            self._check(compiled, params, values)
        compiler = compiled.compiler
        with compiler.connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiler.has_extra_select:
            rows = [row[: compiler.col_count] for row in rows]
        converted = compiler.results_iter([rows], tuple_expected=True)
        if compiled.queryset._iterable_class is ValuesListIterable:
            return list(converted)
        return self._instances(compiled, converted)

    @staticmethod
    def _instances(compiled: _Compiled, rows: Any) -> list[Any]:
        # What ModelIterable does, for a queryset without known related objects.
        compiler = compiled.compiler
        select, klass_info = compiler.select, compiler.klass_info
        annotations = compiler.annotation_col_map
        model_cls = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        db = compiled.queryset.db
        # Django 5.2's signature (the stubs describe a later one, with fetch_mode).
        populators = get_related_populators(klass_info, select, db)  # type: ignore[call-arg]
        objects = []
        for row in rows:
            obj = model_cls.from_db(db, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            objects.append(obj)
        return objects

    def _check(self, compiled: _Compiled, params: list[Any], values: dict[str, Any]) -> None:
        queryset = self.build(**values)
        sql, expected = queryset.query.get_compiler(using=compiled.queryset.db).as_sql()
        if sql != compiled.sql or list(expected) != params:
            raise AssertionError(
                "a prepared query ran other SQL than its queryset builds: "
                f"{compiled.sql!r} {params!r} != {sql!r} {list(expected)!r}"
            )
