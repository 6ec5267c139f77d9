"""Bulk writes for the paths that handle tens of thousands of rows at once (manifest
import and screening, their assessments): PostgreSQL COPY, ids taken from a sequence
before the rows are written, and one UPDATE for many rows. Each has a plain ORM
fallback for SQLite (`make run`), where the data sets are demo-sized."""

from __future__ import annotations

import io
import json
from decimal import Decimal

from django.db import DEFAULT_DB_ALIAS, connections, models


def on_postgresql() -> bool:
    return connections[DEFAULT_DB_ALIAS].vendor == "postgresql"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: object) -> str:
    """One value in COPY's text format."""
    kind = type(value)
    if kind is int or kind is Decimal:
        return str(value)
    if kind is str:
        return value.translate(_COPY_ESCAPES)  # type: ignore[union-attr]
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (list, dict)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).translate(_COPY_ESCAPES)


class Copier:
    """Writes many rows of one model with PostgreSQL's COPY: the ORM's bulk_create
    spends most of a 100,000-row write preparing parameters. The columns that are the
    same for every row are rendered once from `template` (defaults, auto_now) as the ORM
    would prepare them; each row gives the `varying` columns by name."""

    def __init__(
        self, model: type[models.Model], template: models.Model, *, varying: list[str], with_pk: bool = False
    ) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        fields = [field for field in model._meta.concrete_fields if with_pk or not field.primary_key]
        self.table = model._meta.db_table
        self.columns = [field.column for field in fields]
        self.constants = [
            copy_text(
                field.pre_save(template, add=True)
                if isinstance(field, models.JSONField)  # rendered as JSON text by copy_text
                else field.get_db_prep_save(field.pre_save(template, add=True), connection)
            )
            for field in fields
        ]
        self.varying = [(self.columns.index(column), column) for column in varying]
        self.model = model
        self.template_values = {field.attname: getattr(template, field.attname) for field in fields}

    def copy(self, rows: list[dict[str, object]]) -> None:
        if not rows:
            return
        if not on_postgresql():
            # SQLite under `make run`: the ORM is fast enough for demo-sized data.
            self.model.objects.bulk_create([self.model(**(self.template_values | row)) for row in rows], batch_size=500)
            return
        buffer = io.StringIO()
        for row in rows:
            cells = self.constants.copy()
            for index, column in self.varying:
                cells[index] = copy_text(row[column])
            buffer.write("\t".join(cells))
            buffer.write("\n")
        buffer.seek(0)
        columns = ", ".join(f'"{column}"' for column in self.columns)
        connection = connections[DEFAULT_DB_ALIAS]
        # wrap_database_errors: a unique violation arrives as Django's IntegrityError.
        with connection.cursor() as cursor, connection.wrap_database_errors:
            cursor.cursor.copy_expert(f'COPY "{self.table}" ({columns}) FROM STDIN', buffer)


def ids_take(model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys of `model`, in increasing order, before its rows are
    written (so that rows referring to them can be written in the same batch). On
    SQLite the caller holds the write lock (it serialises writers), so the next ids are free."""
    if count <= 0:
        return []
    if not on_postgresql():
        last = model.objects.aggregate(last=models.Max("pk"))["last"] or 0
        return list(range(last + 1, last + 1 + count))
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [row[0] for row in cursor.fetchall()]


PLAIN_TYPES = {"CharField", "TextField", "IntegerField", "BigIntegerField", "PositiveIntegerField", "DateTimeField"}


def rows_update(model: type[models.Model], rows: list[dict[str, object]], *, fields: list[str]) -> None:
    """Sets `fields` of many rows, each row a dict with "pk" and those fields, in one
    UPDATE ... FROM (VALUES ...) per page on PostgreSQL (bulk_update's CASE per row is
    quadratic in the page size)."""
    if not rows:
        return
    if not on_postgresql():
        objects = [model(pk=row["pk"], **{name: row[name] for name in fields}) for row in rows]
        model.objects.bulk_update(objects, fields, batch_size=500)
        return
    from psycopg2.extras import execute_values

    connection = connections[DEFAULT_DB_ALIAS]
    meta_fields = [model._meta.get_field(name) for name in fields]
    assignments = ", ".join(f'"{field.column}" = v."{field.column}"' for field in meta_fields)
    # Casts name each value's column type: VALUES alone would type them all as text.
    casts = ", ".join(f"%s::{field.db_type(connection)}" for field in meta_fields)
    names = ", ".join(['"_pk"', *(f'"{field.column}"' for field in meta_fields)])
    table, pk = model._meta.db_table, model._meta.pk.column
    # Table and column names come from our own models, never from input.
    sql = f'UPDATE "{table}" SET {assignments} FROM (VALUES %s) AS v ({names}) WHERE "{table}"."{pk}" = v."_pk"'  # noqa: S608
    # Plain values (text, numbers, aware datetimes) as psycopg2 adapts them; others prepared as the ORM would.
    plain = [field.get_internal_type() in PLAIN_TYPES for field in meta_fields]
    values = [
        (
            row["pk"],
            *(
                row[field.name] if is_plain else field.get_db_prep_save(row[field.name], connection)
                for field, is_plain in zip(meta_fields, plain, strict=True)
            ),
        )
        for row in rows
    ]
    with connection.cursor() as cursor, connection.wrap_database_errors:
        execute_values(cursor.cursor, sql, values, template=f"(%s::bigint, {casts})", page_size=2000)
