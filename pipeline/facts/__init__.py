"""Facts stage: deadlines and quantitative targets in a clause, with the text they govern.

All matching runs on ``ascii_digits(text)``, which has the same length as the text, so the
offsets point into the clause text as published (full-width digits included).

The patterns and the figure budgets are :mod:`pipeline.facts.patterns`, the deadlines
:mod:`pipeline.facts.deadline_parsing`, the targets :mod:`pipeline.facts.target_parsing`; this
module names what the other stages and the tests use.
"""
from __future__ import annotations

from pipeline.facts.deadline_parsing import deadlines, is_open_ended, occurrences, parse_deadlines
from pipeline.facts.patterns import (
    _DEADLINE_FORMS,
    _SUSPECT_FORMS,
    _SUSPECT_RE,
    COUNT_RE,
    DEADLINE_RE,
    MAX_FIGURE_DIGITS,
    MAX_FIGURES_PER_CLAUSE,
    MAX_FIGURES_PER_DOCUMENT,
    PERCENT_RE,
    check_budget,
    check_document_budget,
    figure_count,
)
from pipeline.facts.target_parsing import long_figures, metrics, targets

__all__ = ["COUNT_RE", "DEADLINE_RE", "MAX_FIGURES_PER_CLAUSE", "MAX_FIGURES_PER_DOCUMENT",
           "MAX_FIGURE_DIGITS", "PERCENT_RE", "_DEADLINE_FORMS", "_SUSPECT_FORMS", "_SUSPECT_RE",
           "check_budget", "check_document_budget", "deadlines", "figure_count", "is_open_ended",
           "long_figures", "metrics", "occurrences", "parse_deadlines", "targets"]
