"""Charts drawn on the server as inline SVG: horizontal bars and a progress-to-target bar.

The same markup goes into the console page and the funder report's PDF (WeasyPrint draws inline
SVG). Each chart is an image for assistive technology (`role="img"`, a `<title>` and a `<desc>`
naming the figures); the page puts the chart's data table right after it. Colours come as
presentation attributes (the console's CSP allows no inline styles); every text is escaped.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360  # drawn at about its own size in a half-width console column and on a phone
VALUE_WIDTH = 96
ROW = 40  # the label on its own line, the bar under it, the value after the bar
BAR = 14
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif"
TEXT = "#1f2937"
MUTED = "#4b5563"
TRACK = "#e5e7eb"
_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as the reader reads it ("EUR 25,000.00", "42 %")


def _colour(value: str, default: str = "#0b4f6c") -> str:
    return value if _COLOUR.fullmatch(value or "") else default


def _short(label: str, limit: int = 28) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _open(chart_id: str, title: str, desc: str, height: int) -> str:
    cid = escape(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="kpi-chart" role="img" '
        f'aria-labelledby="{cid}-title {cid}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" font-family="{escape(FONT)}" font-size="13">'
        f'<title id="{cid}-title">{escape(title)}</title><desc id="{cid}-desc">{escape(desc)}</desc>'
    )


def bar_chart(chart_id: str, title: str, bars: Sequence[Bar], colour: str = "") -> Markup:
    """One horizontal bar per row (the longest fills the width), its label above it and its value
    after it."""
    fill = _colour(colour)
    desc = "; ".join(f"{b.label}: {b.text}" for b in bars) or "No data in this range."
    height = max(len(bars), 1) * ROW + 4
    top = max((b.value for b in bars), default=0) or 1
    span = WIDTH - VALUE_WIDTH
    parts = [_open(chart_id, title, desc, height)]
    if not bars:
        parts.append(f'<text x="0" y="20" fill="{MUTED}">{escape("No data in this range.")}</text>')
    for i, b in enumerate(bars):
        y = i * ROW
        width = max(span * max(b.value, 0) / top, 0)
        if b.value > 0:
            width = max(width, 2)  # a small non-zero value stays visible
        parts.append(
            f'<text x="0" y="{y + 14}" fill="{TEXT}">{escape(_short(b.label, 52))}</text>'
            f'<rect x="0" y="{y + 20}" width="{span}" height="{BAR}" rx="3" fill="{TRACK}"/>'
            f'<rect x="0" y="{y + 20}" width="{width:.1f}" height="{BAR}" rx="3" fill="{fill}"/>'
            f'<text x="{span + 8}" y="{y + 32}" fill="{TEXT}" font-weight="600">{escape(b.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above


def progress_chart(
    chart_id: str,
    title: str,
    *,
    baseline: float,
    current: float,
    expected: float,
    target: float,
    texts: dict[str, str],
    colour: str = "",
    behind_colour: str = "#b45309",
    on_track: bool = True,
) -> Markup:
    """A bar from 0 to the target (or beyond, if passed): the current value filled, the baseline
    and the straight-line "expected by now" marked. `texts` holds the words: current, target,
    expected, baseline (already formatted, with their labels)."""
    fill = _colour(colour) if on_track else _colour(behind_colour)
    height = 92
    left, right = 2, WIDTH - 2
    top_value = max(target, current, baseline, 1) * 1.0
    scale = (right - left) / top_value

    def x(value: float) -> float:
        return left + max(min(value, top_value), 0) * scale

    desc = f"{texts['current']}; {texts['target']}; {texts['expected']}; {texts['baseline']}"
    parts = [
        _open(chart_id, title, desc, height),
        f'<rect x="{left}" y="22" width="{right - left}" height="20" rx="4" fill="{TRACK}"/>',
        f'<rect x="{left}" y="22" width="{x(current) - left:.1f}" height="20" rx="4" fill="{fill}"/>',
        f'<line x1="{x(baseline):.1f}" x2="{x(baseline):.1f}" y1="18" y2="46" stroke="{MUTED}" '
        f'stroke-width="2"/>',
        f'<line x1="{x(expected):.1f}" x2="{x(expected):.1f}" y1="16" y2="48" stroke="{TEXT}" '
        f'stroke-width="2" stroke-dasharray="4 3"/>',
        f'<text x="{left}" y="13" fill="{TEXT}" font-weight="600">{escape(texts["current"])}</text>',
        f'<text x="{right}" y="13" text-anchor="end" fill="{TEXT}">{escape(texts["target"])}</text>',
        f'<text x="{left}" y="64" fill="{MUTED}" font-size="12">{escape(texts["baseline"])}</text>',
        f'<text x="{left}" y="84" fill="{MUTED}" font-size="12">{escape(texts["expected"])}</text>',
        "</svg>",
    ]
    return Markup("".join(parts))  # noqa: S704 - every interpolated text is escaped above
