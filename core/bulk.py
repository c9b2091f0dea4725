"""Set-based updates of many rows, each with its own values.

On PostgreSQL one ``UPDATE … FROM unnest(%s::bigint[], …)`` statement per chunk of rows: the
values go as one array per column, with no model instances and no ``CASE WHEN`` per row (which is
what ``bulk_update`` builds, and costs more in Python than the rows are worth). Elsewhere (SQLite in
development) ``bulk_update``, which writes the same.

A field can be set only where the row was not written since it was read (``unless_rewritten``):
the row's version as read (``ROW_VERSION``, PostgreSQL's xmin, which every write of the row
changes) travels with the values, so a concurrent writer's value is kept, not overwritten by one
computed before it committed.
"""

from __future__ import annotations

import datetime
import json

from django.db import connection
from django.db.models import JSONField

#: Rows per statement on PostgreSQL (the arrays travel as parameters; memory stays bounded).
CHUNK = 10_000

#: The version of a row, as SQL over its table's alias (read it with the row; see update_rows).
ROW_VERSION = "{table}.xmin::text"


def array_literal(values) -> str:
    """The PostgreSQL array literal of values (ints, text, dates, aware datetimes, decimals, None:
    NULL), sent as one text parameter and cast by the statement (``%s::bigint[]``). psycopg2
    adapts a list item by item into ``ARRAY[…]``: 0.7 µs an integer, 1.8 µs a datetime; this,
    0.1 and 0.8. Text is quoted and escaped as the array syntax wants."""
    parts = []
    append = parts.append
    for v in values:
        if v is None:
            append("NULL")
        elif type(v) is int:
            append(str(v))
        elif isinstance(v, str):
            append('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"')
        elif isinstance(v, bool):
            append("t" if v else "f")
        elif isinstance(v, (datetime.date, datetime.datetime)):
            append(v.isoformat())  # a naive datetime would be read in the session's zone
        else:
            append(str(v))  # Decimal, other numbers
    return "{" + ",".join(parts) + "}"


def update_rows(model, fields: list[str], rows: list[tuple], *, also: dict | None = None,
                unless_rewritten: tuple[str, ...] = ()) -> int:
    """Set, for each row (pk, value of fields[0], value of fields[1], …), those fields of the row
    of model with that pk; also: {field: value} set alike on every row. Returns the rows updated.

    With unless_rewritten (some of fields), each row ends with one more value, the row's version
    read with it (ROW_VERSION): those fields are set only where the row is still that version;
    the other fields are set in any case. Elsewhere than on PostgreSQL (one writer at a time) the
    version is not read (None) and every field is set."""
    if not rows:
        return 0
    also = also or {}
    meta = model._meta
    if connection.vendor != "postgresql":
        objects = []
        width = len(fields) + 1
        for row in rows:
            obj = model(pk=row[0])
            for name, value in zip(fields, row[1:width], strict=True):
                setattr(obj, name, value)
            for name, value in also.items():
                setattr(obj, name, value)
            objects.append(obj)
        return model.objects.bulk_update(objects, [*fields, *also], batch_size=1000)

    pk_column = meta.pk.column
    sets, arrays, json_columns = [], [f"%s::{_array_type(meta.pk)}"], set()
    version = ROW_VERSION.format(table=meta.db_table)
    for i, name in enumerate(fields):
        field = meta.get_field(name)
        if isinstance(field, JSONField):
            json_columns.add(i)
            arrays.append("%s::text[]")
            value = f"t.c{i}::jsonb"
        else:
            arrays.append(f"%s::{_array_type(field)}")
            value = f"t.c{i}"
        if name in unless_rewritten:
            value = (f"CASE WHEN {version} = t.version THEN {value} "
                     f"ELSE {meta.db_table}.{field.column} END")
        sets.append(f"{field.column} = {value}")
    for name in also:
        sets.append(f"{meta.get_field(name).column} = %s")
    names = ", ".join(["pk", *(f"c{i}" for i in range(len(fields))),
                       *(["version"] if unless_rewritten else [])])
    if unless_rewritten:
        arrays.append("%s::text[]")
    # The keys once more as a filter of the table (pk = ANY(…)): the planner then fetches the
    # rows by their index, where with the join alone it hashed the whole table for each chunk.
    sql = (f"UPDATE {meta.db_table} SET {', '.join(sets)} "  # nosec B608  # model names; values are parameters
           f"FROM unnest({', '.join(arrays)}) AS t({names}) "
           f"WHERE {meta.db_table}.{pk_column} = t.pk "
           f"AND {meta.db_table}.{pk_column} = ANY({arrays[0]})")
    done = 0
    with connection.cursor() as cur:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            keys = array_literal(r[0] for r in chunk)
            columns = [keys]
            for i in range(len(fields)):
                values = [r[i + 1] for r in chunk]
                if i in json_columns:
                    values = [None if v is None else json.dumps(v) for v in values]
                columns.append(array_literal(values))
            if unless_rewritten:
                columns.append(array_literal(r[len(fields) + 1] for r in chunk))
            # SET's constants come first in the statement, the arrays after, the keys last.
            cur.execute(sql, [*also.values(), *columns, keys])
            done += cur.rowcount
    return done


