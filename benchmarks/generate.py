"""Generate data repositories: the bundled demo (files and git history), or large ones for scale tests.

Bundled demo (deterministic, byte-for-byte stable across runs; see demo_data.py)::

    python benchmarks/generate.py --demo --out .              # writes submissions/ of the demo
    python benchmarks/generate.py --demo --out . --clean      # delete submissions/ first (drops leftovers)
    python benchmarks/generate.py --demo --history DIR        # a fresh git repository: the demo's history
    python benchmarks/generate.py --demo --history DIR --until 2021-07-01   # only the history up to a day

  Three school years of an HCMC-like Department (2020-2021 and 2023-2024 with the 22 real district
  offices, 2025-2026 in the two-tier structure), with on-time, late, missing, partial and reviewed
  filings and milestone reports. `--history` replays the same timeline as commits made the way
  GitHub makes them, signed with the demo key that stands in for GitHub's (benchmarks/demo-key/);
  its final tree equals criteria/, schema/ and the bundled submissions/ (needs git and GnuPG).

Scale test (fast, seeded)::

    python benchmarks/generate.py --units 15000 --out /tmp/bench15k [--seed 7] [--periods 2023-2024 ...]
                                  [--flat] [--git] [--force] [--check]

  Per school year a registry: about N/25 district offices with ~24 schools each where the year has
  district offices, commune-level offices (not assessed) with ~24 schools each where it has not;
  ``--flat``: no tier, every unit under the Department. 90% of the units submit in each year, with
  the milestone reports their type owes; 20% of the submissions have reviewer scores. Every unit
  folder holds one shared tiny PDF (hard-linked) cited by all PDF criteria and filed as each
  report. ``criteria/`` and ``schema/`` are copied from this repository.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import shutil
import subprocess
import sys
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.append(str(Path(__file__).resolve().parent.parent))  # site_builder, when not installed

from datagen import (  # noqa: E402
    DEPARTMENT_ID,
    PDF,
    REPO_ROOT,
    REPORTS_FOLDER,
    RegistryFile,
    Review,
    Submission,
    Unit,
    link_evidence,
    load_criteria,
    load_period,
    minimal_pdf,
    render_organization,
    render_registry,
    render_review,
    render_submission,
    written_criteria,
)

# --------------------------------------------------------------------------------------------
# Demo
# --------------------------------------------------------------------------------------------


def write_files(out: Path, files: dict[str, bytes]) -> None:
    """Write files, leaving identical ones untouched so mtimes and git stay quiet on reruns."""
    for rel, data in files.items():
        path = out / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def stray_files(out: Path, generated: Iterable[str]) -> list[str]:
    """Files under submissions/ that this run did not produce (left over from an older demo)."""
    known = set(generated)
    root = out / "submissions"
    if not root.is_dir():
        return []
    return sorted(
        p.relative_to(out).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.relative_to(out).as_posix() not in known
    )


def run_demo(out: Path | None, history: Path | None, until: datetime.datetime | None, seed: str, clean: bool) -> None:
    import demo_data

    demo = demo_data.build_demo(seed)
    if out is not None:
        files = demo.files()
        if clean and (out / "submissions").is_dir():
            shutil.rmtree(out / "submissions")
        write_files(out, files)
        for path in stray_files(out, files):
            print(f"warning: {path} is not part of the demo (use --clean to remove leftovers)", file=sys.stderr)
    print(demo_data.summary(demo))
    if history is not None:
        started = time.perf_counter()
        replayed = replay_demo(demo, history, until)
        print(
            f"history: {len(replayed.log)} commits in {history}, main at {replayed.main.hex()} "
            f"({time.perf_counter() - started:.1f} s)"
        )


def replay_demo(demo, target: Path, until: datetime.datetime | None = None):
    """The demo's history in a fresh repository at `target`, signed with the demo key."""
    import demo_data
    import demo_history

    from site_builder.testing_git import Signer

    with Signer.load(demo_data.KEY_DIR / f"{demo_data.KEY_NAME}.secret.asc") as signer:
        return demo_history.replay(demo, target, signer, until)


# --------------------------------------------------------------------------------------------
# Scale test
# --------------------------------------------------------------------------------------------

SCALE_PDF = "minh-chung.pdf"
SCALE_NOTE = "Một số nội dung chưa thực hiện thường xuyên."
SCALE_COMMENT = "Minh chứng chưa thể hiện đầy đủ nội dung của tiêu chí."


