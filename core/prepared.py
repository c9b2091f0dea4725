"""Reads whose SQL is built once per process.

The ORM builds a query's SQL anew on every call: for a page's few large reads (the dashboard's
table with each project's latest report, a project's short lists as JSON arrays) building it
costs more CPU than PostgreSQL takes to run it, and without the page cache it is most of what
the page costs. A ``Statement`` is such a read written as an ordinary ``values()`` or
``values_list()`` queryset of its arguments, or a queryset of model instances (with
``select_related`` and annotations, made into objects by the ORM's own populators; the session's
user, read on every signed-in request, is one). The first call builds it twice with stand-in values
for the arguments and keeps its SQL and parameters when the two builds differ only where the
stand-ins are; every call then runs that SQL with the arguments in the stand-ins' places and
turns the rows into what the queryset gives (its names, its converters). Only the statement is
kept — no row, nothing a write could make stale. A read whose SQL depends on more than its
arguments' places (another database that turns dates into text, a list argument, an argument
that shapes the query) is simply run through the ORM every time.

Arguments are ints, dates and aware datetimes, passed by name.

On PostgreSQL the statement is also prepared on the server (``PREPARE``, once a database session,
sent with its first ``EXECUTE`` in one round trip, so it is still one query): PostgreSQL parses it
once, and from its sixth run in the session on (plan_cache_mode auto) runs a plan kept for it
when that plan costs no more than planning anew — planning was half of these reads' time (the
project page's 4 statements 4.5 → 1.5 ms, the dashboard's 3.3 → 1.6 ms, in sessions that ran
them many times: a busy worker's, which a connection is for CONN_MAX_AGE). A prepared statement
lives in the database session: a connection pooler that hands each transaction another session
(PgBouncer in transaction mode) breaks it, so ``DATABASE_PREPARED_STATEMENTS=0`` turns it off
(settings). Should a session lose its statements all the same (or a migration change what one
returns), the plain SQL is sent for the rest of that session: at once in autocommit, as pages
read; a transaction is failed by the error. An int argument beyond a bigint (a URL's 20-digit
id) is read by the plain SQL.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models.query import (
    FlatValuesListIterable,
    ModelIterable,
    ValuesIterable,
    ValuesListIterable,
    get_related_populators,
)

_UTC = datetime.UTC


def _standin(kind: type, n: int, build: int) -> Any:
    """A value of kind no real argument takes, different for each argument n and build."""
    if kind is int:  # within a 32-bit column's range: Django refuses a value out of it
        return -2_100_000_000 - 1000 * build - n
    if kind is datetime.datetime:
        return datetime.datetime(1901, 2, 3, 4, 5, 6, 1000 * build + n + 1, tzinfo=_UTC)
    if kind is datetime.date:
        return datetime.date(1, 1 + build, 1 + n)
    raise TypeError(f"a Statement argument is an int, a date or a datetime, not {kind.__name__}")


#: The PostgreSQL type of each kind of argument, for PREPARE (a bigint compares with an integer
#: column through its index as an integer does).
_PG_TYPES = {int: "bigint", datetime.date: "date", datetime.datetime: "timestamptz"}


class _Compiled:
    def __init__(self, sql, params, places, shape, names, converters, using, objects=None):
        self.sql, self.params, self.places = sql, params, places
        self.shape, self.names, self.converters, self.using = shape, names, converters, using
        self.objects = objects
        #: (name, PREPARE statement, EXECUTE statement, argument names in order) on PostgreSQL
        self.server: tuple[str, str, str, list[str]] | None = None


def _server_statement(compiled: _Compiled, kinds: dict[str, type], cursor) -> tuple:
    """The PREPARE and EXECUTE of a compiled statement: its SQL with the constants written in (as
    psycopg2 writes them for the ORM's SQL) and $1… where the arguments go."""
    from psycopg2.extensions import AsIs  # on PostgreSQL only

    order = list(dict.fromkeys(name for _position, name in compiled.places))
    params = list(compiled.params)
    for position, name in compiled.places:  # $n where psycopg2 would put the argument's value
        params[position] = AsIs(f"${order.index(name) + 1}")
    body = cursor.mogrify(compiled.sql, params).decode()
    types = ", ".join(_PG_TYPES[kinds[argument]] for argument in order)
    body = body.replace("%", "%%")  # sent through psycopg2 with the EXECUTE's arguments
    header = f"({types}) AS" if order else "AS"
    # Named by what is prepared, its declared types included: the same name is the same statement.
    name = "gj_" + hashlib.sha256(f"{header} {body}".encode()).hexdigest()[:24]
    prepare = f"PREPARE {name} {header} {body}"
    execute = f"EXECUTE {name} ({', '.join(['%s'] * len(order))})" if order else f"EXECUTE {name}"
    return name, prepare, execute, order


#: What PostgreSQL answers when a session's prepared statement is not what the connection knows:
#: it does not exist (a pooler gave the connection another session; DEALLOCATE), it exists
#: already, or its result's columns changed under it (a migration while the app runs).
_PREPARED_GONE = {"26000", "42P05", "0A000"}

#: An int argument must fit the declared bigint (a bigger one, say a URL's 20-digit id, is read by
#: the plain SQL, which finds nothing, rather than failing the prepared statement).
_BIGINT = range(-(2**63), 2**63)


def _may_prepare(connection, values: dict) -> bool:
    return (connection.vendor == "postgresql" and settings.DATABASE_PREPARED_STATEMENTS
            and connection.Database.__name__ == "psycopg2"  # AsIs, mogrify: psycopg2's
            and all(v in _BIGINT for v in values.values() if type(v) is int))


def _prepared_on(connection) -> set | None:
    """The names prepared in this connection's database session (reset with a new session);
    None once a statement failed in it (whether it was prepared is not known: the plain SQL is
    sent until the next session)."""
    raw = connection.connection
    state = getattr(connection, "_gongjian_prepared", None)
    if state is None or state[0] is not raw:
        state = connection._gongjian_prepared = (raw, set())
    return state[1]


class _Objects:
    """How ModelIterable makes a row into a model instance, kept from the compiled query."""

    def __init__(self, compiler, using):
        info = compiler.klass_info
        start, end = info["select_fields"][0], info["select_fields"][-1] + 1
        self.model, self.fields, self.using = info["model"], slice(start, end), using
        self.init_list = [f[0].target.attname for f in compiler.select[start:end]]
        self.populators = get_related_populators(info, compiler.select, using)
        self.annotations = dict(compiler.annotation_col_map or {})

    def make(self, row):
        obj = self.model.from_db(self.using, self.init_list, row[self.fields])
        for populator in self.populators:
            populator.populate(row, obj)
        for name, at in self.annotations.items():
            setattr(obj, name, row[at])
        return obj


class Statement:
    """A values() or values_list() read of named arguments whose SQL is built once (see the
    module). ``build(**arguments)`` returns the queryset; ``arguments`` names each argument's
    type. Calling the statement with the arguments gives the rows as the queryset would: dicts,
    tuples or values."""

    def __init__(self, build: Callable[..., Any], **arguments: type):
        self.build = build
        self.arguments = arguments
        self._compiled: dict[str, _Compiled | None] = {}

    def __call__(self, **values) -> list:
        if values.keys() != self.arguments.keys():
            raise TypeError(f"arguments {sorted(self.arguments)}, got {sorted(values)}")
        if DEFAULT_DB_ALIAS not in self._compiled:
            self._compiled[DEFAULT_DB_ALIAS] = self._compile(DEFAULT_DB_ALIAS)
        compiled = self._compiled[DEFAULT_DB_ALIAS]
        if compiled is None:
            return list(self.build(**values))
        connection = connections[compiled.using]
        with connection.cursor() as cursor:
            rows = self._run(compiled, values, connection, cursor)
        if compiled.converters:
            rows = [_convert(row, compiled.converters, connection) for row in rows]
        if compiled.objects is not None:
            return [compiled.objects.make(row) for row in rows]
        if compiled.shape is ValuesIterable:
            names = compiled.names
            return [dict(zip(names, row, strict=True)) for row in rows]
        if compiled.shape is FlatValuesListIterable:
            return [row[0] for row in rows]
        return [tuple(row) for row in rows]

    def _run(self, compiled: _Compiled, values: dict, connection, cursor) -> list:
        if _may_prepare(connection, values):
            prepared = _prepared_on(connection)
            if prepared is not None:
                if compiled.server is None:
                    compiled.server = _server_statement(compiled, self.arguments, cursor.cursor)
                name, prepare, execute, order = compiled.server
                arguments = [values[argument] for argument in order]
                # Prepared the first time in one round trip with its EXECUTE (one query).
                sql = execute if name in prepared else f"{prepare}; {execute}"
                try:
                    cursor.execute(sql, arguments)
                except DatabaseError as error:
                    if getattr(error.__cause__, "pgcode", None) not in _PREPARED_GONE:
                        raise
                    # This session lost (or already had) its prepared statements, or a deploy's
                    # migration changed what one returns: the plain SQL for the rest of the
                    # session — at once in autocommit; a transaction is failed by then.
                    connection._gongjian_prepared = (connection.connection, None)
                    if connection.in_atomic_block or not connection.get_autocommit():
                        raise
                else:
                    prepared.add(name)
                    return cursor.fetchall()
        params = list(compiled.params)
        for position, name in compiled.places:
            params[position] = values[name]
        cursor.execute(compiled.sql, params)
        return cursor.fetchall()

    def _compile(self, using: str) -> _Compiled | None:
        """The statement from two builds with different stand-ins, or None when its SQL is not
        the same SQL with the arguments in their places."""
        builds = []
        for build in (1, 2):
            standins = {name: _standin(kind, n, build)
                        for n, (name, kind) in enumerate(self.arguments.items())}
            try:
                queryset = self.build(**standins)
                compiler = queryset.query.get_compiler(using)
                sql, params = compiler.as_sql()
            except Exception:  # noqa: BLE001 — a stand-in the query refuses (a negative slice)
                return None
            if queryset._iterable_class not in (ValuesIterable, ValuesListIterable,
                                                FlatValuesListIterable, ModelIterable):
                raise TypeError("a Statement is a values(), values_list() or model queryset")
            if queryset._prefetch_related_lookups or queryset._known_related_objects:
                return None  # more than one statement, or objects from elsewhere: the ORM's
            builds.append((queryset, compiler, sql, list(params), standins))
        (queryset, compiler, sql, params, first), (_q, _c, sql_2, params_2, second) = builds
        if sql != sql_2 or len(params) != len(params_2):
            return None
        by_value = {(type(v), v): name for name, v in first.items()}
        places = []
        for position, (one, two) in enumerate(zip(params, params_2, strict=True)):
            name = by_value.get((type(one), one))
            if name is None:
                if one != two:  # differs, but not where an argument is
                    return None
                continue
            if two != second[name] or type(two) is not type(second[name]):
                return None
            places.append((position, name))
        if {name for _position, name in places} != set(self.arguments):
            return None  # an argument that is not a parameter (it shaped the SQL)
        query = queryset.query
        names = list(query.selected) if query.selected else [
            *query.extra_select, *query.values_select, *query.annotation_select]
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        objects = _Objects(compiler, using) if queryset._iterable_class is ModelIterable else None
        return _Compiled(sql, params, places, queryset._iterable_class, names,
                         list(compiler.get_converters(fields).items()), using, objects)


def _convert(row, converters, connection) -> list:
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row
