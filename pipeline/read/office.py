"""Word 97–2003 (.doc) and WPS (.wps) documents, converted to .docx by LibreOffice.

Their binary format is not worth a reader of its own: LibreOffice Writer reads both, and its
.docx is then read by :mod:`pipeline.read.docx`. This is the read stage's one other piece of
I/O besides loading the input: the bytes go to a private temporary folder, ``soffice`` runs
there headless with a profile of its own in that folder (so a user's LibreOffice settings are
neither read nor changed, and a LibreOffice already open does not take the job), and the
folder is removed afterwards, whatever happened.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from pipeline.errors import OfficeConversionError, OfficeConverterMissingError

#: Seconds LibreOffice may take to convert one document: a task list takes a few seconds
#: (most of it LibreOffice starting); a file that keeps it busy longer is not one.
CONVERT_TIMEOUT_S: float = 120
#: The Debian/Ubuntu package that provides the converter, named in the error when it is missing.
WRITER_PACKAGE = "libreoffice-writer-nogui"


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_docx(data: bytes, source: str, what: str) -> bytes:
    """The .docx LibreOffice makes of ``data`` (a .doc or .wps document, ``what`` says which)."""
    return convert_many([(data, source, what)])[0]


def convert_many(documents: Sequence[tuple[bytes, str, str]]) -> list[bytes]:
    """The .docx LibreOffice makes of each ``(data, source, what)``, in order, from one start.

    Starting LibreOffice is most of a conversion's second; one start converts any number of
    documents (five task lists: 1.3 s against 5.5 s one by one). The first document that is
    not converted raises its error, as :func:`convert_to_docx` would for it alone.
    """
    if not documents:
        return []
    first_source, first_what = documents[0][1], documents[0][2]
    soffice = soffice_path()
    if soffice is None:
        raise OfficeConverterMissingError(
            first_source, f"is {first_what}, which is read through LibreOffice Writer, and "
                          f"soffice is not on the PATH (install the package {WRITER_PACKAGE})")
    timeout = CONVERT_TIMEOUT_S * len(documents)
    with tempfile.TemporaryDirectory(prefix="cnipa-soffice-") as tmp:
        folder = Path(tmp)
        sources = []
        for number, (data, _, _) in enumerate(documents):
            # Names of our own: the user's file name may be anything LibreOffice mishandles.
            src = folder / f"input-{number}.doc"
            src.write_bytes(data)
            sources.append(str(src))
        out = folder / "out"
        command = [soffice, f"-env:UserInstallation={(folder / 'profile').as_uri()}",
                   "--headless", "--norestore", "--nologo", "--nodefault", "--nolockcheck",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out), *sources]
        env = {**os.environ, "HOME": str(folder)}  # nothing LibreOffice writes outside the folder
        try:
            # A session of its own, so a timeout ends soffice.bin too, not only the launcher.
            proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, env=env, start_new_session=True)
        except OSError as exc:
            raise OfficeConverterMissingError(
                first_source, f"is {first_what}, and LibreOffice ({soffice}) cannot be started "
                              f"({exc.strerror or exc}); install the package "
                              f"{WRITER_PACKAGE}") from exc
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(proc)
            raise OfficeConversionError(
                first_source, f"is {first_what}, and LibreOffice did not finish converting it "
                              f"to .docx within {timeout:g} s") from None
        converted = []
        for number, (_, source, what) in enumerate(documents):
            made = out / f"input-{number}.docx"
            if proc.returncode != 0 or not made.is_file():
                said = " ".join(err.decode("utf-8", "replace").split())[-200:]
                raise OfficeConversionError(
                    source, f"is {what}, and LibreOffice could not convert it to .docx (exit "
                            f"{proc.returncode}{': ' + said if said else ''}; a damaged file, or "
                            f"LibreOffice without Writer: install the package {WRITER_PACKAGE})")
            converted.append(made.read_bytes())
        return converted


def _kill(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # it ended meanwhile
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