def scale_registries(period: str, n_units: int, flat: bool) -> dict[str, RegistryFile]:
    """N units of one school year. ~N/25 bodies of ~24 schools each: district offices (themselves
    assessed) when the year has a catalogue for them, else commune-level offices (not assessed);
    the rest THPT/GDTX under the Department. `flat`: no tier, every unit under the Department."""
    department = RegistryFile(period, DEPARTMENT_ID, ["sgd-bench-reviewer", "sgd-bench-reviewer-2"], [])
    registries = {DEPARTMENT_ID: department}
    bodies = 0 if flat else n_units // 25
    offices = "phong-gddt" in load_criteria(period)
    for i in range(1, bodies + 1):
        area = f"Quận Demo {i}" if offices else f"Phường Demo {i}"
        body = f"pgd-bench-{i:04d}" if offices else f"vhxh-bench-{i:04d}"
        if offices:
            department.units.append(
                Unit(
                    body,
                    f"Phòng Giáo dục và Đào tạo {area}",
                    "phong-gddt",
                    DEPARTMENT_ID,
                    area,
                    editors=[f"{body}-editor"],
                )
            )
        registries[body] = RegistryFile(
            period,
            body,
            [f"{body}-reviewer"],
            [
                Unit(
                    f"thcs-bench-{i:04d}-{j:02d}",
                    f"Trường THCS Demo số {j} – {area}",
                    "truong-pho-thong",
                    body,
                    area,
                    "THCS",
                    [f"thcs-bench-{i:04d}-{j:02d}-editor"],
                )
                for j in range(1, 25)
            ],
            name="" if offices else f"Phòng Văn hoá – Xã hội phường Demo {i} (dữ liệu kiểm thử)",
            parent="" if offices else DEPARTMENT_ID,
        )
    assessed_bodies = bodies if offices else 0
    for k in range(1, n_units - 24 * bodies - assessed_bodies + 1):
        if k % 6 == 0:
            unit_id, name, kind, level = f"gdtx-bench-{k:05d}", f"Trung tâm GDTX Demo số {k}", "trung-tam-gdtx", None
        else:
            level = "Nhiều cấp học" if k % 10 == 1 else "THPT"
            unit_id, name, kind = f"thpt-bench-{k:05d}", f"Trường THPT Demo số {k}", "truong-pho-thong"
        department.units.append(
            Unit(unit_id, name, kind, DEPARTMENT_ID, f"Quận Demo {k % 24 + 1}", level, [f"{unit_id}-editor"])
        )
    return registries


def scale_submission(rng: random.Random, period: str, unit: Unit) -> Submission:
    """A complete sheet with random 0.5-step scores; every PDF criterion points at the shared PDF."""
    scores, evidence, notes = {}, {}, {}
    for crit in written_criteria(period, unit.type):
        value = min(crit.max, rng.randint(int(crit.max), int(crit.max * 2) + 2) / 2)
        scores[crit.id] = value
        if value > 0 and crit.evidence:
            evidence[crit.id] = [SCALE_PDF] if crit.evidence == PDF else [link_evidence(unit, crit.evidence)]
        if value < crit.max:
            notes[crit.id] = SCALE_NOTE
    return Submission(unit, period, scores, evidence, notes)


def scale_review(rng: random.Random, sub: Submission, reviewers: list[str], date: str) -> Review:
    """The self-scores with one criterion lowered by 0.5, so reviewed totals differ from self totals."""
    scores = dict(sub.scores)
    cid = rng.choice(list(scores))
    scores[cid] = max(0.0, scores[cid] - 0.5)
    return Review(rng.choice(reviewers), date, scores, {cid: SCALE_COMMENT})


