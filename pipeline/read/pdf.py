"""Reader for the published PDF (pdfplumber). Not implemented yet: see issue 3."""
from __future__ import annotations

from pipeline.errors import UnknownFormatError
from pipeline.models import RawTable


def read_pdf(data: bytes, source: str) -> RawTable:
    """Parse a PDF's bytes into the raw table."""
    raise UnknownFormatError(source, "PDF input is not supported yet", "use the text dump")
