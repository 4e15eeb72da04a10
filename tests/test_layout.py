"""The package's import graph: each stage imports only what comes before it.

Readers see the grammar, the models and the errors (and each other's shared pieces), never a
later stage; stitch reads the grammar, never a reader; the grammar imports no stage at all.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "pipeline"


def _imports(path: Path) -> set[str]:
    """Every ``pipeline.*`` module the file imports, at any depth (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "pipeline":
                found.update(f"pipeline.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
    # ``import pipeline`` alone (to find the package's folder) imports no stage.
    return {m for m in found if m.startswith("pipeline.")}


def _allowed(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("folder, allowed", [
    # pipeline.progress is no stage: a reader reports its pages there, to a listener or no one.
    ("read", ("pipeline.grammar", "pipeline.models", "pipeline.errors", "pipeline.progress",
              "pipeline.read")),
    ("grammar", ("pipeline.grammar",)),
])
def test_package_imports_only_earlier_layers(folder, allowed):
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        bad = {m for m in _imports(path) if not _allowed(m, allowed)}
        assert not bad, f"{path.relative_to(PACKAGE)} imports {sorted(bad)}"


@pytest.mark.parametrize("stage", ["stitch", "rows", "segment", "facts"])
def test_later_stages_import_no_reader(stage):
    # A stage is a module or a package of them (pipeline/facts/).
    paths = [PACKAGE / f"{stage}.py"] if (PACKAGE / f"{stage}.py").is_file() else sorted(
        (PACKAGE / stage).rglob("*.py"))
    assert paths, stage
    for path in paths:
        assert not {m for m in _imports(path) if _allowed(m, ("pipeline.read",))}, path


def test_progress_reporting_imports_nothing_of_the_pipeline():
    assert not _imports(PACKAGE / "progress.py")


def _options() -> set[str]:
    """Every long option of every subcommand of the CLI."""
    import argparse

    from pipeline.cli.args import parser

    top = parser()
    found: set[str] = set()
    for action in top._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found.update(o for a in sub._actions for o in a.option_strings
                             if o.startswith("--") and o != "--help")
    return found


#: The modules that are the command line: they define the options and may name them.
_CLI = ("cli", "debug.py", "diff/args.py", "diff/cli.py")


def test_library_text_names_no_option_of_the_cli():
    # The library says what is wrong and what to do; only the CLI names its flags (a user of the
    # Python API has none). Docstrings and comments may describe the CLI; strings the code uses
    # (hints, warnings, messages) may not.
    options = _options()
    assert {"--out", "--dedupe", "--debug", "--format", "--page"} <= options
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if any(rel == c or rel.startswith(c + "/") for c in _CLI):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(n.body[0].value) for n in ast.walk(tree)
                      if isinstance(n, ast.Module | ast.ClassDef | ast.FunctionDef
                                    | ast.AsyncFunctionDef)
                      and n.body and isinstance(n.body[0], ast.Expr)
                      and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and id(node) not in docstrings:
                named = {o for o in options
                         if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", node.value)}
                assert not named, f"{rel}:{node.lineno} names {sorted(named)}: {node.value!r}"
