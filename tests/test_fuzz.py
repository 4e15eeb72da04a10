"""Fuzzing the readers with damaged copies of the good fixtures (see tests/fuzz.py).

``make test`` runs a fixed set of seeds per format; ``make fuzz`` runs many more
(``FUZZ_CASES=N``, from seed ``FUZZ_FIRST``) and keeps every failing mutant under
tests/fixtures/fuzz/ (``FUZZ_SAVE=1``), where :func:`test_kept_mutants_fail_cleanly` replays it.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests import fuzz

#: Cases per format in `make test`: a few hundred in all within a few seconds (PDF pages cost
#: the most, so PDF gets fewer).
CI_CASES = {"text": 200, "html": 250, "pdf": 120}


@pytest.fixture(scope="module")
def fast(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    with fuzz.fast_keywords():
        yield tmp_path_factory.mktemp("fuzz")


def _seeds(fmt: str) -> range:
    first = int(os.environ.get("FUZZ_FIRST", "0"))
    return range(first, first + int(os.environ.get("FUZZ_CASES", CI_CASES[fmt])))


@pytest.mark.parametrize("fmt", ["text", "html", "pdf"])
def test_mutants_fail_cleanly_or_keep_their_tasks(fmt: str, fast: Path) -> None:
    kinds: Counter[str] = Counter()
    failures = []
    for seed in _seeds(fmt):
        base, edits, data = fuzz.mutant(fmt, seed)
        got = fuzz.judge(base, data, fast)
        kinds[got.kind] += 1
        if got.kind not in fuzz.GOOD:
            kept = ""
            if os.environ.get("FUZZ_SAVE"):
                kept = f" → kept as {fuzz.save(fmt, seed, base, edits, data, got).relative_to(fuzz.ROOT)}"
            failures.append(f"{fmt} seed {seed} ({base.name}: {', '.join(e.op for e in edits)}): "
                            f"{got.kind}: {got.detail[:300]}{kept}")
    print(f"\n{fmt}: {dict(kinds)}")
    assert not failures, "\n".join(failures)
    # The mutants must reach the later stages, not all be refused at the door: a harness whose
    # every case is an error tests nothing but the first check.
    assert kinds["same"] + kinds["flagged"] >= len(_seeds(fmt)) // 5, dict(kinds)
    assert kinds["error"] >= len(_seeds(fmt)) // 10, dict(kinds)


def test_every_base_is_a_good_input() -> None:
    for fmt, least in (("text", 1), ("html", 30), ("pdf", len(fuzz.PDF_BASES))):
        found = fuzz.bases(fmt)
        assert len(found) >= least, (fmt, [b.name for b in found])
        for base in found:
            outcome = fuzz.baseline(base)
            assert outcome is not None and outcome.tasks >= 1, base.name


def test_pdf_cut_to_its_first_page_reads_as_the_first_page(fast: Path) -> None:
    """The incremental update the PDF bases are made with keeps page 1's rows and drops the rest."""
    whole = fuzz.run_bytes("whole.pdf", (fuzz.FIXTURES / "pdf" / fuzz.PDF_BASES[1][0]).read_bytes(), fast)
    cut = fuzz.baseline(fuzz.bases("pdf")[1])
    assert whole.kind == "same" and whole.tasks == 23
    assert cut is not None and 1 <= cut.tasks < 23
    assert fuzz.bases("pdf")[1].regions  # page 1's content, uncompressed, for the edits to aim at


def test_same_seed_same_mutant() -> None:
    for fmt in ("text", "html", "pdf"):
        assert fuzz.mutant(fmt, 7) == fuzz.mutant(fmt, 7)
        assert fuzz.mutant(fmt, 7)[2] != fuzz.mutant(fmt, 8)[2]


def test_kept_mutants_fail_cleanly(fast: Path) -> None:
    """Every mutant kept under tests/fixtures/fuzz/ (found failing once) now ends cleanly."""
    failures = []
    for kept in fuzz.regressions():
        got = fuzz.judge(kept.base, kept.data, fast)
        if got.kind not in fuzz.GOOD:
            failures.append(f"{kept.path.relative_to(fuzz.ROOT)}: {got.kind}: {got.detail}")
    assert not failures, "\n".join(failures)


def test_failing_mutants_are_kept_and_replayed_as_they_were(tmp_path: Path) -> None:
    """`make fuzz` keeps a small failing mutant as the file, a large one as its edits; both
    read back byte for byte."""
    small_base, small_edits, small = fuzz.mutant("html", 3)
    big_base, big_edits, big = fuzz.mutant("pdf", 1)
    assert len(small) <= fuzz.MAX_KEPT_BYTES < len(big)
    found = fuzz.Outcome("silent", "made up for this test")
    as_file = fuzz.save("html", 3, small_base, small_edits, small, found, into=tmp_path)
    as_recipe = fuzz.save("pdf", 1, big_base, big_edits, big, found, into=tmp_path)
    assert as_file.read_bytes() == small and as_recipe.suffix == ".json"
    replayed = {r.path: r for r in fuzz.regressions(tmp_path)}
    assert replayed[as_file].data == small and replayed[as_file].base == small_base
    assert replayed[as_recipe].data == big and replayed[as_recipe].base == big_base
