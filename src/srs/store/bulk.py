"""Inserting many rows at once, given as tuples: a merge's 100k log rows without SQLAlchemy's
per-row parameter handling.

On SQLite the rows go to the driver's `executemany` as they are, after each column's own bind
processing (the same conversion SQLAlchemy applies: an aware datetime to naive UTC text, a date
to ISO text), done a column at a time and once per distinct value. On a server the rows go
through SQLAlchemy as usual, which batches them into multi-row INSERTs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_many(
    conn: Connection, table: Table, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Insert `rows` into `table`, each a tuple of the values of `columns` in that order, in the
    transaction of `conn`. Columns left out take their defaults, as with `table.insert()`."""
    if not rows:
        return
    dialect = conn.dialect
    names = list(columns)
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    order = list(compiled.positiontup or ())
    # on a server, or when a Python-side default adds a column: SQLAlchemy's own executemany
    if dialect.name != "sqlite" or sorted(order) != sorted(names):
        conn.execute(table.insert(), [dict(zip(names, row, strict=True)) for row in rows])
        return
    given = dict(zip(names, zip(*rows, strict=True), strict=True))
    by_column = []
    for name in order:  # the table's order, in which the statement names them
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        values = given[name]
        by_column.append(values if process is None else _processed(values, process))
    conn.exec_driver_sql(str(compiled), list(zip(*by_column, strict=True)))


def _processed(values: Sequence[Any], process: Callable[[Any], Any]) -> list[Any]:
    """`values` through one column's bind processor, each distinct value once."""
    done = {value: process(value) for value in set(values)}
    return list(map(done.__getitem__, values))