def write_text(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        handle.write(unicodedata.normalize("NFC", text))


def run_scale(out: Path, n_units: int, seed: str, periods: list[str], flat: bool, use_git: bool) -> None:
    """Write the scale-test repository and print how long it took (and git, separately)."""
    started = time.perf_counter()
    unknown = [p for p in periods if not (REPO_ROOT / "criteria" / p / "year.yaml").is_file()]
    if unknown:
        raise SystemExit(f"no criteria/<period>/year.yaml for {', '.join(unknown)}")
    for name in ("criteria", "schema"):
        shutil.copytree(REPO_ROOT / name, out / name, dirs_exist_ok=True)
    os.makedirs(out / "submissions", exist_ok=True)
    write_text(
        str(out / "submissions" / "organization.yaml"),
        render_organization(
            "Sở Giáo dục và Đào tạo (dữ liệu kiểm thử tải)",
            ["sgd-bench-reviewer", "sgd-bench-reviewer-2"],
            ["sgd-bench-admin"],
            demo=True,
        ),
    )
    # The single commit is dated the day before the earliest deadline; reviews carry that date too.
    commit_day = min(load_period(p).deadline for p in periods) - datetime.timedelta(days=1)
    rng = random.Random(seed)
    counts, registry_files, units = [], 0, 0
    for period in periods:
        registries = scale_registries(period, n_units, flat)
        os.makedirs(out / "submissions" / "units" / period, exist_ok=True)
        for registry in registries.values():
            write_text(str(out / registry.path), render_registry(registry))
        registry_files += len(registries)
        units = max(units, sum(len(r.units) for r in registries.values()))
        counts.append(write_scale_period(out, rng, period, registries, commit_day.isoformat()))
    print(
        f"generated {units} units in {registry_files} registry files, periods {', '.join(periods)}: "
        f"{sum(c[0] for c in counts)} submissions (one PDF each), {sum(c[1] for c in counts)} reports, "
        f"{sum(c[2] for c in counts)} reviews in {time.perf_counter() - started:.1f} s"
    )
    if use_git:
        started = time.perf_counter()
        commit_everything(out, f"{commit_day.isoformat()}T18:00:00+07:00")
        print(f"git init + add + commit in {time.perf_counter() - started:.1f} s")


def write_scale_period(
    out: Path, rng: random.Random, period: str, registries: dict[str, RegistryFile], review_date: str
) -> tuple[int, int, int]:
    """One year: 90% of the units submit (with ~90% of their owed reports), 20% are reviewed."""
    milestones = load_period(period).milestones
    submitted = reports = reviewed = 0
    pdf_source = None
    for registry in registries.values():
        folder = out / "submissions" / period / registry.body
        os.makedirs(folder, exist_ok=True)
        for unit in registry.units:
            if rng.random() >= 0.9:
                continue
            sub = scale_submission(rng, period, unit)
            base = str(folder / unit.id)
            write_text(base + ".yaml", render_submission(sub))
            os.makedirs(base, exist_ok=True)
            pdf_source = link_or_write(pdf_source, base + "/" + SCALE_PDF)
            for milestone in milestones:
                if milestone.owed(unit.type) and (milestone.id == "ke-hoach" or rng.random() < 0.9):
                    os.makedirs(f"{base}/{REPORTS_FOLDER}/{milestone.id}", exist_ok=True)
                    pdf_source = link_or_write(pdf_source, f"{base}/{REPORTS_FOLDER}/{milestone.id}/{milestone.id}.pdf")
                    reports += 1
            submitted += 1
            if rng.random() < 0.2:
                write_text(
                    base + ".review.yaml", render_review(sub, scale_review(rng, sub, registry.reviewers, review_date))
                )
                reviewed += 1
    return submitted, reports, reviewed


def link_or_write(source: str | None, target: str) -> str:
    """Hard-link the one shared PDF (same bytes everywhere, one inode); copy if linking fails."""
    if source is None:
        with open(target, "wb") as handle:
            handle.write(minimal_pdf(["TAI LIEU MINH HOA - benchmark - " + SCALE_PDF]))
        return target
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
    return source


def commit_everything(out: Path, date: str) -> None:
    """One commit of the whole tree, dated before the (earliest) deadline."""
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Dữ liệu kiểm thử",
        "GIT_AUTHOR_EMAIL": "kiem-thu@example.invalid",
        "GIT_COMMITTER_NAME": "Dữ liệu kiểm thử",
        "GIT_COMMITTER_EMAIL": "kiem-thu@example.invalid",
        "GIT_AUTHOR_DATE": date,
        "GIT_COMMITTER_DATE": date,
    }
    if not (out / ".git").exists():
        subprocess.run(["git", "init", "--quiet", "--initial-branch=main"], cwd=out, check=True)
    subprocess.run(["git", "add", "-A"], cwd=out, env=env, check=True)
    subprocess.run(
        ["git", "commit", "--quiet", "--no-gpg-sign", "-m", "Dữ liệu kiểm thử tải (sinh tự động)"],
        cwd=out,
        env=env,
        check=True,
    )


# --------------------------------------------------------------------------------------------
# --check: read back what was written and verify the generator's own invariants
# --------------------------------------------------------------------------------------------


