"""`normalize_many` against `paynorm batch` (the release CLI) on the same lines: the same
records byte for byte, error records included."""

from __future__ import annotations

import json

from conftest import ROOT, run_cli_batch

DEEP = b'{"provider":"stripe","response":' + b"[" * 120 + b"]" * 120 + b"}"

HOSTILE: list[bytes] = [
    b"\xef\xbb\xbf" + b'{"provider":"stripe","response":{"error":{"code":"card_declined"}},"id":1}',
    b"",
    b"   ",
    b"{not json",
    b"[1,2,3]",
    b'"a string"',
    b'{"response":{}}',
    b'{"provider":7,"response":{}}',
    b'{"provider":"nobody","response":{},"id":"x-1"}',
    b'{"provider":"stripe"}',
    b'{"provider":"stripe","response":"text"}',
    b'{"provider":"stripe","response":{},"id":[1]}',
    b'{"provider":"stripe","response":{},"contxt":{}}',
    b'{"provider":"stripe","response":{},"context":{"initiator":"robot"}}',
    b'{"provider":"stripe","response":{},"context":[1]}',
    b'{"provider":"stripe","response":{"error":{"decline_code":"insufficient_funds"}},'
    b'"context":{"initiator":"merchant","network":"visa"},"id":123456789012345678901234567890}',
    b'{"provider":"iso8583","response":{"field39":"51"},"id":1.50}',
    b'{"provider":"adyen","response":[{"resultCode":"Refused"}],"id":null}',
    b'{"provider":"stripe","response":{"error":{"code":"\xe2\x82\xac\\u00e9"}},"id":true}',
    b"\xff\xfe not utf-8",
    DEEP,
    b'{"provider":"stripe","response":{"a":1},"provider":"adyen"}',
]


def sample_lines() -> list[bytes]:
    lines = (ROOT / "fixtures" / "sample.jsonl").read_bytes().split(b"\n")
    return [line for line in lines if line.strip()]


def test_records_equal_the_cli_byte_for_byte(engine, cli):
    lines = HOSTILE + sample_lines()
    expected = run_cli_batch(cli, lines)
    assert len(expected) == len(lines)
    got = engine.normalize_many(lines, as_json=True)
    assert [g.encode() for g in got] == expected
    # str items are the same lines.
    texts = [line.decode("utf-8", "replace") for line in lines if b"\xff" not in line]
    expected_texts = run_cli_batch(cli, [t.encode() for t in texts])
    assert [g.encode() for g in engine.normalize_many(texts, as_json=True)] == expected_texts


def test_dict_records_equal_the_cli_records(engine, cli):
    lines = HOSTILE + sample_lines()
    expected = [json.loads(line) for line in run_cli_batch(cli, lines)]
    assert engine.normalize_many(lines) == expected


def test_chinese_records_equal_the_cli(engine, cli):
    lines = sample_lines()
    expected = run_cli_batch(cli, lines, "--lang", "zh")
    assert [g.encode() for g in engine.normalize_many(lines, lang="zh", as_json=True)] == expected
    assert any("余额不足" in g.decode() for g in expected)


def test_threads_do_not_change_the_records(engine, cli):
    lines = (sample_lines() + HOSTILE) * 300
    expected = run_cli_batch(cli, lines)
    for threads in (1, 2, 4):
        assert [g.encode() for g in engine.normalize_many(lines, as_json=True, threads=threads)] == expected


def test_error_records_name_the_kind_line_and_id(engine):
    records = engine.normalize_many(HOSTILE[:13])
    kinds = [r.get("error", {}).get("kind") for r in records]
    assert kinds == [
        None,
        "blank-line",
        "blank-line",
        "invalid-json",
        "not-an-object",
        "not-an-object",
        "missing-provider",
        "invalid-provider",
        "unknown-provider",
        "missing-response",
        "invalid-response",
        "invalid-id",
        "unknown-key",
    ]
    assert records[0]["id"] == 1 and records[0]["code"] != 100998
    assert records[8] == {
        "line": 9,
        "id": "x-1",
        "error": {"kind": "unknown-provider", "message": "unknown provider `nobody`"},
    }


def test_a_dict_that_is_not_json_gets_an_error_record(engine):
    good = {"provider": "stripe", "response": {"error": {"code": "card_declined"}}}
    records = engine.normalize_many([good, {"provider": "stripe", "response": {1, 2}}, good, {1: 2}, float("nan")])
    assert records[0] == records[2] and "code" in records[0]
    assert records[1] == {"line": 2, "error": {"kind": "invalid-json", "message": "the item is not JSON: a set is not JSON"}}
    assert records[3] == {"line": 4, "error": {"kind": "invalid-json", "message": "the item is not JSON: keys must be str, not int"}}
    assert records[4]["error"]["kind"] == "invalid-json"
    assert engine.normalize_many([5])[0]["error"]["kind"] == "not-an-object"
    assert engine.normalize_many([]) == []
    assert engine.normalize_many(iter([good])) == [records[0]]
