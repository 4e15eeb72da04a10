"""`make golden`: rewrite the golden JSON from the current code.

Run it only for a change you can name, then read every changed line of `git diff tests/fixtures/golden`.
"""
from __future__ import annotations

import sys
from pathlib import Path

from pipeline.build import extract_file
from pipeline.write import document_json, dumps

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden"
#: Each golden file pins the whole JSON of one source: the 2024 list in raw/, and the text dump
#: of each layout of the family (tests/fixtures/layouts/, issue 10).
SOURCES = [ROOT / "raw" / "cnipa-2024-task-list.txt",
           *sorted((ROOT / "tests" / "fixtures" / "layouts").glob("*.txt"))]


def golden_path(source: Path) -> Path:
    return GOLDEN / f"{source.stem}.json"


def render(source: Path) -> str:
    return dumps(document_json(extract_file(source)))


def main() -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for source in SOURCES:
        path = golden_path(source)
        new = render(source)
        old = path.read_text(encoding="utf-8") if path.exists() else ""
        path.write_text(new, encoding="utf-8")
        print(f"{path.relative_to(ROOT)}: {'unchanged' if new == old else 'UPDATED — review git diff'}",
              file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
