"""The error paths: a broken mapping directory (every diagnostic with its values and the
rendered text the Rust side reviewed), unknown providers, unusable input, and reloads that
never leave a broken set in place."""

from __future__ import annotations

import shutil

import pytest

import paynorm
from conftest import ROOT, SNAPSHOTS, snapshot_body

GOOD_MAPPING = """\
[provider]
id = "acme"
name = "Acme Pay"
sources = ["python/tests"]
edition = "test"

[[field]]
name = "reason"
paths = ["/reason"]
normalize = ["trim", "lowercase"]

[values.reason]
declined = { code = 100607, desc = "Declined" }
"""


def test_the_error_classes_form_one_family():
    for cls in (paynorm.MappingError, paynorm.UnknownProviderError, paynorm.InvalidInputError):
        assert issubclass(cls, paynorm.Error)
    assert issubclass(paynorm.Error, ValueError)
    assert paynorm.Error.__module__ == "paynorm"


def test_a_broken_directory_raises_mapping_error_with_every_diagnostic(tmp_path):
    shutil.copy(ROOT / "tests/broken/unknown-catalog-code/bad.toml", tmp_path / "bad.toml")
    with pytest.raises(paynorm.MappingError) as info:
        paynorm.Engine(tmp_path)
    err = info.value
    file = str(tmp_path / "bad.toml")
    help_text = '`paynorm catalog` lists the codes; 100999 is "Other error"'
    assert err.diagnostics == [
        {
            "code": "unknown-catalog-code",
            "severity": "error",
            "file": file,
            "line": 13,
            "column": 21,
            "message": "100500 is not a catalog code",
            "help": help_text,
        },
        {
            "code": "unknown-catalog-code",
            "severity": "error",
            "file": file,
            "line": 15,
            "column": 17,
            "message": "1002030 is not a catalog code",
            "help": help_text,
        },
    ]
    # The rendered text is the one `tests/diagnostics.rs` reviewed, with this file's path.
    expected = snapshot_body(SNAPSHOTS / "diagnostics__unknown-catalog-code.snap")
    expected = expected.replace("tests/broken/unknown-catalog-code/bad.toml", file)
    assert err.rendered.strip() == expected.strip()
    assert str(err) == err.rendered


def test_problems_of_several_files_are_all_reported(tmp_path):
    shutil.copy(ROOT / "tests/broken/unknown-catalog-code/bad.toml", tmp_path / "a.toml")
    shutil.copy(ROOT / "tests/broken/toml-syntax/bad.toml", tmp_path / "b.toml")
    with pytest.raises(paynorm.MappingError) as info:
        paynorm.Engine(str(tmp_path))
    got = [(d["code"], d["file"].rsplit("/", 1)[-1], d["line"], d["column"]) for d in info.value.diagnostics]
    assert got == [
        ("unknown-catalog-code", "a.toml", 13, 21),
        ("unknown-catalog-code", "a.toml", 15, 17),
        ("toml-syntax", "b.toml", 13, 46),
    ]
    assert info.value.rendered.endswith("error: 3 problems in 2 files; the mapping set was not loaded\n")


def test_a_missing_directory_is_an_io_diagnostic(tmp_path):
    with pytest.raises(paynorm.MappingError) as info:
        paynorm.Engine(tmp_path / "nope")
    [d] = info.value.diagnostics
    assert d["code"] == "io-error"
    assert d["file"] == str(tmp_path / "nope")
    assert d["line"] is None and d["column"] is None
    assert d["message"].startswith("cannot read mapping directory:")


def test_a_directory_adds_providers_over_the_builtin_set(tmp_path):
    (tmp_path / "acme.toml").write_text(GOOD_MAPPING)
    engine = paynorm.Engine(tmp_path)
    assert engine.mappings == str(tmp_path)
    ids = [p["id"] for p in engine.providers()]
    assert "acme" in ids and "stripe" in ids and ids == sorted(ids)
    record = engine.normalize("acme", {"reason": " Declined "})
    assert (record["code"], record["provider"], record["rule"]) == (100607, "acme", "acme/reason/declined")
    assert record["raw"] == {"reason": " Declined "}


def test_reload_swaps_a_good_set_and_keeps_the_old_one_on_problems(tmp_path):
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.mkdir()
    bad.mkdir()
    (good / "acme.toml").write_text(GOOD_MAPPING)
    shutil.copy(ROOT / "tests/broken/invalid-regex/bad.toml", bad / "bad.toml")
    engine = paynorm.SharedEngine()
    with pytest.raises(paynorm.UnknownProviderError):
        engine.normalize("acme", {"reason": "declined"})
    engine.reload(good)
    assert engine.normalize("acme", {"reason": "declined"})["code"] == 100607
    with pytest.raises(paynorm.MappingError) as info:
        engine.reload(bad)
    assert [d["code"] for d in info.value.diagnostics] == ["invalid-regex"]
    # The old set is still in use, and so is its directory.
    assert engine.normalize("acme", {"reason": "declined"})["code"] == 100607
    assert engine.mappings == str(good)
    # A changed file is picked up by reload() with no argument.
    (good / "acme.toml").write_text(GOOD_MAPPING.replace("100607", "100100"))
    engine.reload()
    assert engine.normalize("acme", {"reason": "declined"})["code"] == 100100


def test_unknown_provider(engine):
    with pytest.raises(paynorm.UnknownProviderError, match=r"^unknown provider `nobody`$"):
        engine.normalize("nobody", {})
    with pytest.raises(paynorm.UnknownProviderError):
        engine.explain("nobody", {})


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ("{not json", r"^the response is not valid JSON: key must be a string at line 1 column 2$"),
        ("", r"^the response is not valid JSON"),
        ("42", r"^the response must be a JSON object or array$"),
        ('"text"', r"^the response must be a JSON object or array$"),
        (b"\xff{}", r"^the response is not UTF-8 \(bad byte at offset 0\)$"),
        ("[" * 101 + "]" * 101, r"^the response nests deeper than 100 levels$"),
        ({"a": {1, 2}}, r"^the response is not JSON: a set is not JSON$"),
        ({"a": float("inf")}, r"^the response is not JSON: inf is not a JSON number$"),
        (7, r"^the response must be a JSON object or array$"),
    ],
)
def test_invalid_input(engine, response, message):
    with pytest.raises(paynorm.InvalidInputError, match=message):
        engine.normalize("stripe", response)


def test_invalid_context(engine):
    with pytest.raises(paynorm.InvalidInputError, match=r"^invalid context: "):
        engine.normalize("stripe", {}, context={"initiator": "robot"})
    with pytest.raises(paynorm.InvalidInputError, match=r"^invalid context: "):
        engine.normalize("stripe", {}, context={"initator": "merchant"})
    with pytest.raises(paynorm.InvalidInputError, match=r"^invalid context: "):
        engine.normalize("stripe", {}, context="[1]")


def test_explain_format_is_checked(engine):
    with pytest.raises(ValueError, match="format must be"):
        engine.explain("stripe", {}, format="yaml")
