"""The rows of a unit page's score table (one per criterion), written here instead of in a template.

Jinja spent ~13 µs on a row, in a dozen escaped outputs, filter calls and the evidence loop's
context; a national build renders 850,000 rows. Written with plain string operations, a group's
rows at a time, they take ~5 µs, byte for byte the same (the SHA-256 of 1,500 pages is unchanged;
tests/test_score_rows.py checks the rows' parts and their escaping). A row's four score cells are
written once per set of numbers (a few dozen recur on every page): 285,000 rows in 0.92 instead
of 1.10 CPU-s.

Everything a unit or a reviewer typed (notes, comments, file names, links) is escaped as Jinja's
autoescape does (markupsafe: & < > ' "); numbers go through the page's number formatter, which
writes none of those characters.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

NOT_APPLICABLE = "Không áp dụng (không có đơn vị trực thuộc để tính); không tính vào điểm tối đa."


def escape(text) -> str:
    """What markupsafe.escape gives for a plain string, as a str."""
    return (
        str(text)
        .replace("&", "&amp;")
        .replace(">", "&gt;")
        .replace("<", "&lt;")
        .replace("'", "&#39;")
        .replace('"', "&#34;")
    )


def row_writer(
    head: Callable[[object], str], num: Callable[..., str], evidence_url: Callable[[str, str], str], host: Callable
):
    """`score_rows(items, base)` for the page templates, the rows of a group's criteria, each
    ending its line: `head` writes a criterion's first cells (pages.criterion_head), `num` a
    score, `evidence_url` and `host` a file's and a link's text."""

    def score_rows(items, base: str) -> Markup:
        return Markup("".join([score_row(it, base) + "\n" for it in items]))

    written: dict[tuple, str] = {}  # a criterion's score cells, by their numbers (NaN as None)

    def score_cells(score) -> str:
        """The four score cells and the opening of the last: few distinct sets of numbers recur
        on every page (NaN, which equals nothing, is keyed as None)."""
        _criterion, most, own, reviewer, final, met = score[:6]
        key = (most, _number(own), _number(reviewer), _number(final), met)
        found = written.get(key)
        if found is None:
            if len(written) >= 1 << 16:
                written.clear()
            found = written[key] = (
                f"<td>{num(most)}</td><td>{num(own)}</td><td>{num(reviewer, '')}</td>"
                f"<td>{num(final)}{' ✓' if met else ''}</td><td>"
            )
        return found

    def score_row(it, base: str) -> str:
        derived = it.derived
        if not it.applicable:
            said = NOT_APPLICABLE
        elif derived:
            said = (
                f"Tính tự động: {num(derived['numerator'])}/{num(derived['denominator'])} đơn vị đạt tiêu chí "
                f"{escape(derived['criterion'])} = {num(derived['percent'])}% → mức {escape(derived['band'])}"
            )
        else:
            said = ""
        parts = [
            str(head(it)),
            score_cells(it.score),
            said,
            ", ".join(_evidence(e, base, evidence_url, host) for e in it.evidence),
        ]
        if it.note:
            parts.append(f'<div class="sb-text">Ghi chú: {escape(it.note)}</div>')
        if it.comment:
            parts.append(f'<div class="sb-text">Nhận xét của người chấm: {escape(it.comment)}</div>')
        if it.milestone_warning:
            parts.append(
                f'<div class="sb-text sb-warning" data-milestone-warning>⚠ {escape(it.milestone_warning)}</div>'
            )
        parts.append("</td></tr>")
        return "".join(parts)

    return score_rows


def _number(value):
    """A score as a key: NaN, which equals no other NaN, as None (shown alike, "—" or empty)."""
    return None if value != value else value


def _evidence(e, base: str, evidence_url, host) -> str:
    if e.kind == "pdf":
        return f'<a href="{escape(evidence_url(e.href, base))}">{escape(e.label)}</a>'
    link = f'<a href="{escape(e.href)}" rel="nofollow noopener">{escape(host(e.href))}</a>'
    if e.broken:
        link += f' <span class="sb-broken" title="{escape(e.broken)}">(liên kết hỏng)</span>'
    return link