def insert_rows(model, fields: list[str], rows: list[tuple], *, also: dict | None = None,
                ignore_conflicts: bool = False) -> list[int] | None:
    """Insert rows (values of fields, in that order) into model's table; also: {field: value} the
    same in every row; every other column takes the field's default, as a new instance would
    (the key apart, which the database gives). Returns the new keys in the rows' order; with
    ignore_conflicts a row that breaks a unique constraint is left out (ON CONFLICT DO NOTHING)
    and None is returned.

    On PostgreSQL one ``INSERT … SELECT FROM unnest(…)`` a CHUNK of rows, one array literal a
    column: no model instances, no per-value preparation by the ORM (their cost, not the
    database's, was most of a scan's thousands of notices); the keys come back by RETURNING, in
    the arrays' order, as bulk_create reads them. Elsewhere bulk_create of instances made from
    the rows, which writes the same. Values are plain (ids for relations, dicts for JSON). A
    field the two paths would fill differently (``auto_now``, ``auto_now_add``, a
    ``db_default``) must be given: left out, it is a TypeError."""
    meta = model._meta
    also = dict(also or {})
    given = [meta.get_field(name) for name in fields]
    named = {f.name for f in given} | {meta.get_field(name).name for name in also}
    for f in meta.concrete_fields:
        if f.name in named or (f.primary_key and f.db_returning):
            continue
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) \
                or f.has_db_default():
            # bulk_create would stamp it, or the database would fill it: the two paths would
            # write different rows. Give it.
            raise TypeError(f"insert_rows: give {model.__name__}.{f.name}")
        also[f.name] = f.get_default()  # a callable default is called once for all the rows
    if connection.vendor != "postgresql":
        objects = [model(**{f.attname: v for f, v in zip(given, row, strict=True)},
                         **{meta.get_field(k).attname: v for k, v in also.items()})
                   for row in rows]
        model.objects.bulk_create(objects, ignore_conflicts=ignore_conflicts, batch_size=1000)
        return None if ignore_conflicts else [obj.pk for obj in objects]

    constants = [meta.get_field(name) for name in also]
    names = ", ".join(connection.ops.quote_name(f.column) for f in (*given, *constants))
    arrays = ", ".join(f"%s::{_array_type(f)}" for f in given)
    picks = ", ".join([*(f"t.c{i}" for i in range(len(given))), *(["%s"] * len(constants))])
    aliases = ", ".join(f"c{i}" for i in range(len(given)))
    pk = connection.ops.quote_name(meta.pk.column)
    sql = (f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) "  # nosec B608  # model names; values are parameters
           f"SELECT {picks} FROM unnest({arrays}) AS t({aliases}) "
           + ("ON CONFLICT DO NOTHING" if ignore_conflicts else f"RETURNING {pk}"))
    # The constants as the fields would send them (a dict of a JSON field as its text).
    fixed = [f.get_db_prep_save(v, connection) for f, v in zip(constants, also.values(),
                                                                strict=True)]
    keys = []
    with connection.cursor() as cur:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            columns = []
            for i, f in enumerate(given):
                values = [row[i] for row in chunk]
                if isinstance(f, JSONField):
                    values = [None if v is None else json.dumps(v, cls=f.encoder)
                              for v in values]
                columns.append(array_literal(values))
            # SELECT's constants come first in the statement, the arrays after.
            cur.execute(sql, [*fixed, *columns])
            if not ignore_conflicts:
                keys.extend(key for (key,) in cur.fetchall())
    return None if ignore_conflicts else keys


def _array_type(field) -> str:
    kind = field.db_type(connection)
    if kind in ("bigserial", "serial", "smallserial"):
        kind = {"bigserial": "bigint", "serial": "integer", "smallserial": "smallint"}[kind]
    return kind.replace("GENERATED BY DEFAULT AS IDENTITY", "").strip() + "[]"
