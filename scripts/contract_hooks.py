"""Schemathesis hooks for scripts/contract.sh (loaded through SCHEMATHESIS_HOOKS).

POST /v1/normalize/batch also takes and answers NDJSON (application/x-ndjson), which
schemathesis has no serializer for: the document describes the body as a string, so it is
sent as that text. An NDJSON answer is checked line by line: each line one JSON object,
a record or an error record (with "line" and "error"), and one answer line per input line.
"""

import json

import schemathesis

schemathesis.serializer.alias("application/x-ndjson", "text/plain")


@schemathesis.deserializer("application/x-ndjson")
def ndjson(ctx, response):
    text = response.content.decode("utf-8")
    # An empty body has no lines, so an empty answer; otherwise every line ends.
    if text and not text.endswith("\n"):
        raise ValueError("an NDJSON answer ends with a line end")
    for number, line in enumerate(text.splitlines(), 1):
        value = json.loads(line)
        if not isinstance(value, dict):
            raise ValueError(f"NDJSON line {number} is not an object: {line!r}")
        if "error" in value:
            if value.get("line") != number:
                raise ValueError(f"NDJSON error line {number} names line {value.get('line')}")
        elif not isinstance(value.get("code"), int):
            raise ValueError(f"NDJSON line {number} is neither a record nor an error: {line!r}")
    return text
