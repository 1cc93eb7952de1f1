"""Properties over generated input (hypothesis): `normalize_many` never raises and gives one
record per item; `normalize` raises only the documented errors."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import paynorm

ENGINE = paynorm.Engine()
PROVIDERS = [p["id"] for p in ENGINE.providers()]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=30,
)

# Keys a provider reads, so generated responses reach tables and rules, not just fallbacks.
KEYS = ["error", "code", "decline_code", "reason", "resultCode", "refusalReason", "field39", "status",
        "message", "processorResponseCode", "response_code", "name", "details", "issue"]
responses = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from(["05", "51", "card_declined", "Refused", "DECLINED"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=8), children, max_size=5),
    max_leaves=25,
)

items = st.one_of(
    json_values,
    st.text(),
    st.binary(),
    st.builds(lambda p, r: {"provider": p, "response": r}, st.sampled_from(PROVIDERS + ["nobody"]), responses),
    st.builds(lambda p, r, i: json.dumps({"provider": p, "response": r, "id": i}),
              st.sampled_from(PROVIDERS), responses, st.integers() | st.text(max_size=5)),
    st.builds(lambda v: {"provider": "stripe", "response": {"error": v}}, st.sets(st.integers(), max_size=2)),
)

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def is_record(r: dict) -> bool:
    return isinstance(r.get("code"), int) and isinstance(r.get("raw"), dict) and "error" not in r


def is_error_record(r: dict, line: int) -> bool:
    return r.get("line") == line and set(r["error"]) == {"kind", "message"}


@SETTINGS
@given(st.lists(items, max_size=20))
def test_normalize_many_never_raises_and_answers_every_item(batch):
    records = ENGINE.normalize_many(batch)
    assert len(records) == len(batch)
    for i, r in enumerate(records, start=1):
        assert is_record(r) or is_error_record(r, i), r
    texts = ENGINE.normalize_many(batch, as_json=True)
    assert [json.loads(t) for t in texts] == records


@SETTINGS
@given(st.sampled_from(PROVIDERS), responses)
def test_a_known_provider_answers_every_object_or_array(provider, response):
    if not isinstance(response, (dict, list)):
        try:
            ENGINE.normalize(provider, response)
        except paynorm.InvalidInputError:
            return
        raise AssertionError("a scalar response must be refused")
    record = ENGINE.normalize(provider, response)
    assert record["provider"] == provider
    assert record == ENGINE.normalize_many([{"provider": provider, "response": response}])[0]
    explained = ENGINE.explain(provider, response)
    assert explained["record"] == record


@SETTINGS
@given(st.sampled_from(PROVIDERS + ["nobody"]), json_values | st.text() | st.binary())
def test_normalize_raises_only_the_documented_errors(provider, response):
    try:
        record = ENGINE.normalize(provider, response)
    except (paynorm.InvalidInputError, paynorm.UnknownProviderError):
        return
    assert is_record(record)
