"""Querysets compiled once per process, for the reads every request makes (the session, the
signed-in user).

Building a queryset and compiling it to SQL costs Django about half a millisecond of CPU for a
one-row read by key; the database answers such a read in a tenth of that. For a read that runs on
every request with the same shape, `Compiled` builds the queryset once (through the model's default
manager, so its queryset class and filters apply), keeps its SQL, its parameter list and the
fields' converters (decryption, JSON, time zones: the same ones the ORM applies), and afterwards only
puts the new values into the parameter list, runs the SQL and makes the instance with
`Model.from_db`, as the ORM does.

Only plain model rows (no select_related, no annotations) and parameters whose database form is
the value itself (int, str; not a datetime, which SQLite stores as text): `Compiled` checks both when it compiles and refuses
otherwise, so a later change of the queryset cannot silently read the wrong thing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, models, router

M = TypeVar("M", bound=models.Model)

_PLAIN = (int, str)


class Compiled(Generic[M]):
    """`Compiled(Model, lambda key: Model.objects.filter(key=key), "sentinel").first(key)`:
    the queryset `build(*sentinels)` compiled once per database alias; `first(*values)` runs it
    with `values` in the sentinels' places and returns the first row as an instance, or None."""

    def __init__(self, model: type[M], build: Callable[..., models.QuerySet[M]], *sentinels: Any) -> None:
        if not sentinels or any(type(s) not in _PLAIN for s in sentinels):
            raise TypeError("Compiled needs sentinels of type int or str")
        self.model = model
        self.build = build
        self.sentinels = sentinels
        self._by_alias: dict[str, tuple[str, list[Any], list[int], list[str], list[tuple[int, Any, Any]]]] = {}
        self._lock = threading.Lock()

    def _compile(self, alias: str) -> tuple[str, list[Any], list[int], list[str], list[tuple[int, Any, Any]]]:
        qs = self.build(*self.sentinels)
        compiler = qs.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        if compiler.klass_info is None or compiler.klass_info.get("related_klass_infos") or compiler.annotation_col_map:
            raise TypeError("Compiled reads plain model rows only")
        slots = []
        for s in self.sentinels:
            found = [i for i, p in enumerate(params) if type(p) is type(s) and p == s]
            if len(found) != 1:
                raise TypeError(f"sentinel {s!r} is not one parameter of the compiled query")
            slots.append(found[0])
        attnames = [col.target.attname for col, _sql, _alias in compiler.select]
        if compiler.klass_info["select_fields"] != list(range(len(attnames))):
            raise TypeError("Compiled reads plain model rows only")
        converters = [
            (pos, convs, expr) for pos, (convs, expr) in compiler.get_converters([c for c, _s, _a in compiler.select]).items()
        ]
        return sql, list(params), slots, attnames, converters

    def first(self, *values: Any) -> M | None:
        alias = router.db_for_read(self.model)
        compiled = self._by_alias.get(alias)
        if compiled is None:
            with self._lock:
                compiled = self._by_alias.get(alias) or self._compile(alias)
                self._by_alias[alias] = compiled
        sql, template, slots, attnames, converters = compiled
        params = list(template)
        for slot, value, sentinel in zip(slots, values, self.sentinels, strict=True):
            if type(value) is not type(sentinel):  # the database form of the value is the value itself
                raise TypeError(f"Compiled wants a {type(sentinel).__name__} here, not a {type(value).__name__}")
            params[slot] = value
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if converters:
            row = list(row)
            for pos, convs, expr in converters:
                value = row[pos]
                for convert in convs:
                    value = convert(value, expr, connection)
                row[pos] = value
        return self.model.from_db(alias, attnames, tuple(row))
