"""What the tests share: the repository's paths, the reviewed snapshots of the Rust side, and
the release CLI (`PAYNORM_CLI`, set by `scripts/python-test.sh`) for side-by-side runs.

The expected records never come from the package under test: they are the insta snapshots
the Rust tests review (`tests/snapshots/*.snap`) or the output of `paynorm batch`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

import paynorm

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOTS = ROOT / "tests" / "snapshots"

FIXTURE_PREFIX = "fixtures__every_fixture_has_a_reviewed_snapshot@"
CORPUS_PREFIX = "fixtures__every_corpus_body_has_a_reviewed_snapshot@"


def snapshot_body(path: Path) -> str:
    """The value of an insta snapshot: what follows its second `---` line."""
    text = path.read_text(encoding="utf-8")
    parts = text.split("\n---\n", 1)
    assert len(parts) == 2 and text.startswith("---\n"), f"{path}: not an insta snapshot"
    return parts[1]


def snapshot_cases(prefix: str, directory: str) -> list[tuple[str, Path, dict]]:
    """(provider, input file, reviewed record) of every snapshot named `prefix<provider>__<case>.snap`."""
    cases = []
    for snap in sorted(SNAPSHOTS.glob(prefix + "*.snap")):
        rest = snap.name[len(prefix) : -len(".snap")]
        provider, case = rest.split("__", 1)
        source = ROOT / directory / provider / case
        assert source.is_file(), f"{snap.name}: {source} is missing"
        cases.append((provider, source, json.loads(snapshot_body(snap))))
    return cases


@pytest.fixture(scope="session")
def engine() -> paynorm.Engine:
    return paynorm.Engine()


def cli_path() -> Path | None:
    """The release CLI: `PAYNORM_CLI`, else `target/release/paynorm` when built."""
    env = os.environ.get("PAYNORM_CLI")
    if env:
        path = Path(env)
        assert path.is_file(), f"PAYNORM_CLI={env} does not exist"
        return path
    built = ROOT / "target" / "release" / "paynorm"
    return built if built.is_file() else None


@pytest.fixture(scope="session")
def cli() -> Path:
    path = cli_path()
    if path is None:
        pytest.skip("the release CLI is not built (run scripts/python-test.sh or set PAYNORM_CLI)")
    return path


def run_cli_batch(cli: Path, lines: list[bytes], *args: str) -> list[bytes]:
    """`paynorm batch` over `lines` (one per input line): its output lines."""
    data = b"".join(line + b"\n" for line in lines)
    done = subprocess.run(
        [str(cli), "batch", "--threads", "1", *args], input=data, capture_output=True, check=False
    )
    assert done.returncode in (0, 1), done.stderr.decode()
    out = done.stdout.split(b"\n")
    assert out[-1] == b""
    return out[:-1]


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))
