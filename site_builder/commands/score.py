"""`site-builder score`: print the score table of a period (CSV, JSON or a text table)."""

from __future__ import annotations

import sys

from site_builder.commands import valid_dataset
from site_builder.paths import DataRoot


def register(sub) -> None:
    parser = sub.add_parser("score", help="tính điểm và xếp hạng")
    parser.add_argument("--year", help="năm học (mặc định: năm học mới nhất có bài nộp)")
    parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
    parser.add_argument("--items", action="store_true", help="in điểm từng tiêu chí thay vì tổng của đơn vị")
    parser.set_defaults(run=run)


def run(args) -> int:
    from site_builder import heap
    from site_builder.cli import UsageError

    with heap.importing():
        from site_builder.scoring import score_period

    dataset = valid_dataset(DataRoot(args.root), "Không tính điểm khi dữ liệu còn lỗi.")
    if dataset is None:
        return 1
    period = args.year or latest_period(dataset)
    if period not in dataset.periods:
        raise UsageError(f"không có năm học «{period}». Các năm học: {', '.join(sorted(dataset.periods))}.")
    scores = score_period(dataset, period)
    table = scores.items if args.items else scores.units
    if args.format == "csv":
        sys.stdout.write(table.to_csv(index=False))
    elif args.format == "json":
        sys.stdout.write(table.to_json(orient="records", force_ascii=False, indent=2) + "\n")
    else:
        columns = (
            ["unit", "criterion", "max", "self_score", "reviewer_score", "final"]
            if args.items
            else ["unit", "unit_type", "parent", "total", "max_total", "percent", "rating", "rank_type", "rank_parent"]
        )
        with_pd_options(lambda: sys.stdout.write(table[columns].to_string(index=False) + "\n"))
    return 0


def latest_period(dataset) -> str:
    with_data = sorted({period for period, _unit in dataset.submissions})
    return with_data[-1] if with_data else sorted(dataset.periods)[-1]


def with_pd_options(action):
    import pandas as pd

    with pd.option_context("display.max_rows", None, "display.width", 200):
        action()
