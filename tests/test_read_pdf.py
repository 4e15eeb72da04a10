"""The PDF reader: cross-format equivalence with the text dump, and each hard case pinned."""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.extract import extract_file
from tests.equivalence import assert_same_content

PDF_DIR = Path(__file__).resolve().parent / "fixtures" / "pdf"
RENDERINGS = sorted(PDF_DIR.glob("*.pdf"))


@pytest.fixture(scope="session", params=RENDERINGS, ids=lambda p: p.stem)
def pdf_doc(request):
    return extract_file(request.param)


def test_every_rendering_equals_the_text_dump(pdf_doc, doc_2024):
    assert pdf_doc.fmt == "pdf"
    assert_same_content(pdf_doc, doc_2024)
