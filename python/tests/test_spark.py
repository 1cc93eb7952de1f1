"""`examples/spark/normalize_job.py` on local Spark: the Parquet it writes holds, for every
line, the record the Rust tests reviewed (error columns for the bad lines)."""

from __future__ import annotations

import importlib.util
import json
import shutil

import pytest

from conftest import CORPUS_PREFIX, FIXTURE_PREFIX, ROOT, snapshot_cases

if shutil.which("java") is None:
    pytest.skip("Java is not installed (PySpark needs a JVM, Java 17+)", allow_module_level=True)
pyspark = pytest.importorskip("pyspark")
pq = pytest.importorskip("pyarrow.parquet")

spec = importlib.util.spec_from_file_location("normalize_job", ROOT / "examples/spark/normalize_job.py")
job = importlib.util.module_from_spec(spec)
spec.loader.exec_module(job)

CASES = snapshot_cases(FIXTURE_PREFIX, "fixtures") + snapshot_cases(CORPUS_PREFIX, "corpus")


@pytest.fixture(scope="module")
def spark():
    session = job.session("local[2]")
    yield session
    session.stop()


def test_the_spark_job_writes_the_reviewed_records(spark, tmp_path):
    lines = [
        json.dumps({"id": i, "provider": p, "response": json.loads(path.read_text(encoding="utf-8"))})
        for i, (p, path, _) in enumerate(CASES)
    ]
    bad = {
        len(CASES): ('{"id": %d, "provider": "nobody", "response": {}}' % len(CASES), "unknown-provider"),
        len(CASES) + 1: ('{"id": %d, "response": {}}' % (len(CASES) + 1), "missing-provider"),
        len(CASES) + 2: ('{"id": %d, "provider": "stripe"}' % (len(CASES) + 2), "missing-response"),
    }
    lines += [line for line, _ in bad.values()]
    source = tmp_path / "log.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "records.parquet"
    job.run(spark, str(source), str(out))

    rows = pq.read_table(out).to_pylist()
    assert len(rows) == len(lines)
    by_id = {int(r["id"]): r for r in rows}
    assert sorted(by_id) == list(range(len(lines)))
    mismatches = []
    for i, (_, path, expected) in enumerate(CASES):
        row = by_id[i]
        got = {k: row[k] for k in expected}
        got["raw"] = json.loads(got["raw"]) if got["raw"] is not None else None
        if got != expected:
            mismatches.append((path.name, got, expected))
    assert not mismatches, mismatches[:3]
    for i, (_, kind) in bad.items():
        assert by_id[i]["error_kind"] == kind and by_id[i]["code"] is None
