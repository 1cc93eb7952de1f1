"""explain, catalog, providers, languages and contexts, against the Rust side's reviewed
snapshots and the release CLI."""

from __future__ import annotations

import json
import subprocess

import pytest

import paynorm
from conftest import ROOT, SNAPSHOTS, snapshot_body

EXPLAIN_CASES = sorted(p.name[len("explain__") : -len(".snap")] for p in SNAPSHOTS.glob("explain__*.snap"))


def test_there_are_explain_snapshots():
    assert len(EXPLAIN_CASES) >= 10


@pytest.mark.parametrize("case", EXPLAIN_CASES)
def test_explain_text_equals_the_reviewed_trace(engine, case):
    provider, name = case.split("__", 1)
    response = (ROOT / "fixtures" / provider / f"{name}.json").read_text(encoding="utf-8")
    expected = snapshot_body(SNAPSHOTS / f"explain__{case}.snap")
    assert engine.explain(provider, response, format="text").strip() == expected.strip()


@pytest.mark.parametrize("case", EXPLAIN_CASES[:4])
def test_explain_json_equals_the_cli(engine, cli, case):
    provider, name = case.split("__", 1)
    response = (ROOT / "fixtures" / provider / f"{name}.json").read_text(encoding="utf-8")
    done = subprocess.run([str(cli), "explain", provider, response, "--format", "json"],
                          capture_output=True, check=True)
    expected = json.loads(done.stdout)
    got = engine.explain(provider, response)
    assert got == expected
    assert set(got) == {"record", "trace"}
    assert got["record"] == engine.normalize(provider, response)


def test_normalize_equals_the_cli_with_context_and_lang(engine, cli):
    response = json.dumps({"error": {"code": "card_declined", "decline_code": "insufficient_funds"}})
    context = {"initiator": "merchant", "network": "visa"}
    for lang in ("en", "zh"):
        done = subprocess.run([str(cli), "--lang", lang, "normalize", "stripe", response, "--context", json.dumps(context)],
                              capture_output=True, check=False)
        assert done.returncode == 0, done.stderr
        got = engine.normalize("stripe", response, context=context, lang=lang, as_json=True)
        assert got.encode() + b"\n" == done.stdout


def test_the_documented_example(engine):
    r = engine.normalize("stripe", {"error": {"code": "card_declined", "decline_code": "insufficient_funds"}})
    assert r["code"] == 100100
    assert r["message"] == "Insufficient balance"
    assert r["rule"] == "stripe/decline_code/insufficient_funds"
    assert r["decline_type"] == "soft" and r["action"] == "retry_later"
    zh = engine.normalize("stripe", {"error": {"decline_code": "insufficient_funds"}}, lang="zh-CN")
    assert zh["message"] == "余额不足"


def test_context_changes_the_action_never_the_code(engine):
    response = {"error": {"code": "card_declined", "decline_code": "insufficient_funds"}}
    plain = engine.normalize("stripe", response)
    for context in ({"initiator": "merchant"}, '{"initiator": "merchant"}', {"network": "visa"}, None):
        r = engine.normalize("stripe", response, context=context)
        assert r["code"] == plain["code"]


def test_catalog_is_the_catalog_file(engine):
    import tomllib

    catalog = engine.catalog()
    data = tomllib.loads((ROOT / "catalog" / "catalog.toml").read_text(encoding="utf-8"))
    [entries] = [v for v in data.values() if isinstance(v, list)]
    assert [e["code"] for e in catalog] == [e["code"] for e in entries]
    by_code = {e["code"]: e for e in catalog}
    assert by_code[100100]["en"] == "Insufficient balance" and by_code[100100]["zh"] == "余额不足"
    assert by_code[100100]["category"] == "amount"


def test_providers_equal_the_cli(engine, cli):
    done = subprocess.run([str(cli), "providers", "--format", "json"], capture_output=True, check=False)
    got = engine.providers()
    assert [p["id"] for p in got] == sorted(p["id"] for p in got)
    assert {"stripe", "adyen", "iso8583"} <= {p["id"] for p in got}
    assert done.returncode == 0, done.stderr
    assert got == json.loads(done.stdout)
    stripe = next(p for p in got if p["id"] == "stripe")
    assert stripe["file"] == "mappings/stripe.toml" and stripe["entries"] > 100


def test_repr_names_the_providers(engine):
    assert repr(engine).startswith("Engine(providers=[") and "'stripe'" in repr(engine)


def test_the_package_under_test_is_the_installed_wheel():
    # Not the source tree: python/paynorm has no native module next to it.
    assert "site-packages" in paynorm.__file__
    assert paynorm._paynorm.__file__.endswith((".so", ".pyd"))
    assert paynorm.__version__ == "0.1.0"
