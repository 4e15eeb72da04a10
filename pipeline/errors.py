"""Every condition the pipeline reports to a user, as one exception class each.

Each error knows the file it concerns and renders as a single line
``FILE: cause — what to do``; the CLI is the only place these become exit codes.
Readers translate library exceptions (pdfminer, pdfplumber, lxml, UnicodeDecodeError,
OSError) into these at their boundary with ``raise … from exc``, so the original stays
available for a traceback. Messages never name command-line options: the CLI adds those.
"""
from __future__ import annotations

import re

from pipeline.names import valid_text

# A file name or a library message may hold a newline, an ESC sequence that recolours the
# terminal, or a bidi override that reorders what follows; a printed line shows them escaped.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """Text safe to print as one line: control characters as escapes, undecodable bytes as \\xNN.

    The one function for every line shown to a user that may hold a file name (error lines,
    the run summary, notes, warnings).
    """
    return _CONTROL.sub(lambda m: repr(m[0])[1:-1], valid_text(text))


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    #: What the user can do about it; subclasses override.
    hint: str = "check the input file"

    def __init__(self, path: str, cause: str, hint: str | None = None) -> None:
        self.path = str(path)
        self.cause = cause
        if hint is not None:
            self.hint = hint
        super().__init__(self.line())

    def __reduce__(self) -> tuple[type[PipelineError], tuple[str, str, str]]:
        # Pickled by its fields, not its line: it crosses from a worker process (extract
        # --jobs, a Dask worker) back to the CLI.
        return type(self), (self.path, self.cause, self.hint)

    def line(self) -> str:
        """One line for stderr: ``FILE: cause — what to do``."""
        return printable(f"{self.path}: {self.cause} — {self.hint}")

    def add_detail(self, detail: str) -> None:
        """Append context to the cause (e.g. that the format came from the bytes, not the name)."""
        self.cause = f"{self.cause} ({detail})"
        self.args = (self.line(),)


# ---- the input file itself -------------------------------------------------------------------

class NoInputsError(PipelineError):
    hint = "run from the project folder, copy a task list into raw/, or name the input files"


class InputNotFoundError(PipelineError):
    hint = "check the path, or put the file in raw/"


class InputUnreadableError(PipelineError):
    hint = "check the file's permissions and that it is a regular file"


class InputIsFolderError(InputUnreadableError):
    hint = "name the files inside it instead (for example FOLDER/*.pdf)"


class EmptyInputError(PipelineError):
    hint = "download it again, or check that you saved the right file"


class InputTooLargeError(PipelineError):
    hint = "a task list is a few MB at most; check that this is the right file"


class UnknownFormatError(PipelineError):
    hint = ("give a text dump (.txt), an HTML page (.html), a PDF (.pdf) or a Word document "
            "(.docx) of the task list")


class OfficeDocumentError(UnknownFormatError):
    hint = ("open it in Word/WPS/LibreOffice and save it as .docx, PDF or HTML "
            "(or export the table as tab-separated text), then extract that file")


class TruncatedInputError(PipelineError):
    hint = "the file is cut short (an interrupted download?); download it again"


class EncodingError(PipelineError):
    hint = "re-save the file as UTF-8, or fix its declared charset"


# ---- the task table --------------------------------------------------------------------------

class NoTaskTableError(PipelineError):
    hint = ("the file must hold the task table under a header row naming its columns "
            "(重点任务 / 工作举措 / 任务分工, or such as 序号 / 重点任务 / 具体措施 / 牵头单位 / 完成时限)")


#: What a missing role is called in an error line, with the header words that would name it.
_ROLE_HELP = {
    "task": "no task column (重点任务, 工作任务, 具体任务 …)",
    "measures": "no column saying what is done or by whom (工作举措, 具体措施, 任务分工, 牵头单位 …)",
}


class TableRolesError(NoTaskTableError):
    """A row that reads as a table header, but without the columns a task table needs."""

    hint = ("name the columns in the header row with the words of a task list (see the README's "
            "column roles), or check that this is the right file")

    @classmethod
    def of(cls, path: str, where: str, cells: tuple[str, ...] | list[str],
           missing: tuple[str, ...] | list[str]) -> TableRolesError:
        """The error for the header ``cells`` found at ``where`` (``line 7``), lacking ``missing``."""
        seen = " / ".join(c or "(empty)" for c in cells)
        lacks = "; ".join(_ROLE_HELP.get(m, m) for m in missing)
        return cls(path, f"{where} looks like the table header ({seen}) but has {lacks}")


class MalformedRowError(PipelineError):
    hint = "each table row must be one line with one tab-separated cell per header cell"


class MalformedTableError(PipelineError):
    hint = "check the table's structure (sections, numbered tasks) against the published list"


class WordDamagedError(PipelineError):
    hint = "the Word document is damaged (an interrupted download?); download it again, or take the PDF or HTML of the list"


class OfficeConverterMissingError(PipelineError):
    hint = ("install LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) so "
            "that soffice is on the PATH, or save the file as .docx in Word/WPS and extract that")


class OfficeConversionError(PipelineError):
    hint = "open it in Word/WPS/LibreOffice and save it as .docx, PDF or HTML, then extract that file"


class HtmlDamagedError(PipelineError):
    hint = "the page's markup is damaged (a corrupted download or a bad edit); download it again, or take the PDF of the list"


# ---- PDF -------------------------------------------------------------------------------------

class PdfDamagedError(PipelineError):
    hint = "download it again, or take the HTML page of the list"


class PdfEncryptedError(PipelineError):
    hint = "decrypt it first (for example `qpdf --decrypt in.pdf out.pdf`, adding --password=… if one is needed)"


class PdfNoTextError(PipelineError):
    hint = "the PDF has no text layer (a scan); run OCR on it first (for example ocrmypdf -l chi_sim)"


class PdfNoUnicodeError(PipelineError):
    hint = "the PDF's fonts carry no Unicode map, so its text is (cid:N) placeholders; use the HTML or another PDF of the list"


class TooManyFiguresError(Exception):
    """A clause holds more deadlines and figures than the facts stage takes.

    The facts stage does not know the file, so this is no PipelineError: the caller that does
    turns it into an InputTooLargeError naming the file (see pipeline.build).
    """

    def __init__(self, where: str, count: int, limit: int) -> None:
        self.cause = f"{where} holds {count:,} deadlines and figures; the limit is {limit:,}"
        super().__init__(self.cause)


# ---- the run as a whole ----------------------------------------------------------------------

class DuplicateDocIdError(PipelineError):
    hint = "two inputs share a file stem; rename one, since doc_id is the file's stem"


class DiffInputError(PipelineError):
    """OLD or NEW of ``diff`` is a folder that is not one list's output folder."""

    hint = "name an input file of the list, or an output folder that extract wrote"


class OutputError(PipelineError):
    hint = "check that the output folder's parent exists and is writable"


class PageNotInTableError(PipelineError):
    """The debug view was asked for a page that holds no part of the table."""

    hint = "give one of the pages named"


class OutputSetError(PipelineError):
    """The folder given to ``export`` (or ``pipeline.load``) is not a readable output set."""

    hint = "name a folder written by `extract` with the parquet format (the default), or run extract again"


class ExportError(PipelineError):
    """An export format cannot be written on this machine."""

    hint = "leave that format out, or upgrade the library named"


class InternalError(PipelineError):
    """An unexpected exception while handling one input: a bug, not bad input (exit 1)."""

    hint = "this is a bug in the pipeline; please report it with the traceback"


class ExecutorError(PipelineError):
    """The executor the inputs were to run on cannot be used (not installed, unreachable)."""

    hint = "check the executor's address, or run without it"
