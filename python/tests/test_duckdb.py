"""The DuckDB examples: SQL over paynorm's JSONL output, and the wheel called from SQL
through Arrow UDFs; values checked against the reviewed snapshot records."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter

import pytest

from conftest import CORPUS_PREFIX, FIXTURE_PREFIX, ROOT, snapshot_cases

duckdb = pytest.importorskip("duckdb")

CASES = snapshot_cases(FIXTURE_PREFIX, "fixtures") + snapshot_cases(CORPUS_PREFIX, "corpus")


def load(name: str):
    spec = importlib.util.spec_from_file_location(name, ROOT / "examples/duckdb" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_sql_over_the_jsonl_records(tmp_path):
    read_output = load("read_output")
    records = [e for _, _, e in CASES]
    lines = [json.dumps(r) for r in records]
    lines.append(json.dumps({"line": 9999, "error": {"kind": "invalid-json", "message": "x"}}))
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    con = duckdb.connect()
    got = {(code, category, action): n for code, category, action, n in read_output.summary(con, str(path))}
    expected = Counter((r["code"], r["category"], r["action"]) for r in records)
    assert got == dict(expected)
    assert read_output.errors(con, str(path)) == [("invalid-json", 1)]


def test_arrow_udfs_call_the_wheel():
    arrow_udf = load("arrow_udf")
    con = arrow_udf.connect()
    rows = [(p, path.read_text(encoding="utf-8")) for p, path, _ in CASES]
    con.execute("CREATE TABLE lines (i INTEGER, provider VARCHAR, response VARCHAR)")
    con.executemany("INSERT INTO lines VALUES (?, ?, ?)", [(i, p, r) for i, (p, r) in enumerate(rows)])
    got = con.sql(
        "SELECT i, paynorm_code(provider, response), paynorm_action(provider, response), "
        "paynorm_record(provider, response).rule FROM lines ORDER BY i"
    ).fetchall()
    assert [(c, a, r) for _, c, a, r in got] == [(e["code"], e["action"], e["rule"]) for _, _, e in CASES]
    bad = con.sql("SELECT paynorm_record('nobody', '{}').error_kind, paynorm_code('stripe', '{bad')").fetchall()
    assert bad == [("unknown-provider", None)]
