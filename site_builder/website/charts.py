"""Bar charts drawn at build time: readable without JavaScript and without images.

Each chart is a <figure> whose caption is its title and whose body is a list, one item per bar:
the label and the value are text (read by screen readers, kept at the page's font size on a
phone), the bar itself a decorative SVG rectangle beside them.
"""

from __future__ import annotations

from html import escape

from site_builder.website.text import number

GRADE_COLOURS = ["#1b5e20", "#2e7d32", "#f9a825", "#ef6c00", "#c62828", "#6a1b9a", "#455a64"]
PLAIN = "#3949ab"


def bars(
    title: str, rows: list[tuple], unit: str = "", max_value: float | None = None, colours: list[str] | None = None
) -> str:
    """Horizontal bars, one per (label, value) or (label, value, key); `max_value` fixes the scale
    (e.g. 100 points). Labels and values are HTML text, so they keep the page's font size on a
    phone (an SVG scaled to the screen shrinks its text); each bar is a small SVG rectangle whose
    length is a percentage of its track. `data-value` (and `data-key`) let tests compare a bar
    with the tables."""
    if not rows:
        return ""
    keys = [row[2] if len(row) > 2 else "" for row in rows]
    rows = list(zip(short_labels([row[0] for row in rows]), (row[1] for row in rows)))
    top = max_value or max((v for _, v in rows if v is not None and v == v), default=0) or 1
    items = []
    for index, ((label, value), key) in enumerate(zip(rows, keys)):
        missing = value is None or value != value
        share = 0.0 if missing else min(100.0, max(0.0, 100 * float(value) / top))
        colour = colours[index % len(colours)] if colours else PLAIN
        shown = "—" if missing else f"{number(value)}{unit}"  # no bar, not a zero: nothing to measure
        data = f' data-value="{"" if missing else round(float(value), 2)}"' + (
            f' data-key="{escape(key)}"' if key else ""
        )
        items.append(
            f'<li{data}><span class="sb-bars__label">{escape(label)}</span>'
            f'<svg class="sb-bars__bar" aria-hidden="true" width="100%" height="14">'
            f'<rect width="{share:.1f}%" height="14" fill="{colour}"/></svg>'
            f'<span class="sb-bars__value">{escape(shown)}</span></li>'
        )
    return (
        f'<figure class="sb-figure sb-chart"><figcaption>{escape(title)}</figcaption>'
        f'<ul class="sb-bars">{"".join(items)}</ul></figure>'
    )


def trend(history: list[dict]) -> str:
    """A unit's percentage of the maximum across school years (one bar per year it was registered)."""
    several = len({h["id"] for h in history}) > 1  # merged or renamed units: say which one each bar is
    rows = [
        (h["title"] + (f" ({h['name']})" if several else ""), h["percent"] if h["submitted"] else None) for h in history
    ]
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
    return [" ".join(w[head : len(w) - tail]) for w in words]
