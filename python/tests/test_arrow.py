"""The Arrow entry point with pyarrow, Polars, DuckDB and pandas inputs: one row per input
row, the record's columns, values equal to the reviewed snapshot records."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

import paynorm
from conftest import CORPUS_PREFIX, FIXTURE_PREFIX, snapshot_cases

CASES = snapshot_cases(FIXTURE_PREFIX, "fixtures") + snapshot_cases(CORPUS_PREFIX, "corpus")
PROVIDERS = [p for p, _, _ in CASES]
RESPONSES = [path.read_text(encoding="utf-8") for _, path, _ in CASES]
EXPECTED = [e for _, _, e in CASES]
COLUMNS = paynorm.RECORD_COLUMNS + ["error_kind", "error_message"]


def records_of(table: pa.Table) -> list[dict]:
    """The rows back as records (`raw` parsed, error columns dropped when null)."""
    out = []
    for row in table.to_pylist():
        if row["error_kind"] is None:
            row = {k: row[k] for k in paynorm.RECORD_COLUMNS}
            row["raw"] = json.loads(row["raw"])
        out.append(row)
    return out


def test_record_columns_are_the_record_keys(engine):
    assert paynorm.RECORD_COLUMNS == list(EXPECTED[0])
    assert paynorm.RECORD_COLUMNS == list(engine.normalize("stripe", {}))


def test_a_pyarrow_table_gives_the_snapshot_records(engine):
    table = pa.table({"provider": PROVIDERS, "response": RESPONSES})
    out = engine.normalize_arrow(table)
    assert isinstance(out, pa.Table)
    assert out.column_names == COLUMNS
    assert out.schema.field("code").type == pa.uint32()
    assert out.schema.field("retry_after_seconds").type == pa.uint64()
    assert records_of(out) == EXPECTED


def test_threads_and_chunks_keep_the_row_order(engine):
    n = 20_000
    providers = (PROVIDERS * (n // len(PROVIDERS) + 1))[:n]
    responses = (RESPONSES * (n // len(RESPONSES) + 1))[:n]
    expected = (EXPECTED * (n // len(EXPECTED) + 1))[:n]
    table = pa.table({"provider": providers, "response": responses})
    chunked = pa.Table.from_batches(table.to_batches(max_chunksize=7_000))
    assert chunked.num_columns == 2 and len(chunked.to_batches()) == 3
    for threads in (1, 2, 3):
        assert records_of(engine.normalize_arrow(chunked, threads=threads)) == expected


def test_a_record_batch_gives_a_record_batch(engine):
    batch = pa.record_batch({"p": PROVIDERS[:5], "r": RESPONSES[:5]})
    out = engine.normalize_arrow(batch, provider="p", response="r")
    assert isinstance(out, pa.RecordBatch)
    assert records_of(pa.Table.from_batches([out])) == EXPECTED[:5]


@pytest.mark.parametrize("response_type", [pa.string(), pa.large_string(), pa.string_view(), pa.binary(), pa.large_binary()])
def test_text_and_binary_response_columns(engine, response_type):
    table = pa.table({
        "provider": pa.array(PROVIDERS[:50], pa.large_string()),
        "response": pa.array([r.encode() if pa.types.is_binary(response_type) or pa.types.is_large_binary(response_type) else r for r in RESPONSES[:50]], response_type),
    })
    assert records_of(engine.normalize_arrow(table)) == EXPECTED[:50]


def test_bad_rows_get_error_columns_and_the_batch_kinds(engine):
    table = pa.table({
        "provider": ["stripe", None, "stripe", "nobody", "stripe", "stripe", "stripe", "stripe"],
        "response": ['{"error":{"code":"card_declined"}}', "{}", None, "{}", "{bad", "42", "  ", '{"error":{}}'],
    })
    rows = engine.normalize_arrow(table).to_pylist()
    kinds = [r["error_kind"] for r in rows]
    assert kinds == [None, "missing-provider", "missing-response", "unknown-provider", "invalid-json",
                     "invalid-response", "blank-line", None]
    assert rows[3]["error_message"] == "unknown provider `nobody`"
    assert rows[3]["code"] is None and rows[3]["raw"] is None
    assert rows[0]["code"] == engine.normalize("stripe", {"error": {"code": "card_declined"}})["code"]
    # The messages are those of `paynorm batch` for the same rows.
    lines = [json.dumps({"provider": p, "response": json.loads(r) if r and r.strip() and r != "{bad" else r})
             for p, r in zip(table["provider"].to_pylist(), table["response"].to_pylist())]
    batch = engine.normalize_many(lines)
    for row, rec in zip(rows, batch):
        if row["error_kind"] in ("missing-provider", "missing-response", "unknown-provider", "invalid-response"):
            assert (row["error_kind"], row["error_message"]) == (rec["error"]["kind"], rec["error"]["message"])


def test_missing_or_mistyped_columns_raise(engine):
    with pytest.raises(KeyError, match=r'no column "response" \(the columns are \["provider", "body"\]\)'):
        engine.normalize_arrow(pa.table({"provider": ["stripe"], "body": ["{}"]}))
    with pytest.raises(TypeError, match='column "response" is Int64; paynorm reads JSON text'):
        engine.normalize_arrow(pa.table({"provider": ["stripe"], "response": [1]}))
    with pytest.raises(TypeError, match="__arrow_c_stream__"):
        engine.normalize_arrow([{"provider": "stripe"}])


def test_polars_dataframes(engine):
    pl = pytest.importorskip("polars")
    df = pl.DataFrame({"provider": PROVIDERS, "response": RESPONSES})
    out = engine.normalize_arrow(df)
    assert records_of(out) == EXPECTED
    out_pl = paynorm.normalize_polars(engine, df)
    assert isinstance(out_pl, pl.DataFrame)
    assert out_pl.columns == COLUMNS
    assert records_of(out_pl.to_arrow()) == EXPECTED


def test_duckdb_relations(engine):
    duckdb = pytest.importorskip("duckdb")
    con = duckdb.connect()
    source = pa.table({"provider": PROVIDERS, "response": RESPONSES})
    con.register("source", source)
    rel = con.sql("SELECT provider, response FROM source")
    assert records_of(engine.normalize_arrow(rel)) == EXPECTED


def test_pandas_dataframes(engine):
    pd = pytest.importorskip("pandas")
    df = pd.DataFrame({"provider": PROVIDERS[:100], "response": RESPONSES[:100], "other": range(100)})
    out = paynorm.normalize_pandas(engine, df)
    assert list(out.columns) == COLUMNS
    assert len(out) == 100
    assert out["code"].tolist() == [e["code"] for e in EXPECTED[:100]]


def test_the_stream_is_readable_without_pyarrow_helpers(engine):
    stream = engine._normalize_arrow(pa.table({"provider": PROVIDERS[:3], "response": RESPONSES[:3]}))
    assert isinstance(stream, paynorm.RecordBatchStream)
    assert stream.num_rows == 3 and stream.column_names == COLUMNS
    # Read twice: the stream keeps its batches.
    assert pa.table(stream).num_rows == pa.table(stream).num_rows == 3


def test_empty_inputs_give_empty_results_with_the_columns(engine):
    empty = pa.table({"provider": pa.array([], pa.string()), "response": pa.array([], pa.string())})
    out = engine.normalize_arrow(empty)
    assert isinstance(out, pa.Table) and out.num_rows == 0 and out.column_names == COLUMNS
    batch = engine.normalize_arrow(empty.to_batches()[0] if empty.to_batches() else pa.RecordBatch.from_pylist([], schema=empty.schema))
    assert isinstance(batch, pa.RecordBatch) and batch.num_rows == 0 and batch.schema.names == COLUMNS
