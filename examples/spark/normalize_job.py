"""Normalize a JSONL log of batch lines with the paynorm wheel on Spark, write Parquet.

    python examples/spark/normalize_job.py INPUT.jsonl OUTPUT_DIR [--master local[2]]

Each input line is a `paynorm batch` line (`{"provider": ..., "response": {...}, "id": ...}`).
Spark reads the lines as text and pulls out `id`, `provider` and `response` (as JSON text)
with `get_json_object`; `mapInArrow` hands each partition's Arrow record batches to
`Engine.normalize_arrow`, which normalizes them in Rust with the GIL released. The output has
`id`, the record's columns (`raw` as JSON text) and `error_kind` / `error_message` for rows
that could not be normalized. The executors' Python must have the wheel installed
(`pip install paynorm-*.whl`; with `--master local[N]` that is this interpreter).
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Iterator

import pyarrow as pa

# Spark has no unsigned types: code as int, retry_after_seconds as bigint.
OUTPUT_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("code", pa.int32()),
        ("category", pa.string()),
        ("message", pa.string()),
        ("customer_message", pa.string()),
        ("outcome", pa.string()),
        ("decline_type", pa.string()),
        ("action", pa.string()),
        ("retry_after_seconds", pa.int64()),
        ("provider", pa.string()),
        ("rule", pa.string()),
        ("via", pa.string()),
        ("raw", pa.string()),
        ("error_kind", pa.string()),
        ("error_message", pa.string()),
    ]
)
SPARK_SCHEMA = (
    "id string, code int, category string, message string, customer_message string, "
    "outcome string, decline_type string, action string, retry_after_seconds bigint, "
    "provider string, rule string, via string, raw string, error_kind string, error_message string"
)


def normalize_batches(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The `mapInArrow` function: runs on the executors, one Engine per Python worker."""
    import paynorm

    engine = paynorm.Engine()  # the built-in set, compiled once per process
    for batch in batches:
        out = engine.normalize_arrow(batch, provider="provider", response="response")
        columns = [batch.column("id")] + [
            out.column(field.name).cast(field.type) for field in OUTPUT_SCHEMA if field.name != "id"
        ]
        yield pa.RecordBatch.from_arrays(columns, schema=OUTPUT_SCHEMA)


def run(spark, input_path: str, output_path: str) -> None:
    from pyspark.sql import functions as F

    lines = spark.read.text(input_path)
    rows = lines.select(
        F.get_json_object("value", "$.id").alias("id"),
        F.get_json_object("value", "$.provider").alias("provider"),
        F.get_json_object("value", "$.response").alias("response"),
    )
    rows.mapInArrow(normalize_batches, SPARK_SCHEMA).write.mode("overwrite").parquet(output_path)


def session(master: str):
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(master)
        .appName("paynorm-normalize")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "10000")
        .getOrCreate()
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("input")
    parser.add_argument("output")
    parser.add_argument("--master", default="local[2]")
    args = parser.parse_args()
    spark = session(args.master)
    try:
        run(spark, args.input, args.output)
    finally:
        spark.stop()


if __name__ == "__main__":
    main()
