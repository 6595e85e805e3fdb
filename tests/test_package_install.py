"""The package as a Department installs it: a wheel (not an editable install) in a fresh virtual
environment, no source tree beside it, run on a copy of the data folders alone.

The wheel is built from a copy of the files a clone has (tracked and new, links kept as links), so a
stale build/ folder of the working tree cannot slip files into it. Its dependencies are not
downloaded again: the new environment sees the test environment's site-packages through a `.pth`
file (the same locked versions), while the package itself, its schemas, default pages and
templates come only from the wheel. Nothing of the source tree is importable there.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

PROJECT = Path(__file__).resolve().parent.parent
PERIOD = "2023-2024"
BODY = "pgd-binh-thanh"

pytestmark = pytest.mark.slow


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kwargs)
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def clone_files(target: Path) -> None:
    """What `git clone` of the working tree would hold: tracked and untracked, not ignored."""
    listed = run("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", cwd=PROJECT).stdout
    for rel in filter(None, listed.split("\0")):
        source, copy = PROJECT / rel, target / rel
        if not os.path.lexists(source):  # deleted, not yet committed
            continue
        copy.parent.mkdir(parents=True, exist_ok=True)
        if source.is_symlink():
            copy.symlink_to(os.readlink(source))
        else:
            shutil.copy2(source, copy)


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("cai-dat")
    source, dist, venv = work / "nguon", work / "dist", work / "venv"
    clone_files(source)
    run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--quiet",
        "--no-deps",
        "--no-build-isolation",
        "--wheel-dir",
        dist,
        source,
    )
    wheel = next(dist.glob("site_builder-*.whl"))
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])").stdout.strip())
    # The test environment's dependencies, after the new environment's own site-packages: only
    # directories are listed, so the editable install's own .pth (its import hook) is not run there.
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "zz-dependencies.pth").write_text("\n".join(sorted(deps)) + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", "--no-index", wheel)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    env["XDG_CACHE_HOME"] = str(work / "cache")
    return {"work": work, "venv": venv, "python": python, "purelib": purelib, "wheel": wheel, "env": env}


@pytest.fixture(scope="module")
def data_copy(installed) -> Path:
    """The demo's data folders and nothing else: no schema/, mkdocs.yml or docs/ of its own."""
    data = installed["work"] / "du-lieu"
    for folder in ("criteria", "submissions"):
        shutil.copytree(PROJECT / folder, data / folder)
    assert sorted(p.name for p in data.iterdir()) == ["criteria", "submissions"]
    return data


@pytest.fixture(scope="module")
def site(installed, data_copy) -> Path:
    out = installed["work"] / "site"
    result = run(
        installed["venv"] / "bin" / "site-builder",
        "--root",
        data_copy,
        "build",
        "--out",
        out,
        cwd=installed["work"],
        env=installed["env"],
        timeout=900,
    )
    assert "Traceback" not in result.stderr
    return out


def test_the_package_is_imported_from_the_environment_not_the_source(installed):
    code = (
        "import json, site_builder, site_builder.resources as r; "
        "print(json.dumps([site_builder.__file__, str(r.schema_dir()), str(r.docs_dir()), str(r.mkdocs_config())]))"
    )
    files = json.loads(run(installed["python"], "-c", code, cwd=installed["work"], env=installed["env"]).stdout)
    for file in files:
        assert Path(file).is_relative_to(installed["purelib"] / "site_builder"), file
        assert not Path(file).is_relative_to(PROJECT), file
        assert not Path(file).is_symlink(), file  # the wheel carries the files, not the links
    package, schema, docs, config = map(Path, files)
    assert sorted(p.name for p in schema.glob("*.schema.json")) == sorted(
        p.name for p in (PROJECT / "schema").glob("*.schema.json")
    )
    assert (docs / "gioi-thieu.md").read_bytes() == (PROJECT / "docs/gioi-thieu.md").read_bytes()
    assert config.read_bytes() == (PROJECT / "mkdocs.yml").read_bytes()


def test_a_copy_of_the_data_folders_alone_builds_the_site(data_copy, site):
    assert not (data_copy / "schema").exists() and not (data_copy / "docs").exists()
    assert (site / "index.html").is_file()
    assert (site / "gioi-thieu/index.html").is_file()  # the default hand-written pages
    assert (site / "huong-dan/don-vi/index.html").is_file()
    registry = yaml.safe_load((data_copy / f"submissions/units/{PERIOD}/{BODY}.yaml").read_text(encoding="utf-8"))
    submitted = sorted(
        p.stem
        for p in (data_copy / f"submissions/{PERIOD}/{BODY}").glob("*.yaml")
        if not p.name.endswith(".review.yaml")
    )
    unit = next(u for u in registry["units"] if u["id"] == submitted[0])
    page = (site / f"{PERIOD}/don-vi/{unit['id']}/index.html").read_text(encoding="utf-8")
    assert unit["name"] in page


def test_downloads_and_schemas_come_from_the_package(installed, site):
    downloads = site / "tai-ve"
    for suffix in (".csv", ".xlsx", ".json"):
        assert any(p.stat().st_size > 0 for p in downloads.rglob(f"*{PERIOD}*{suffix}")), suffix
    assert json.loads((downloads / "download.schema.json").read_text(encoding="utf-8")) == json.loads(
        (PROJECT / "schema/download.schema.json").read_text(encoding="utf-8")
    )
    for file in sorted((PROJECT / "schema").glob("*.schema.json")):
        published = json.loads((site / "schema" / file.name).read_text(encoding="utf-8"))
        published.pop("$id", None)
        own = json.loads(file.read_text(encoding="utf-8"))
        own.pop("$id", None)
        assert published == own, file.name
    assert list((site / "schema/editor" / PERIOD).glob("*.schema.json"))


def test_init_works_from_the_wheel(installed):
    """`site-builder init` copies the bundled catalogues, schemas, pages and workflows."""
    target = installed["work"] / "kho-moi"
    run(
        installed["venv"] / "bin" / "site-builder",
        "init",
        target,
        "--id",
        "so-gddt-thu-nghiem",
        "--name",
        "Sở Giáo dục và Đào tạo tỉnh Thử Nghiệm",
        "--year",
        "2026-2027",
        cwd=installed["work"],
        env=installed["env"],
        timeout=300,
    )
    for rel in (
        "criteria/2026-2027/year.yaml",
        "schema/submission.schema.json",
        "mkdocs.yml",
        "docs/gioi-thieu.md",
        ".github/workflows/validate.yml",
        "submissions/organization.yaml",
    ):
        assert (target / rel).is_file(), rel
