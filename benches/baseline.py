"""The hand-written Python normalizer the batch targets compare with: read JSONL, parse each
line with json.loads, one dict lookup, write a small JSON object a line. The least a Python
script that maps decline logs does (no field walk, no rules), so paynorm's ratio to it is a
floor. Usage: python3 benches/baseline.py FILE > /dev/null
"""

import json
import sys

TABLE = {"stripe": 0, "iso8583": 1, "adyen": 2, "braintree": 3, "checkout": 4, "paypal": 5}


def main(path: str) -> None:
    out = sys.stdout
    with open(path, "rb") as lines:
        for n, line in enumerate(lines):
            doc = json.loads(line)
            code = TABLE.get(doc.get("provider"), 0)
            out.write(json.dumps({"line": n, "code": code}))
            out.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])
