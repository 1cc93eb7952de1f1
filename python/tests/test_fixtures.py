"""Every fixture and corpus body through the wheel, compared with the record the Rust side
reviewed for it (`tests/snapshots/fixtures__*.snap`)."""

from __future__ import annotations

import json

import pytest

from conftest import CORPUS_PREFIX, FIXTURE_PREFIX, snapshot_cases

FIXTURES = snapshot_cases(FIXTURE_PREFIX, "fixtures")
CORPUS = snapshot_cases(CORPUS_PREFIX, "corpus")


def test_the_snapshots_cover_the_fixtures_and_the_corpus():
    # Guards the glob and the name parsing: a typo there would make every test below vacuous.
    assert len(FIXTURES) >= 300
    assert len(CORPUS) >= 300
    providers = {p for p, _, _ in FIXTURES}
    assert {"stripe", "adyen", "iso8583", "paypal", "braintree", "checkout", "cybersource"} <= providers


@pytest.mark.parametrize(("provider", "path", "expected"), FIXTURES, ids=lambda v: getattr(v, "name", None))
def test_fixture_record_equals_the_reviewed_snapshot(engine, provider, path, expected):
    text = path.read_text(encoding="utf-8")
    assert engine.normalize(provider, text) == expected
    # The same response as a Python object gives the same record.
    assert engine.normalize(provider, json.loads(text)) == expected


def test_every_corpus_body_equals_its_reviewed_snapshot(engine):
    mismatches = []
    for provider, path, expected in CORPUS:
        got = engine.normalize(provider, path.read_bytes())
        if got != expected:
            mismatches.append((path.name, got, expected))
    assert not mismatches, mismatches[:3]


def test_normalize_many_gives_the_snapshot_records_in_order(engine):
    cases = FIXTURES + CORPUS
    items = [
        {"provider": p, "response": json.loads(path.read_text(encoding="utf-8"))} for p, path, _ in cases
    ]
    records = engine.normalize_many(items)
    assert records == [expected for _, _, expected in cases]
    # JSON lines in, JSON lines out: the same records.
    lines = [json.dumps(item) for item in items]
    texts = engine.normalize_many(lines, as_json=True)
    assert [json.loads(t) for t in texts] == records


def test_normalize_as_json_is_the_record_text(engine):
    provider, path, expected = FIXTURES[0]
    text = engine.normalize(provider, path.read_bytes(), as_json=True)
    assert isinstance(text, str)
    assert json.loads(text) == expected
    # Key order is the record's own order.
    assert list(json.loads(text)) == list(expected)
