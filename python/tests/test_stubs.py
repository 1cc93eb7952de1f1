"""The type stubs describe the package that is installed: every method and name the stubs
declare exists at runtime (TypedDicts are stub-only), and the wheel ships them."""

from __future__ import annotations

import ast
from pathlib import Path

import paynorm
import paynorm._paynorm as native

STUB_ONLY = {"Record", "ErrorRecord", "ErrorDetail", "Diagnostic", "ProviderInfo", "JSONText"}


def declared(stub: Path) -> tuple[set[str], dict[str, set[str]]]:
    tree = ast.parse(stub.read_text(encoding="utf-8"))
    names, methods = set(), {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            names.add(node.name)
            methods[node.name] = {n.name for n in node.body if isinstance(n, ast.FunctionDef)}
        elif isinstance(node, (ast.FunctionDef, ast.Assign, ast.AnnAssign)):
            targets = [node.name] if isinstance(node, ast.FunctionDef) else (
                [t.id for t in node.targets] if isinstance(node, ast.Assign) else [node.target.id])
            names.update(targets)
    return names, methods


def test_the_wheel_ships_the_stubs_and_py_typed():
    package = Path(paynorm.__file__).parent
    for name in ("__init__.pyi", "_paynorm.pyi", "py.typed"):
        assert (package / name).is_file(), name


def test_every_stub_name_and_method_exists():
    package = Path(paynorm.__file__).parent
    for stub, module in ((package / "_paynorm.pyi", native), (package / "__init__.pyi", paynorm)):
        names, methods = declared(stub)
        assert names, stub
        for name in names - STUB_ONLY:
            assert hasattr(module, name), f"{stub.name}: {name} is not in {module.__name__}"
        for cls, members in methods.items():
            if cls in STUB_ONLY:
                continue
            for member in members:
                assert hasattr(getattr(module, cls), member), f"{cls}.{member}"
    assert set(paynorm.__all__) <= set(dir(paynorm))
