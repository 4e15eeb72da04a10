"""The CLI's exit codes, and a library error's line as the CLI prints it (naming the option
the error concerns)."""
from __future__ import annotations

from pipeline.errors import (
    ExportError,
    InternalError,
    OutputError,
    PipelineError,
)

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # 128 + SIGTERM
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout went away (`debug FILE | head`)


#: The library's errors name no options; the CLI names the one an error concerns.
_OPTION_OF: dict[type[PipelineError], str] = {OutputError: "--out", ExportError: "--format"}
_BUG_HINT = "this is a bug in the pipeline; rerun with --debug and report the traceback"


def _line(exc: PipelineError, command: str = "extract") -> str:
    """The error's one line, naming the option it concerns (the library's lines name none)."""
    if isinstance(exc, InternalError):  # the library's hint names no option; this one does
        exc = InternalError(exc.path, exc.cause, _BUG_HINT)
    line = exc.line()
    option = next((o for cls, o in _OPTION_OF.items() if isinstance(exc, cls)), None)
    if command == "export" and option == "--out":  # export names its folder as OUTPUT_DIR
        option = None
    return f"{line} ({option})" if option and option not in line else line
