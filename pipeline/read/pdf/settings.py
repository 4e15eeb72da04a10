"""Every tolerance of the PDF reader, named, in one validated frozen dataclass.

Distances are fractions of the font size of the characters concerned (so the reader does not
depend on page size, font or font size) unless the field says points (pt). The defaults are
the reader's; ``Settings(field=…)`` makes a variant to try on a rendering that is misread
(``python -m pipeline debug`` shows what each step found).
"""
from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Settings:
    # ---- glyphs and rules -------------------------------------------------------------------
    #: A shape covering this share of the page's width and height is a background, no border.
    background_share: float = 0.9
    #: A rectangle thinner than this (pt) is a ruling line, not a box.
    thin_rule: float = 2.0
    #: Glyphs of one character closer than this (pt) are one glyph drawn twice (fake bold).
    duplicate_grid: float = 0.5

    # ---- lines ------------------------------------------------------------------------------
    #: A glyph whose middle is this far from a line's middle starts a new line.
    line_overlap: float = 0.45
    #: A gap wider than this between two Latin characters is a space.
    word_space: float = 0.25

    # ---- the header row ---------------------------------------------------------------------
    #: A gap wider than this between glyphs parts two header words.
    header_word_gap: float = 0.3
    #: Header glyphs within this height are read as one line of a wrapped header word.
    header_line_step: float = 0.5
    #: Two header pieces closer than this that name a column only together are one word set
    #: with wide letter spacing (序　号, 完 成 时 限); further apart they are two columns' words.
    header_letter_gap: float = 2.0
    #: Lines holding more glyphs than this many times the header words' are no header row.
    header_max_glyphs: int = 3
    #: Vertical rules crossing the header row further apart than this (in body font sizes),
    #: with text between them below the header, bound a column of their own (an empty header
    #: cell over a 序号 column); closer ones are one boundary drawn twice.
    empty_column: float = 1.5

    # ---- columns ----------------------------------------------------------------------------
    #: Resolution of the coverage count that finds gutters between columns (pt).
    gutter_step: float = 0.5
    #: Without outer rules, the table reaches this far beyond its outermost text.
    outer_margin: float = 0.5
    #: A vertical rule this close to a column boundary is that boundary.
    rule_snap: float = 1.5
    #: Font size assumed on a page without text (pt).
    default_size: float = 10.0

    # ---- the title --------------------------------------------------------------------------
    #: Lines of one title block differ in size by less than this (pt).
    title_size_step: float = 0.5
    #: Lines of one title block are closer than this.
    title_line_gap: float = 0.8
    #: A block this much larger than the body text (pt) is prominent.
    title_prominence: float = 0.5
    #: A block naming the 任务清单 longer than this (characters) is a sentence, not the title.
    title_max_chars: int = 80

    # ---- row bands: ruled -------------------------------------------------------------------
    #: A horizontal rule covering this share of the table's width is a row boundary.
    span_share: float = 0.5
    #: … and this share of the first column (else it parts cells beside a rowspan cell).
    first_column_share: float = 0.5
    #: Horizontal rules closer than this are one.
    rule_merge: float = 0.2
    #: A numbered task whose first line starts within this far below a rule that leaves out
    #: the first column opens a row there (beside a group cell spanning rows).
    opener_reach: float = 2.0
    #: A vertical rule this close to the table's edge is one of its sides.
    side_snap: float = 1.0
    #: Sides reaching this far past the last horizontal rule close a row the renderer left open.
    side_overhang: float = 0.5
    #: A page with at most this many spanning rules and no vertical ones is ruled sparsely
    #: (三线表: top, under the header, bottom).
    sparse_rules: int = 3
    #: A rule spanning the table to within this of its edges makes the page ruled.
    ruled_margin: float = 1.0
    #: A band must reach this far below the header's top to be a row (not the rule above it).
    below_header: float = 0.5
    #: Glyphs this far outside the outer boundaries still belong to the table.
    table_margin: float = 1.0

    # ---- row bands: both strategies ---------------------------------------------------------
    #: A row number this far below a band's first text opens a row of its own.
    opener_below: float = 0.5
    #: A row edge placed at an opening line stands this far above it.
    edge_above: float = 0.25
    #: A header's bottom this far above a band's bottom parts it from the row under it.
    header_clearance: float = 1.0

    # ---- row bands: unruled -----------------------------------------------------------------
    #: A first-column line this many line pitches below the one before opens a row.
    row_gap_pitches: float = 1.5
    #: Line pitch assumed when a page has too few lines to measure it.
    default_pitch: float = 1.5
    #: Consecutive line tops closer than this (pt) are one line, not a pitch.
    min_pitch: float = 0.5
    #: A gap this much wider than the usual one between lines is a row boundary.
    min_gap_excess: float = 0.1
    #: Gaps as wide as the widest within this are equally good row boundaries.
    gap_tie: float = 0.1
    #: A gap may reach this far past the lines it lies between.
    gap_slack: float = 0.1
    #: A gap ending this close above a line is right above it (cells aligned to the top).
    top_aligned: float = 0.5
    #: The last row ends this far below the lowest text.
    bottom_margin: float = 1.0

    # ---- cells ------------------------------------------------------------------------------
    #: An inner rule must cross the row's middle, all but this share at each end.
    inner_rule_share: float = 0.25
    #: A gap narrower than this at a column boundary means the text runs across it …
    across_gap: float = 0.3
    #: … or narrower than the line's usual spacing between characters plus this.
    across_slack: float = 0.1

    # ---- paragraphs -------------------------------------------------------------------------
    #: Line pitch assumed for a font size that no wrapped line measured.
    default_leading: float = 1.2
    #: A line this much further below the one before than the usual pitch opens a paragraph.
    paragraph_gap: float = 0.2
    #: A line starting this far from where wrapped lines start is indented: a new paragraph.
    indent: float = 0.8
    #: Slack for a line left short (CJK-Latin spacing, rounding).
    short_slack: float = 0.5
    #: Latin letters closer than this are one word (which cannot be broken).
    latin_word_gap: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"Settings.{f.name} must be a number ≥ 0, not {value!r}")
        for name in ("background_share", "span_share", "first_column_share"):
            if not 0 < getattr(self, name) <= 1:
                raise ValueError(f"Settings.{name} must be a share in (0, 1]")
        if self.inner_rule_share >= 0.5:
            raise ValueError("Settings.inner_rule_share must be below 0.5 (both ends together "
                             "must leave the row's middle)")


SETTINGS = Settings()

__all__ = ["SETTINGS", "Settings"]
