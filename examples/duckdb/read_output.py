"""Query paynorm's output with DuckDB: the JSONL records `paynorm batch` writes (or the
Parquet of `examples/spark/normalize_job.py`).

    paynorm batch log.jsonl > records.jsonl
    python examples/duckdb/read_output.py records.jsonl

The same query in the DuckDB CLI:

    duckdb -c "SELECT code, category, action, count(*) AS n FROM read_json_auto('records.jsonl')
               WHERE error IS NULL GROUP BY ALL ORDER BY n DESC LIMIT 10"
"""

from __future__ import annotations

import sys

import duckdb

SUMMARY = """
SELECT code, category, action, count(*) AS n
FROM read_json_auto(?, format = 'newline_delimited', union_by_name = true)
WHERE code IS NOT NULL
GROUP BY ALL
ORDER BY n DESC, code
"""

ERRORS = """
SELECT error.kind AS kind, count(*) AS n
FROM read_json_auto(?, format = 'newline_delimited', union_by_name = true)
WHERE error IS NOT NULL
GROUP BY ALL
ORDER BY n DESC, kind
"""


def summary(con: duckdb.DuckDBPyConnection, path: str) -> list[tuple]:
    """(code, category, action, count) of the normalized records, most frequent first."""
    return con.execute(SUMMARY, [path]).fetchall()


def errors(con: duckdb.DuckDBPyConnection, path: str) -> list[tuple]:
    """(kind, count) of the error records; empty when every line was normalized."""
    has_error = con.execute(
        "SELECT count(*) FROM (DESCRIBE SELECT * FROM read_json_auto(?, format = 'newline_delimited', "
        "union_by_name = true)) WHERE column_name = 'error'",
        [path],
    ).fetchone()[0]
    return con.execute(ERRORS, [path]).fetchall() if has_error else []


def main() -> None:
    path = sys.argv[1]
    con = duckdb.connect()
    for row in summary(con, path)[:20]:
        print(*row, sep="\t")
    for kind, n in errors(con, path):
        print(f"error\t{kind}\t{n}")


if __name__ == "__main__":
    main()
