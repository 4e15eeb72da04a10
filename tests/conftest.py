from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import extract_file
from pipeline.models import Document

ROOT = Path(__file__).resolve().parent.parent
RAW_2024 = ROOT / "raw" / "cnipa-2024-task-list.txt"


@pytest.fixture(scope="session")
def doc_2024() -> Document:
    return extract_file(RAW_2024)
