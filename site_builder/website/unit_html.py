"""A unit page's body, written with string operations (it was the Jinja template unit.html).

A national build writes 15,000 unit pages. The template spent ~0.43 ms on one (6.5 of the 12.6
CPU-s of the pages step at 15,000 units, measured), most of it in Jinja's machinery rather than
in the page: for each of ~130 outputs a context lookup, an attribute fetch through the
environment and an escape into a Markup object, and a generator step for each of ~225 pieces.
Its rows and common parts were already written in Python (score_rows.py, page_parts.py); this is
the rest, in the template's order, one function per section of the page: the same 15,000 pages,
byte for byte, in 4.1 instead of 7.0 CPU-s (measured inside one build with each).

Everything that comes from data (names, notes, links, identifiers, file names) is escaped as
autoescape did (markupsafe: & < > ' "); numbers, days and times come from the page's formatters,
which write none of those characters; the parts that are HTML already (the `once` snippets of
_macros.html, page_parts.py, the score rows, the trend chart) are put in as they are. The site's
tests read these pages (tests/test_unit_html.py checks every typed text is escaped).
"""

from __future__ import annotations

import math

from site_builder.unit_types import label as type_label
from site_builder.website import page_parts
from site_builder.website.score_rows import escape
from site_builder.website.text import day, moment, status_text


