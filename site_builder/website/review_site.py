"""The reviewer's workspace on the site: scoring workbooks to download, where a unit's reviewer
scores come from (file and commit), objections, and the pages of what awaits review.

Kept apart from the page renderer: build.py makes one `ReviewSite`, `install` gives the
pages five functions (used by the include templates `_review_workbook.html` and
`_review_downloads.html`, and by unit pages: unit_html.py), and `write` puts the workbooks and the
review-queue pages into the built site.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from site_builder import objections as objection_data
from site_builder import review_queue
from site_builder import review_workbook as rw
from site_builder.website import review_workbooks
from site_builder.website.file_manifest import Manifest
from site_builder.website.pages import depth_prefix
from site_builder.website.site_writer import SiteWriter

FOLDER = "tai-ve/bang-cham"
MANIFEST_KIND = "workbook-files"  # the manifest of the workbooks in an output folder


@dataclass
class WorkbookLink:
    period: str
    period_title: str
    body: str
    body_name: str
    name: str
    href: str  # site-relative
    made: review_workbooks.Workbook

    @property
    def size(self) -> int:
        return self.made.size


class ReviewSite:
    def __init__(
        self,
        dataset,
        periods,
        clock,
        when: dt.datetime,
        commit: str,
        layout,
        *,
        queue_file: Path | None = None,
        objections_file: Path | None = None,
        cache=None,
        site: Path | None = None,
    ):
        """`cache`: the build cache (None: caching off), where unchanged workbooks come from;
        `site`: the output folder, where a workbook made as before is left as it is."""
        self.dataset, self.periods, self.clock, self.layout = dataset, periods, clock, layout
        self.manifest = Manifest.load(cache, site, MANIFEST_KIND) if site is not None else None

        def in_site(period_id: str, body: str, key: str) -> int | None:
            assert self.manifest is not None and site is not None
            return self.manifest.unchanged(str(site), _href(period_id, body), key)

        made = review_workbooks.make_all(
            dataset, periods, clock, commit, when, cache, in_site if self.manifest is not None else None
        )
        self.workbooks: dict[tuple[str, str], WorkbookLink] = {}
        by_id = {period.id: period for period in periods}
        for (period_id, body), workbook in made.items():
            self.workbooks[(period_id, body)] = WorkbookLink(
                period_id,
                by_id[period_id].title,
                body,
                dataset.registry.period(period_id).body_name(body),
                rw.file_name(period_id, body),
                _href(period_id, body),
                workbook,
            )
        self.queue = review_queue.load(queue_file)
        self.objections, self.objections_fetched = objection_data.load(objections_file, dataset)

    # ------------------------------------------------------------------ template functions
    def install(self, env) -> None:
        env.globals.update(
            review_workbook=self.workbook,
            review_workbooks=self.all_workbooks,
            review_source=self.source,
            review_objections=self.objections_for,
            review_queue_count=self.queue_count,
        )

    def workbook(self, period: str, body: str) -> WorkbookLink | None:
        return self.workbooks.get((period, body))

    def all_workbooks(self) -> list[WorkbookLink]:
        return sorted(self.workbooks.values(), key=lambda w: (w.period, w.body_name), reverse=False)

    def queue_count(self, period: str, body: str) -> int | None:
        return None if self.queue is None else len(self.queue.for_body(period, body))

    def source(self, fact) -> dict | None:
        """Where the unit's reviewer scores are recorded, and the commit that brought them."""
        review = self.dataset.reviews.get((fact.period, fact.unit.id))
        if review is None:
            return None
        version = self.clock.current(review.path) if self.clock.available else None
        commit = None
        if version is not None:
            try:
                commit = self.clock.commit(version.commit)
            except KeyError:
                commit = None
        return {
            "path": review.path,
            "workbook": review.path.lower().endswith(".xlsx"),
            "reviewer": review.reviewer,
            "date": review.date,
            "commit": commit,
            "received": version.received.date if version is not None and version.received else None,
        }

    def objections_for(self, fact) -> list:
        return self.objections.get((fact.period, fact.unit.id), [])

    # ------------------------------------------------------------------ files and pages
    def write(self, writer: SiteWriter, shell, env) -> int:
        """Write the workbooks and the review-queue pages; the number of pages written."""
        for link in self.workbooks.values():
            if self.manifest is not None:
                self.manifest.record(link.href, link.made.key)
            if link.made.data is None:
                writer.keep(link.href, link.size)
            else:
                writer.write(link.href, link.made.data, digest=True)
        template = env.get_template("review_queue.html")
        pages = 0
        root = self.dataset.registry.organization.id
        for period in self.periods:
            registry = self.dataset.registry.period(period.id)
            bodies = [b for b in registry.bodies if registry.children(b)]
            for body in bodies:
                url = queue_url(period.id, body)
                b = depth_prefix(url)
                entries = self.queue.for_body(period.id, body) if self.queue else []
                overview = []
                if body == root and self.queue is not None:
                    overview = [
                        {
                            "id": other,
                            "name": registry.body_name(other),
                            "href": b + queue_url(period.id, other),
                            "count": len(self.queue.for_body(period.id, other)),
                        }
                        for other in bodies
                        if other != root
                    ]
                html = template.render(
                    b=b,
                    period=period,
                    body=body,
                    body_name=registry.body_name(body),
                    queue=self.queue,
                    entries=entries,
                    overview=overview,
                    workbook=self.workbooks.get((period.id, body)),
                    unit_href=lambda unit_id, p=period.id, base=b: base + self.layout.unit(p, unit_id),
                    names={u.id: u.name for u in registry.children(body)},
                )
                writer.write(
                    f"{url.rstrip('/')}/index.html", shell.render(f"Chờ chấm: {registry.body_name(body)}", html)
                )
                pages += 1
        return pages


def _href(period: str, body: str) -> str:
    """Where a body's scoring workbook is in the site."""
    return f"{FOLDER}/{period}/{rw.file_name(period, body)}"


def queue_url(period: str, body: str) -> str:
    return f"{period}/cho-cham/{body}/"