def check_tree(out: Path, sample_every: int = 1) -> list[str]:
    """Parse the registries and (every n-th) submission and review; return the problems found.

    Not a replacement for the project's validator: it guards the generator itself (valid YAML,
    scores within max and on the 0.5 step, evidence present and existing, reviewers allowed,
    one PDF per report folder)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    problems = []
    units: dict[tuple[str, str], tuple[dict, str, list[str]]] = {}  # (period, id) -> (entry, body, reviewers)
    for reg_path in sorted((out / "submissions/units").glob("*/*.yaml")):
        reg = yaml.load(reg_path.read_text(encoding="utf-8"), Loader=loader)
        if reg["body"] != reg_path.stem:
            problems.append(f"{reg_path}: body differs from file name")
        for unit in reg["units"]:
            units[(reg_path.parent.name, unit["id"])] = (unit, reg["body"], unit.get("reviewers", reg["reviewers"]))
    for n, path in enumerate(sorted((out / "submissions").glob("*/*/*.yaml"))):
        if path.parts[-3] in ("units", "keys") or n % sample_every:
            continue
        problems += check_file(path, yaml.load(path.read_text(encoding="utf-8"), Loader=loader), units)
    for folder in sorted((out / "submissions").glob(f"*/*/*/{REPORTS_FOLDER}/*")):
        if len([p for p in folder.iterdir() if p.suffix == ".pdf"]) != 1:
            problems.append(f"{folder}: a report folder holds exactly one PDF")
    return problems


def check_file(path: Path, doc: dict, units: dict) -> list[str]:
    """Invariants of one submission or review file."""
    period, body, name = path.parts[-3], path.parts[-2], path.name
    unit_id = name.removesuffix(".review.yaml").removesuffix(".yaml")
    unit, registered_body, reviewers = units.get((period, unit_id), (None, None, ()))
    if unit is None or registered_body != body or doc["don_vi"] != unit_id or doc["nam_hoc"] != period:
        return [f"{path}: unit, body or period does not match the registry/path"]
    maxima = {c.id: c for c in written_criteria(period, unit["type"])}
    key = "diem_cham" if name.endswith(".review.yaml") else "diem_tu_cham"
    problems = []
    if key == "diem_cham" and doc["nguoi_cham"] not in reviewers:
        problems.append(f"{path}: {doc['nguoi_cham']} is not a reviewer of {unit_id}")
    for cid, entry in doc["tieu_chi"].items():
        crit, value = maxima.get(cid), entry[key]
        if crit is None or not (0 <= value <= crit.max) or (value * 2) % 1:
            problems.append(f"{path}: {cid} = {value} is not a valid score")
            continue
        if key == "diem_tu_cham" and value > 0 and crit.evidence:
            items = entry.get("minh_chung", [])
            pdfs = [i for i in items if i.endswith(".pdf") and (path.parent / unit_id / i).is_file()]
            links = [i for i in items if i.startswith(unit["website"])]
            if not (pdfs if crit.evidence == PDF else links):
                problems.append(f"{path}: {cid} lacks its {crit.evidence} evidence")
    return problems


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def moment(text: str) -> datetime.datetime:
    """A day (end of that day) or a time, in Vietnam's time zone."""
    vietnam = datetime.timezone(datetime.timedelta(hours=7))
    if len(text) == 10:
        return datetime.datetime.fromisoformat(text).replace(hour=23, minute=59, second=59, tzinfo=vietnam)
    found = datetime.datetime.fromisoformat(text)
    return found if found.tzinfo else found.replace(tzinfo=vietnam)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--demo", action="store_true", help="the bundled demo: its files (--out) and/or history")
    mode.add_argument("--units", type=int, metavar="N", help="write a scale-test repository of N units")
    parser.add_argument("--out", type=Path, help="repository root to write the files into")
    parser.add_argument("--history", type=Path, metavar="DIR", help="demo: replay the history into a fresh repository")
    parser.add_argument("--until", type=moment, metavar="DATE", help="demo: replay only up to this day or time")
    parser.add_argument("--seed", help="random seed (demo default: demo_data.DEMO_SEED; scale default: 1)")
    parser.add_argument("--periods", nargs="+", default=["2023-2024"], help="scale test: school years to fill")
    parser.add_argument("--flat", action="store_true", help="scale test: no reviewing tier")
    parser.add_argument("--git", action="store_true", help="scale test: git init and one commit")
    parser.add_argument("--force", action="store_true", help="scale test: allow a non-empty --out")
    parser.add_argument("--clean", action="store_true", help="demo: delete --out/submissions first")
    parser.add_argument("--check", action="store_true", help="read the output back and check it")
    args = parser.parse_args(argv)
    if args.demo and args.out is None and args.history is None:
        parser.error("--demo needs --out DIR (the files) or --history DIR (the git history), or both")
    if args.units is not None and args.out is None:
        parser.error("--units needs --out DIR")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    out = args.out.resolve() if args.out else None
    if args.demo:
        import demo_data

        run_demo(
            out,
            args.history.resolve() if args.history else None,
            args.until,
            args.seed or demo_data.DEMO_SEED,
            args.clean,
        )
    else:
        if out.exists() and any(out.iterdir()) and not args.force:
            raise SystemExit(f"{out} is not empty (use --force to write into it anyway)")
        out.mkdir(parents=True, exist_ok=True)
        periods = [p for item in args.periods for p in item.split(",") if p]
        run_scale(out, args.units, args.seed or "1", periods, args.flat, args.git)
    if args.check and out is not None:
        problems = check_tree(out, sample_every=1 if args.demo else 10)
        print("\n".join(problems) if problems else "check: no problems found")
        return 1 if problems else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())