class UnitPageHtml:
    """The body of a unit's page; `env` is the pages' Jinja environment, whose filters and
    globals (the `once` snippets, the score rows, the review site's functions) it uses."""

    def __init__(self, env, org, template_name: str):
        self.org = org
        self.template_name = template_name
        filters, self.globals = env.filters, env.globals
        self.num, self.signed, self.isoday = filters["num"], filters["signed"], filters["isoday"]
        self.plain, self.size, self.commit_url = filters["plain"], filters["size"], filters["commit_url"]
        self.evidence_url, self.status_label = filters["evidence_url"], filters["status_label"]
        self.once, self.score_rows = self.globals["once"], self.globals["score_rows"]
        self.demo = str(page_parts.demo_repo(org.demo))

    def page(
        self,
        f,
        period,
        *,
        b: str,
        prov: dict,
        history_note: str,
        periods,
        year_links: dict,
        history: list[dict],
        trend: str,
        parent_href: str,
        ranks: tuple,
    ) -> str:
        """`b`: the way back to the site's root; `prov`: the page's data source; `history`: the
        unit across the school years (pages.PageRenderer.history) and `trend` its chart; `ranks`:
        UnitFact.ranks."""
        u = f.unit
        type_text = type_label(u.type)
        review = self.globals["review_source"](f)  # where its reviewer scores come from, or None
        return "".join(
            (
                self._sheet(f, u, type_text, period, prov),
                self._lead(f, u, type_text, period, parent_href),
                str(self.once("print_link", "bảng điểm")),
                "\n",
                str(page_parts.years_bar(periods, period.id, year_links)),
                "\n",
                self._cards(f, type_text, ranks),
                self._filing(f, period, b, history_note),
                self._review_source(review),
                self._objections(f, review),
                self._buttons(f),
                self._milestones(f, b),
                self._scores(f, b),
                self._files(f, b, prov),
                self._history(history, trend),
                str(page_parts.provenance(prov, b)),
            )
        )

    def _sheet(self, f, u, type_text: str, period, prov: dict) -> str:
        """«Bản in»: the head of the paper sheet, first so that site.css can show it alone."""
        num = self.num
        level = f" ({escape(u.level)})" if u.level else ""
        if f.submitted:
            total = f"{num(f.total)}/{num(f.max_total)} ({num(f.percent)}% điểm tối đa)"
        else:
            total = "— (chưa nộp)"
        received = f", {moment(f.received.date)}" if f.received else ""
        if f.reviewed:
            reviewer = escape(f.reviewer) + (
                f", ngày chấm {escape(self.isoday(f.review_date))}" if f.review_date else ""
            )
        else:
            reviewer = "chưa chấm"
        file = ""
        if f.submitted:
            digest = (
                f', SHA-256 <code class="sb-hash" data-sheet="sha256">{escape(f.file_sha256)}</code>'
                if f.file_sha256
                else ""
            )
            file = f"<div><dt>Tệp bài nộp</dt><dd><code>{escape(f.path)}</code>{digest}</dd></div>"
        if prov["commit"]:
            version = f"commit <code>{escape(prov['commit'][:12])}</code> ({moment(prov['commit_date'])})"
        else:
            version = "không xác định"
        if f.last_commit:
            version += f"; thời điểm nộp do commit <code>{escape(f.last_commit.sha[:12])}</code> xác nhận"
        return (
            '<section class="sb-sheet sb-p" id="ban-in" aria-labelledby="ban-in-title">\n'
            f"{self.once('sheet_bar', 'Trở lại trang đơn vị')}\n"
            f'<p class="sb-sheet__org">{escape(self.org.name)}</p>\n'
            '<h2 class="sb-sheet__title" id="ban-in-title">Bảng điểm ứng dụng công nghệ thông tin — '
            f"{escape(period.title)}</h2>\n"
            '<dl class="sb-sheet__facts">\n'
            f"<div><dt>Đơn vị</dt><dd>{escape(u.name)} (mã <code>{escape(u.id)}</code>), {escape(type_text)}{level}"
            "</dd></div>\n"
            f"<div><dt>Đơn vị quản lý</dt><dd>{escape(f.parent_name)}</dd></div>\n"
            f'<div><dt>Tổng điểm</dt><dd data-sheet="total">{total}</dd></div>\n'
            f'<div><dt>Xếp loại</dt><dd data-sheet="rating">{escape(f.rating or "—")}</dd></div>\n'
            f"<div><dt>Nộp bài</dt><dd>{escape(status_text(f.status, f.proposed))}{received}"
            f" (hạn {day(period.deadline)})</dd></div>\n"
            f"<div><dt>Người chấm</dt><dd>{reviewer}</dd></div>\n"
            f"{file}<div><dt>Phiên bản dữ liệu</dt><dd>{version}; bộ tiêu chí {escape(f.criteria_version)}</dd></div>\n"
            "</dl>\n</section>\n"
        )

    def _lead(self, f, u, type_text: str, period, parent_href: str) -> str:
        level = f" ({escape(u.level)})" if u.level else ""
        area = f", {escape(u.area)}" if u.area else ""
        parent = escape(f.parent_name)
        if parent_href:
            parent = f'<a href="{escape(parent_href)}">{parent}</a>'
        website = ""
        if u.website and u.website.startswith(("https://", "http://")):
            site = escape(u.website)
            website = f' · Website: <a href="{site}" rel="nofollow noopener">{site}</a>'
        return (
            f'<p class="sb-lead">{escape(u.name)} — {escape(type_text)}{level}{area}</p>\n'
            f'<p class="sb-meta">Đơn vị quản lý: {parent}{website} · Mã đơn vị: <code>{escape(u.id)}</code>'
            f" · {escape(period.title)}</p>\n"
        )

    def _cards(self, f, type_text: str, ranks: tuple) -> str:
        num = self.num
        share = f" ({num(f.percent)}%)" if f.submitted else ""
        return (
            '<div class="sb-cards">\n'
            '<div class="sb-card"><span class="sb-card__label">Tổng điểm</span>'
            f'<span class="sb-card__value" data-total="{escape(self.plain(f.total))}">{num(f.total)}</span>'
            f'<span class="sb-card__sub">/ {num(f.max_total)}{share}</span></div>\n'
            '<div class="sb-card"><span class="sb-card__label">Xếp loại</span>'
            f'<span class="sb-card__value" data-rating>{escape(f.rating or "—")}</span></div>\n'
            f"{page_parts.rank_cards(type_text, f.parent_name, ranks)}\n"
            "</div>\n"
            '<p class="sb-note">Xếp hạng theo tỉ lệ phần trăm điểm tối đa áp dụng cho đơn vị, trong cùng loại đơn vị.</p>\n'
            "\n"
        )

    def _filing(self, f, period, b: str, history_note: str) -> str:
        """The filing's facts: its status and when it was received, who reviewed it."""
        out = ['<h2 id="nop-bai">Nộp bài</h2>\n<ul class="sb-facts">\n']
        proposed = " (hạn đề xuất)" if f.deadline_proposed else ""
        if not f.submitted:
            out.append(
                f"<li>Trạng thái: {self.once('status', 'missing', f.deadline_proposed)} — hạn nộp "
                f"{day(period.deadline)}{proposed}.</li>\n"
            )
            out.append("</ul>\n")
            return "".join(out)
        t = f.timing
        out.append(f'<li data-status="{escape(f.status)}">Trạng thái: {self.once("status", f.status, f.proposed)}')
        if f.status == "draft":
            out.append(f": bài nộp trước khi mở nhận bài ({day(period.opens)}); bài được tính là nộp vào ngày mở.")
        elif t and t.received:
            early = f" (trước ngày mở nhận bài, tính là nộp ngày {day(period.opens)})" if t.before_opening else ""
            out.append(
                f": phiên bản đang được chấm hoàn tất lúc {moment(t.received.date)}{early}, "
                f"hạn nộp {day(period.deadline)}{proposed}."
            )
        else:
            why = (
                escape(history_note)
                if history_note
                else "chưa có commit nào được GitHub ký xác nhận chứa phiên bản này"
            )
            out.append(f" — chưa xác nhận được thời điểm nộp: {why}.")
        out.append("</li>\n")
        if t and t.first and t.received and t.first.timestamp != t.received.timestamp:
            out.append(f"<li>Nộp lần đầu: {moment(t.first.date)}.</li>")
        if t and t.late_criteria:
            out.append('<li class="sb-late-criteria">Các tiêu chí thay đổi sau hạn nộp:<ul>')
            for c in t.late_criteria:
                cid = escape(c.id)
                out.append(
                    f'<li data-late-criterion="{cid}">Tiêu chí <a href="#tc-{cid}">{cid}</a>: {escape(c.what)}, '
                    f"lúc {moment(c.moment.date)}</li>"
                )
            out.append("</ul></li>")
        if f.last_commit:
            sha = escape(f.last_commit.sha[:7])
            url = self.commit_url(f.last_commit)
            commit = f'<a href="{escape(url)}"><code>{sha}</code></a>{self.demo}' if url else f"<code>{sha}</code>"
            out.append(
                f"<li>Thời điểm do commit {commit} xác nhận bằng chữ ký số được tin cậy "
                f'(<a href="{escape(b)}phuong-phap/#thoi-diem-nop-bai">cách xác định thời điểm</a>).</li>'
            )
        if f.reviewed:
            when = f", ngày chấm {escape(self.isoday(f.review_date))}" if f.review_date else ""
            out.append(f"<li>Người chấm: <strong>{escape(f.reviewer)}</strong>{when}.</li>\n")
        else:
            out.append("<li>Người chấm: chưa chấm (điểm cuối cùng là điểm tự chấm).</li>\n")
        out.append(f"<li>Bộ tiêu chí áp dụng: {escape(f.criteria_version)}.</li>\n</ul>\n")
        return "".join(out)

    def _review_source(self, src: dict | None) -> str:
        """Where the unit's reviewer scores come from (review_site.py `source`)."""
        if not src:
            return ""
        book = f"bảng chấm {escape(src['path'].rsplit('/', 1)[-1])}, " if src["workbook"] else ""
        commit = src["commit"]
        if commit:
            sha = escape(commit.sha[:7])
            url = self.commit_url(commit)
            where = (
                f'<a href="{escape(url)}" data-review-commit>{sha}</a>'
                if url
                else f"<span data-review-commit>{sha}</span>"
            )
        else:
            where = "chưa xác định"
        return f'<p class="sb-note" data-review-source>Điểm chấm ghi ở {book}commit {where}.</p>\n'

    def _objections(self, f, src: dict | None) -> str:
        """The unit's objections to its scores (review_site.py `objections_for`); `src`: where its
        reviewer scores come from (the commit a settled objection's final score names)."""
        found = self.globals["review_objections"](f)
        if not found:
            return ""
        commit = src["commit"] if src else None
        at = f" (commit <code>{escape(commit.sha[:7])}</code>)" if commit else ""
        out = ['<h2 id="phuc-khao">Phúc khảo</h2>\n<ul class="sb-facts">\n']
        for o in found:
            number = escape(o.number)
            state = "settled" if o.settled else "open"
            label = f'<a href="{escape(o.url)}" rel="nofollow">Đề nghị #{number}</a>' if o.url else f"Đề nghị #{number}"
            criterion = escape(o.criterion)
            opened = f", gửi ngày {day(o.opened)}" if o.opened else ""
            out.append(
                f'<li data-objection="{number}" data-objection-state="{state}">{label}, tiêu chí '
                f'<a href="#tc-{criterion}">{criterion}</a>{opened}:\n'
            )
            if o.settled:
                out.append(f"đã giải quyết ngày {day(o.closed)}.\n")
                for g in f.groups:
                    for it in g.items:
                        if it.id != o.criterion:
                            continue
                        out.append(
                            f" Điểm cuối cùng: <strong data-objection-final>{self.num(it.final)}</strong>"
                            f"/{self.num(it.max)}{at}."
                        )
                if o.answer:
                    out.append(f"<br>Trả lời của người chấm {escape(o.answered_by)}: <q>{escape(o.answer)}</q>")
            else:
                out.append("đang xem xét.")
            out.append(f'<br><span class="sb-note">Lý do: {escape(o.reason)}</span></li>\n')
        out.append("</ul>\n")
        return "".join(out)

    def _buttons(self, f) -> str:
        """The button that edits the unit's filing, or the one that files it (with its template)."""
        if f.edit_url:
            return f'<p><a class="md-button" href="{escape(f.edit_url)}" rel="nofollow">Sửa bài tự đánh giá</a>{self.demo}</p>\n\n'
        if f.new_url:
            name = escape(self.template_name)
            marked = f' data-template="{name}"' if f.template else ""
            download = f' <a href="{name}" download>Tải tệp mẫu</a>' if f.template else ""
            return (
                f'<p><a class="md-button md-button--primary" href="{escape(f.new_url)}" rel="nofollow"{marked}>'
                f"Nộp bài tự đánh giá</a>{download}{self.demo}</p>\n"
            )
        return "\n"

    def _milestones(self, f, b: str) -> str:
        """The milestone reports the unit owes, and where each stands."""
        if not f.owed_milestones:
            return ""
        out = [
            '<h2 id="bao-cao">Báo cáo theo mốc</h2>\n',
            str(self.once("table_open", cls="sb-milestones")),
            '<thead><tr><th scope="col">Báo cáo</th><th scope="col">Hạn</th><th scope="col">Tình trạng</th>'
            '<th scope="col">Ngày nộp</th></tr></thead><tbody>\n',
        ]
        for ms in f.owed_milestones:
            report = ""
            if ms.evidence and ms.evidence.href:
                name = escape(ms.evidence.label.split("/")[-1])
                report = f' — <a href="{escape(self.evidence_url(ms.evidence.href, b))}">{name}</a>'
            if ms.upload_url and ms.status in ("missing", "pending"):
                report += f' · <a href="{escape(ms.upload_url)}" rel="nofollow">Nộp báo cáo</a>{self.demo}'
            provisional = ' <em class="sb-flag">(hạn đề xuất)</em>' if ms.timing.milestone.provisional else ""
            timing = ms.timing
            if timing.first:
                filed = day(timing.first.date) + (
                    f"; thay bản mới {day(timing.current.date)}" if timing.replaced else ""
                )
            else:
                filed = "—"
            out.append(
                f'<tr data-milestone="{escape(ms.id)}"><td class="sb-main">{escape(ms.title)}{report}</td>'
                f'<td class="sb-date" data-label="Hạn">{day(ms.due)}{provisional}</td>'
                f'<td data-label="Tình trạng">{self.once("status", ms.status, ms.proposed)}</td>'
                f'<td class="sb-date" data-label="Ngày nộp">{filed}</td></tr>\n'
            )
        out.append(f"</tbody>{self.once('table_close')}\n")
        return "".join(out)

    def _scores(self, f, b: str) -> str:
        """The score table, a group's row and then its criteria's (score_rows.py)."""
        num = self.num
        out = [
            '\n<h2 id="tieu-chi" class="sb-p">Điểm từng tiêu chí</h2>\n'
            '<p class="sb-note sb-p">Cuối cùng = điểm chấm nếu có, nếu không là điểm tự chấm. ✓ = đạt điểm tối đa.</p>\n',
            str(self.once("table_open", cls="sb-scores sb-p")),
            '<thead><tr><th scope="col">Tiêu chí</th><th scope="col">Tối đa</th><th scope="col">Tự chấm</th>'
            '<th scope="col">Chấm</th><th scope="col">Cuối cùng</th><th scope="col">Minh chứng và ghi chú</th>'
            "</tr></thead><tbody>\n",
        ]
        for g in f.groups:
            gid = escape(g.id)
            out.append(
                f'<tr class="sb-group" data-group="{gid}"><th scope="rowgroup">{gid}. {escape(g.title)}</th>'
                f"<td>{num(g.max)}</td><td>{num(g.self_score)}</td><td></td><td>{num(g.final)}</td><td></td></tr>\n"
            )
            out.append(str(self.score_rows(g.items, b)))
        out.append(
            f'<tr class="sb-total"><th scope="row">Tổng cộng</th><td>{num(f.max_total)}</td>'
            f"<td>{num(f.self_total)}</td><td></td><td>{num(f.total)}</td><td></td></tr>\n"
            f"</tbody>{self.once('table_close')}\n{self.once('signatures')}\n\n"
        )
        return "".join(out)

    def _files(self, f, b: str, prov: dict) -> str:
        """The evidence files the page links, with their size and SHA-256."""
        files = [e for e in f.evidence if e.file]
        if not files:
            return "\n"
        out = ['<h2 id="tep-minh-chung">Tệp minh chứng</h2>\n']
        if self.org.evidence == "link":
            out.append(
                f'<p class="sb-note" data-evidence-mode="link">Các tệp lưu trong kho dữ liệu trên GitHub{self.demo}, '
                f"đúng phiên bản đã dùng để xây dựng trang (commit <code>{escape(prov['commit'][:7])}</code>); "
                "dung lượng và SHA-256 dưới đây để đối chiếu tệp tải về.</p>"
            )
        out.append(str(self.once("table_open", cls="sb-files")))
        out.append(
            '<thead><tr><th scope="col">Tệp</th><th scope="col">Dung lượng</th><th scope="col">SHA-256</th>'
            "</tr></thead><tbody>\n"
        )
        for e in files:
            out.append(
                f'<tr><td class="sb-main"><a href="{escape(self.evidence_url(e.href, b))}">{escape(e.label)}</a></td>'
                f'<td class="sb-num" data-label="Dung lượng">{escape(self.size(e.file.size))}</td>'
                f'<td class="sb-full" data-label="SHA-256"><code class="sb-hash">{escape(e.file.sha256)}</code></td></tr>\n'
            )
        out.append(f"</tbody>{self.once('table_close')}\n\n")
        return "".join(out)

    def _history(self, history: list[dict], trend: str) -> str:
        """The unit across the school years (pages.PageRenderer.history), with its trend chart."""
        if not history:
            return ""
        num = self.num
        out = [
            f'<h2 id="cac-nam">Qua các năm học</h2>\n{trend}\n',
            str(self.once("table_open", cls="sb-history")),
            '<thead><tr><th scope="col">Năm học</th><th scope="col">Đơn vị</th><th scope="col">Tổng điểm</th>'
            '<th scope="col">Tỉ lệ</th><th scope="col">Tỉ lệ so với năm trước</th><th scope="col">Xếp loại</th>'
            "</tr></thead><tbody>\n",
        ]
        for h in history:
            current = ' aria-current="true" class="sb-current"' if h["current"] else ""
            total = f"{num(h['total'])}/{num(h['max_total'])}" if h["submitted"] else "—"
            share = f"{num(h['percent'])}%" if h["submitted"] else "—"
            change = escape(self.signed(h["change"])) + ("" if _nan(h["change"]) else " điểm %")
            out.append(
                f'<tr data-period="{escape(h["period"])}"{current}><td class="sb-main">'
                f'<a href="{escape(h["href"])}">{escape(h["title"])}</a></td>'
                f'<td class="sb-full" data-label="Đơn vị">{escape(h["name"])}<br><span class="sb-note">'
                f'{escape(h["parent"])}</span></td><td class="sb-num sb-total" data-label="Tổng điểm">{total}</td>'
                f'<td class="sb-num sb-pct" data-label="Tỉ lệ">{share}</td>'
                f'<td class="sb-num" data-label="So với năm trước">{change}</td>'
                f'<td class="sb-rating" data-label="Xếp loại">{escape(h["rating"] or self.status_label(h["status"]))}</td></tr>\n'
            )
        out.append(f"</tbody>{self.once('table_close')}\n")
        for h in history:
            if h["current"] and h["group_changes"]:
                changes = "".join(
                    f"<li>Nhóm {escape(gid)}. {escape(title)}: {escape(self.signed(delta))}</li>"
                    for gid, title, delta in h["group_changes"]
                )
                out.append(
                    "<p>Thay đổi so với năm học trước, theo nhóm tiêu chí (điểm):</p>\n"
                    f'<ul class="sb-changes">{changes}</ul>\n'
                )
        return "".join(out)


def _nan(value) -> bool:
    """What `value == value` is not (the template's test): NaN."""
    return isinstance(value, float) and math.isnan(value)
