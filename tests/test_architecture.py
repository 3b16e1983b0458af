"""The house reads one way: shared foundations, then formats, then capabilities, then the chat turn, then the
commands and the server. These tests read the import statements of every module (no import is executed)."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "warmline"
FOUNDATION = {
    "warmline",
    "jsonio",
    "conversation",
    "paths",
    "text",
    "llm_json",
    "privacy",
    "replies",
    "embedding",
    "e5torch",
    "extras",
    "backends",
    "testing",
    "tuned",
}
# generate (replies for evaluation) and simulate (whole sessions with a simulated client) run the chat turn and the
# insight hook, so they sit beside the commands
LAYERS = [
    FOUNDATION,
    {"formats"},
    {"synth", "analyze", "train", "evaluate", "safety", "insight"},
    {"turn", "session"},
    {"serve", "cli", "quickstart", "simulate", "generate"},
]
# capability -> capability imports that carry meaning: insight's taxonomies and embedder are analysis tools
SIDEWAYS = {("insight", "analyze")}

MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600


def _module(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    return ".".join(rel.parts[:-1] if rel.name == "__init__" else rel.parts)


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "warmline"


def _layer(part: str) -> int:
    return next(i for i, layer in enumerate(LAYERS) if part in layer)


def _dunder(name: str) -> bool:
    return name.startswith("__") and name.endswith("__")


def _imports():
    """(importing module's file, its part, imported module, imported names, line) for every warmline import."""
    for path in sorted(SRC.rglob("*.py")):
        module = _module(path)
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                base = package.split(".")[: len(package.split(".")) - node.level + 1] if node.level else []
                target = ".".join(base + ([node.module] if node.module else [])) if node.level else node.module
                if not target or not target.split(".")[0] == "warmline":
                    continue
                names = [a.name for a in node.names]
                if target == "warmline":  # `from .. import x` names a module of the top package, or a dunder
                    for n in names:
                        if _dunder(n):
                            yield path, _part(module), target, [n], node.lineno
                        else:
                            yield path, _part(module), f"warmline.{n}", [], node.lineno
                else:
                    yield path, _part(module), target, names, node.lineno
            elif isinstance(node, ast.Import):
                for a in node.names:
                    if a.name.startswith("warmline."):
                        yield path, _part(module), a.name, [], node.lineno


def _check(found: dict[str, list[str]]) -> None:
    assert not found, "breaks the rule:\n" + "\n".join(f"{k} (line {', '.join(v)})" for k, v in sorted(found.items()))


def test_every_part_has_a_layer():
    parts = {_part(_module(p)) for p in SRC.rglob("*.py")}
    assert "warmline" in parts and "formats" in parts  # the top package's own modules and a sub-package
    assert not {p for p in parts if not any(p in layer for layer in LAYERS)}


def test_imports_run_down_the_layers_and_sideways_only_where_named():
    found: dict[str, list[str]] = {}
    for path, src, target, _, line in _imports():
        dst = _part(target)
        if src == dst or dst == "warmline":
            continue
        a, b = _layer(src), _layer(dst)
        if b > a or (a == b == 2 and (src, dst) not in SIDEWAYS):
            found.setdefault(f"{path.relative_to(SRC)} -> {target}", []).append(str(line))
    _check(found)


def test_no_private_name_crosses_a_part():
    found: dict[str, list[str]] = {}
    for path, src, target, names, line in _imports():
        if _part(target) == src:
            continue
        private = [n for n in names if n.startswith("_") and not _dunder(n)]
        private += [p for p in target.split(".")[1:] if p.startswith("_")]
        if private:
            found.setdefault(f"{path.relative_to(SRC)} -> {target}", []).append(str(line))
    _check(found)


def test_the_reader_sees_relative_imports_dunders_and_private_names():
    """The checks above would pass vacuously if the import reader missed these forms."""
    found = {(str(p.relative_to(SRC)), t, tuple(n)) for p, _, t, n, _ in _imports()}
    assert ("cli/main.py", "warmline", ("__version__",)) in found  # `from .. import __version__`
    assert any(f == "conversation.py" and t == "warmline.jsonio" for f, t, _ in found)  # `from . import jsonio`
    assert any(f == "formats/__init__.py" and t == "warmline.formats.records" for f, t, _ in found)


def test_the_parts_form_no_circle():
    """No part reaches itself through the parts it imports."""
    edges: dict[str, set[str]] = {}
    for _, src, target, _, _ in _imports():
        dst = _part(target)
        if src != dst and dst != "warmline":
            edges.setdefault(src, set()).add(dst)

    def reached(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for nxt in edges.get(todo.pop(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
        return seen

    assert not sorted(p for p in edges if p in reached(p))


def _body_lines(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    """A function's length: its statements, not its signature (a command's options are declarations, one a line
    since `ruff format`) nor its docstring."""
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    return body[-1].end_lineno - body[0].lineno + 1 if body else 0


def test_no_function_over_80_lines_and_no_module_over_600():
    long, big = {}, []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        rel = str(path.relative_to(SRC))
        if len(text.splitlines()) > MAX_MODULE_LINES:
            big.append(rel)
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = _body_lines(node)
                if lines > MAX_FUNCTION_LINES:
                    long[f"{rel}:{node.name}"] = [str(node.lineno)]
    assert not big, f"modules over {MAX_MODULE_LINES} lines: {big}"
    _check(long)
