"""Call the paynorm wheel from DuckDB SQL.

    python examples/duckdb/arrow_udf.py log.jsonl

Two ways, both through Arrow:

1. A vectorized Python UDF (`create_function(..., type="arrow", null_handling="special")`): DuckDB hands the UDF whole
   Arrow arrays (a vector of rows at a time), the UDF calls `Engine.normalize_arrow` on them
   and returns one Arrow array. DuckDB's Python UDFs return one value per row, so there is
   one UDF per column wanted (`paynorm_code`, `paynorm_action`) plus `paynorm_record`, the
   whole record as a STRUCT. The UDFs are registered with `null_handling="special"`: a row
   paynorm cannot normalize gives NULL (its `error_kind` in `paynorm_record`), and NULL input
   reaches paynorm (`missing-provider`, `missing-response`).
2. No UDF: `Engine.normalize_arrow` takes a DuckDB relation (`__arrow_c_stream__`) and its
   result is an Arrow table DuckDB scans by name (a replacement scan), for a join back.
"""

from __future__ import annotations

import sys

import duckdb
import pyarrow as pa

import paynorm

ENGINE = paynorm.Engine()

RECORD_STRUCT = (
    "STRUCT(code UINTEGER, category VARCHAR, message VARCHAR, customer_message VARCHAR, "
    "outcome VARCHAR, decline_type VARCHAR, action VARCHAR, retry_after_seconds UBIGINT, "
    "provider VARCHAR, rule VARCHAR, via VARCHAR, raw VARCHAR, error_kind VARCHAR, error_message VARCHAR)"
)


def _normalize(provider: pa.Array, response: pa.Array) -> pa.Table:
    return ENGINE.normalize_arrow(pa.table({"provider": provider, "response": response}))


def paynorm_code(provider: pa.Array, response: pa.Array) -> pa.Array:
    return _normalize(provider, response).column("code").combine_chunks()


def paynorm_action(provider: pa.Array, response: pa.Array) -> pa.Array:
    return _normalize(provider, response).column("action").combine_chunks()


def paynorm_record(provider: pa.Array, response: pa.Array) -> pa.Array:
    table = _normalize(provider, response).combine_chunks()
    return pa.StructArray.from_arrays([c.combine_chunks() for c in table.columns], names=table.column_names)


def connect() -> duckdb.DuckDBPyConnection:
    """A connection with the paynorm UDFs registered."""
    con = duckdb.connect()
    args = [duckdb.sqltype("VARCHAR"), duckdb.sqltype("VARCHAR")]
    con.create_function("paynorm_code", paynorm_code, args, duckdb.sqltype("UINTEGER"), type="arrow", null_handling="special")
    con.create_function("paynorm_action", paynorm_action, args, duckdb.sqltype("VARCHAR"), type="arrow", null_handling="special")
    con.create_function("paynorm_record", paynorm_record, args, duckdb.sqltype(RECORD_STRUCT), type="arrow", null_handling="special")
    return con


LINES = """
SELECT json_extract_string(line, '$.provider') AS provider,
       json_extract(line, '$.response')::VARCHAR AS response
FROM read_csv(?, columns = {'line': 'VARCHAR'}, delim = '\\x1f', quote = '', escape = '',
              header = false, auto_detect = false)
"""


def main() -> None:
    con = connect()
    rel = con.execute(LINES, [sys.argv[1]]).arrow()
    con.register("lines", rel)
    print(con.sql(
        "SELECT paynorm_code(provider, response) AS code, paynorm_action(provider, response) AS action, "
        "count(*) AS n FROM lines GROUP BY ALL ORDER BY n DESC LIMIT 10"
    ))
    print(con.sql("SELECT paynorm_record(provider, response).rule AS rule FROM lines LIMIT 5"))
    # Without a UDF: normalize the relation, scan the result.
    records = ENGINE.normalize_arrow(con.sql("SELECT provider, response FROM lines"))
    print(con.sql("SELECT category, count(*) AS n FROM records GROUP BY ALL ORDER BY n DESC"))


if __name__ == "__main__":
    main()
