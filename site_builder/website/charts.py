"""SVG charts drawn at build time: readable without JavaScript, with a text alternative.

Each chart is an inline <figure> holding an <svg role="img"> with <title>/<desc> and a caption
that states the same numbers in words, so screen readers and text-only readers get the data.
"""

from __future__ import annotations

from html import escape

from site_builder.website.text import number

GRADE_COLOURS = ["#1b5e20", "#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a", "#455a64"]
PLAIN = "#3949ab"


def bars(title: str, rows: list[tuple[str, float]], unit: str = "", max_value: float | None = None,
         colours: list[str] | None = None) -> str:
    """Horizontal bars, one per (label, value); `max_value` fixes the scale (e.g. 100 points)."""
    if not rows:
        return ""
    rows = list(zip(short_labels([label for label, _ in rows]), (value for _, value in rows)))
    top = max_value or max((v for _, v in rows if v is not None and v == v), default=0) or 1
    row_h, label_w, bar_w = 22, 190, 300
    height = row_h * len(rows) + 10
    parts = [f'<svg class="sb-chart" role="img" viewBox="0 0 {label_w + bar_w + 70} {height}" '
             f'width="100%" preserveAspectRatio="xMinYMin meet">'
             f"<title>{escape(title)}</title>"
             f"<desc>{escape(_words(rows, unit))}</desc>"]
    for index, (label, value) in enumerate(rows):
        y = 5 + index * row_h
        missing = value is None or value != value
        width = 0 if missing else max(0.0, bar_w * float(value) / top)
        colour = colours[index % len(colours)] if colours else PLAIN
        shown = "—" if missing else f"{number(value)}{unit}"  # no bar, not a zero: nothing to measure
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="12">{escape(_short(label))}</text>'
                     f'<rect x="{label_w}" y="{y + 3}" width="{width:.1f}" height="{row_h - 6}" fill="{colour}"/>'
                     f'<text x="{label_w + width + 4:.1f}" y="{y + 15}" font-size="12">{escape(shown)}</text>')
    parts.append("</svg>")
    return (f'<figure class="sb-figure">{"".join(parts)}'
            f"<figcaption>{escape(title)}: {escape(_words(rows, unit))}.</figcaption></figure>")


def trend(history: list[dict]) -> str:
    """A unit's percentage of the maximum across school years (one bar per year it was registered)."""
    several = len({h["id"] for h in history}) > 1  # merged or renamed units: say which one each bar is
    rows = [(h["title"] + (f" ({h['name']})" if several else ""), h["percent"] if h["submitted"] else None)
            for h in history]
    if len(rows) < 2:
        return ""
    return bars("Tỉ lệ điểm (% điểm tối đa) qua các năm học", rows, "%", 100)


def short_labels(labels: list[str]) -> list[str]:
    """Drop the words every label shares at its start and at its end ("Phòng Văn hoá – Xã hội
    phường Tân Định (minh hoạ)" -> "phường Tân Định"): bars are told apart by what differs."""
    if len(labels) < 2:
        return labels
    words = [label.split() for label in labels]
    head = 0
    while all(len(w) > head + 1 and w[head] == words[0][head] for w in words):
        head += 1
    tail = 0
    while all(len(w) > head + tail + 1 and w[-1 - tail] == words[0][-1 - tail] for w in words):
        tail += 1
    return [" ".join(w[head:len(w) - tail]) for w in words]


def _words(rows, unit: str) -> str:
    return "; ".join(f"{label} {'chưa nộp' if value is None or value != value else f'{number(value)}{unit}'}"
                     for label, value in rows)


def _short(label: str, limit: int = 30) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
