import os

# numpy comes in only because pdfplumber and pyarrow import it, and its OpenBLAS then starts
# a thread per core that spins for a while (some 60 ms of CPU of a PDF extract, on the other
# core); the pipeline does no linear algebra. Set before anything imports numpy; a value the
# user set stays.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from pipeline.cli import exit_now, main  # after the environment is set

exit_now(main(prog="python -m pipeline"))
