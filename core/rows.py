"""Insert many rows in a number of queries that does not depend on how many there are.

``bulk_create`` is one INSERT on PostgreSQL, but Django splits it into INSERTs of 999 parameters on SQLite
(``max_query_params``): 1,000 batch items would be 16 statements there. On such backends the rows go through
ONE ``executemany`` of the same INSERT instead (a single prepared statement reused by the driver), so
creating a batch costs the same number of queries for 10 and for 10,000 items on every backend.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connections, models, router


def insert_rows(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved ``objs`` (auto primary keys are not set on the instances)."""
    if not objs:
        return
    using = router.db_for_write(model)
    connection = connections[using]
    if connection.features.max_query_params is None:
        model._default_manager.using(using).bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and isinstance(f, models.AutoField))]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {table} ({columns}) VALUES ({params})".format(
        table=quote(model._meta.db_table),
        columns=", ".join(quote(str(f.column)) for f in fields),
        params=", ".join(["%s"] * len(fields)),
    )
    rows = [[f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields] for obj in objs]
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)
