"""Short lists read with their parent row in the same query, on PostgreSQL.

A page that shows one object with several short lists of its children (a project's milestones,
obstacles, hazards …) would make one query a list. ``as_list(queryset, **extra)`` is an
annotation for the parent's query: the rows of ``queryset`` (filtered on ``OuterRef``) as an
array of JSON objects — every concrete field of the model, decimals as text so that none loses
its scale, and ``extra`` expressions such as a related row's name; ``rows_of(model, value)`` turns
that array back into model instances, whose extra values are in ``instance.extra``. An extra
may itself be an ``as_list`` of the row's own children (filtered on ``OuterRef`` to the row: an
obstacle's photos), read back with ``rows_of`` from ``instance.extra``. Other
databases have no such array: callers read the lists with their own queries there
(``supported()``).
"""

from __future__ import annotations

import json

from django.contrib.postgres.expressions import ArraySubquery
from django.db import connection
from django.db.models import DecimalField, F, TextField
from django.db.models.functions import Cast, JSONObject


def supported() -> bool:
    return connection.vendor == "postgresql"


def as_list(queryset, **extra) -> ArraySubquery:
    """The rows of queryset, in its order, as an array of JSON objects (see the module)."""
    columns = {}
    for field in queryset.model._meta.concrete_fields:
        columns[field.attname] = (Cast(field.attname, TextField())
                                  if isinstance(field, DecimalField) else F(field.attname))
    columns.update({f"extra__{name}": value for name, value in extra.items()})
    return ArraySubquery(queryset.annotate(row_as_json=JSONObject(**columns)).values("row_as_json"))


def rows_of(model, value) -> list:
    """The instances (as read from the database) of an as_list array."""
    fields = model._meta.concrete_fields
    out = []
    for row in value or []:
        if isinstance(row, str):  # Django reads jsonb as text and decodes it itself
            row = json.loads(row)
        instance = model(**{f.attname: f.to_python(row[f.attname]) for f in fields})
        instance._state.adding, instance._state.db = False, connection.alias
        instance.extra = {k.removeprefix("extra__"): v for k, v in row.items()
                          if k.startswith("extra__")}
        out.append(instance)
    return out
