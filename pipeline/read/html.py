"""Reader for the HTML page (beautifulsoup4 + lxml). Not implemented yet: see issue 4."""
from __future__ import annotations

from pipeline.errors import UnknownFormatError
from pipeline.models import RawTable


def read_html(data: bytes, source: str) -> RawTable:
    """Parse an HTML page's bytes into the raw table."""
    raise UnknownFormatError(source, "HTML input is not supported yet", "use the text dump")
