"""Evidence PDFs: active content refused with a Vietnamese message naming the file, the page
limit checked before the pages are read, verdicts cached by content across runs, names in NFC."""

from __future__ import annotations

import hashlib
import json
import pickle
import time
import unicodedata
from pathlib import Path

import pytest

from site_builder import evidence, pdf_safety, verdict_cache
from site_builder.paths import DataRoot
from site_builder.validate import validate_paths
from tests import hostile_pdfs
from tests.datarepo import dump, make_repo, pdf_bytes, school_submission, write
from tests.test_pr_flow import cli

UNIT = "submissions/2023-2024/pgd-quan-1/thcs-demo-a"

ACTIVE = {
    "open_action_javascript": ("javascript", "mã JavaScript"),
    "document_javascript": ("javascript", "mã JavaScript"),
    "open_action_uri": ("open-action", "lệnh tự chạy khi mở tệp"),
    "launch_link": ("launch", "lệnh mở chương trình hoặc tệp khác"),
    "page_additional_action": ("auto-action", "lệnh tự chạy khi mở trang"),
    "embedded_file": ("embedded", "tệp khác đính kèm bên trong"),
    "xfa_form": ("xfa", "biểu mẫu XFA"),
    "rich_media": ("richmedia", "nội dung đa phương tiện"),
    "indirect_action_type": ("javascript", "mã JavaScript"),
}


@pytest.fixture(autouse=True)
def fresh_verdicts():
    """Each test sees the rules at work, not a verdict remembered from another test."""
    evidence._VERDICTS.clear()
    previous = verdict_cache.folder()
    verdict_cache.configure(None)
    yield
    evidence._VERDICTS.clear()
    verdict_cache.configure(previous)


def root_with_evidence(tmp_path: Path, data: bytes, name: str = "ke-hoach-cntt.pdf") -> Path:
    root = make_repo(tmp_path / "repo")
    write(root / UNIT / name, data)
    submission = school_submission("thcs-demo-a", "2023-2024")
    for entry in submission["tieu_chi"].values():
        if "minh_chung" in entry:
            entry["minh_chung"] = [name]
    write(root / f"{UNIT}.yaml", dump(submission))
    if name != "ke-hoach-cntt.pdf":
        (root / UNIT / "ke-hoach-cntt.pdf").unlink()
    return root


def problems_of(root: Path):
    return validate_paths(DataRoot(root), [f"{UNIT}.yaml"]).problems


@pytest.mark.parametrize("maker", sorted(ACTIVE))
def test_active_content_is_refused_with_a_message_that_names_the_file(tmp_path, maker):
    kind, words = ACTIVE[maker]
    assert pdf_safety.inspect(getattr(hostile_pdfs, maker)()) == pdf_safety.Verdict("pdf-active-content", kind)
    problems = problems_of(root_with_evidence(tmp_path, getattr(hostile_pdfs, maker)()))
    refused = [p for p in problems if p.code == "pdf-active-content"]
    assert refused and all(p.is_error for p in refused)
    assert refused[0].message == (
        f"tệp «ke-hoach-cntt.pdf» chứa {messages_label(kind)}; tệp như vậy không an toàn để đăng công khai."
    )
    assert words in refused[0].message
    assert "in lại thành PDF" in refused[0].fix and "Microsoft Print to PDF" in refused[0].fix


def messages_label(kind: str) -> str:
    from site_builder.messages import PDF_ACTIVE_KINDS

    return PDF_ACTIVE_KINDS[kind]


def test_ordinary_exports_with_web_links_are_accepted(tmp_path):
    assert pdf_safety.inspect(hostile_pdfs.harmless_links()).ok
    assert not [p for p in problems_of(root_with_evidence(tmp_path, hostile_pdfs.harmless_links())) if p.is_error]


def test_the_page_limit(tmp_path):
    assert pdf_safety.inspect(hostile_pdfs.pages(pdf_safety.MAX_PAGES)).ok
    assert pdf_safety.inspect(hostile_pdfs.pages(pdf_safety.MAX_PAGES + 1)) == pdf_safety.Verdict(
        "pdf-too-many-pages", str(pdf_safety.MAX_PAGES + 1)
    )
    # a page tree that says "1 page" over 600 is counted, not believed
    assert pdf_safety.inspect(hostile_pdfs.lying_page_count(600)) == pdf_safety.Verdict("pdf-too-many-pages")
    problems = problems_of(root_with_evidence(tmp_path, hostile_pdfs.lying_page_count(600)))
    assert any(
        p.message == "tệp «ke-hoach-cntt.pdf» có hơn 500 trang, vượt quá 500 trang cho phép của một tệp minh chứng."
        for p in problems
    )


@pytest.mark.slow
def test_a_hundred_thousand_pages_are_refused_before_the_pages_are_read():
    import resource

    data = hostile_pdfs.pages(100_000)
    assert len(data) < evidence.MAX_PDF_BYTES  # within the size limit: only the page limit stops it
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.process_time()  # CPU time: the machine running the tests may be busy
    verdict = pdf_safety.inspect(data)
    cpu = time.process_time() - started
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert verdict == pdf_safety.Verdict("pdf-too-many-pages", "100000")
    # reading every page took 7-29 s and 270-340 MB; the cross-reference table alone is ~1 CPU-s
    assert cpu < 8, cpu
    assert grown_mb < 150, grown_mb


def test_verdicts_are_kept_by_content_and_rules_across_runs(tmp_path):
    cache = tmp_path / "cache"
    verdict_cache.configure(cache)
    data = hostile_pdfs.launch_link()
    digest = __import__("hashlib").sha256(data).hexdigest()
    assert evidence.pdf_verdict(digest, data).detail == "launch"
    stored = list(cache.glob(f"pdf-*/{digest[:2]}/{digest}.json"))
    assert len(stored) == 1 and json.loads(stored[0].read_text()) == {"code": "pdf-active-content", "detail": "launch"}
    assert (cache / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
    # a new run (empty memory) reads the stored verdict instead of parsing: a planted one shows it
    evidence._VERDICTS.clear()
    stored[0].write_text(json.dumps({"code": "pdf-empty", "detail": ""}), encoding="utf-8")
    assert evidence.pdf_verdict(digest, data).code == "pdf-empty"
    # a corrupt entry is ignored and replaced
    evidence._VERDICTS.clear()
    stored[0].write_text("{không phải json", encoding="utf-8")
    assert evidence.pdf_verdict(digest, data).detail == "launch"
    assert json.loads(stored[0].read_text())["detail"] == "launch"
    # another rule set never reads these verdicts
    assert stored[0].parent.parent.name == f"pdf-{evidence._rules()}"
    assert verdict_cache.get("khac", digest) is None


def test_the_command_line_keeps_verdicts_in_the_users_cache_or_where_told(tmp_path):
    root = root_with_evidence(tmp_path, pdf_bytes("kế hoạch"))
    home = {"XDG_CACHE_HOME": str(tmp_path / "home-cache")}
    first = cli(root, "validate", f"{UNIT}.yaml", env=home)
    assert first.returncode == 0, first.stdout
    entries = list((tmp_path / "home-cache/site-builder/pdf").glob("pdf-*/*/*.json"))
    assert len(entries) == 1
    assert not (root / ".cache").exists()
    entries[0].write_text(json.dumps({"code": "pdf-encrypted", "detail": ""}), encoding="utf-8")
    second = cli(root, "validate", f"{UNIT}.yaml", env=home)
    assert second.returncode == 1 and "có mật khẩu hoặc bị mã hoá" in second.stdout
    assert cli(root, "--no-cache", "validate", f"{UNIT}.yaml", env=home).returncode == 0
    elsewhere = tmp_path / "noi-khac"
    assert cli(root, "--cache-dir", str(elsewhere), "validate", f"{UNIT}.yaml", env=home).returncode == 0
    assert len(list(elsewhere.glob("pdf-*/*/*.json"))) == 1


def test_a_verdict_committed_into_the_data_folder_is_not_read(tmp_path):
    """A pull request can commit files .gitignore names (`git add -f`), and its checkout is the
    data folder the check validates: a verdict planted in the data folder's .cache/ (where the
    cache once was) must not make a dangerous PDF pass."""
    dangerous = hostile_pdfs.open_action_javascript()
    root = root_with_evidence(tmp_path, dangerous)
    digest = hashlib.sha256(dangerous).hexdigest()
    planted = root / f".cache/site-builder/pdf-{evidence._rules()}/{digest[:2]}/{digest}.json"
    write(planted, json.dumps({"code": "", "detail": ""}).encode("utf-8"))
    home = {"XDG_CACHE_HOME": str(tmp_path / "home-cache")}
    found = cli(root, "validate", f"{UNIT}.yaml", env=home)
    assert found.returncode == 1 and "JavaScript" in found.stdout, found.stdout
    told = cli(root, "--cache-dir", str(root / ".cache/site-builder"), "validate", f"{UNIT}.yaml", env=home)
    assert told.returncode == 0, "the planted verdict is the one a folder given explicitly holds"


def test_a_file_named_in_nfd_on_disk_is_the_file_the_yaml_names(tmp_path):
    nfc = "báo-cáo-kế-hoạch.pdf"
    root = root_with_evidence(tmp_path, pdf_bytes(), name=nfc)
    (root / UNIT / nfc).rename(root / UNIT / unicodedata.normalize("NFD", nfc))
    assert (root / UNIT / unicodedata.normalize("NFD", nfc)).exists() and not (root / UNIT / nfc).exists()
    problems = problems_of(root)
    assert not problems, problems  # found, and not reported as an unused upload either


def test_a_close_name_is_suggested_and_case_is_only_mentioned_when_it_is_the_difference(tmp_path):
    root = root_with_evidence(tmp_path, pdf_bytes(), name="Ke-Hoach.pdf")
    finding = evidence.check_file("ke-hoach.pdf", root / UNIT, "thcs-demo-a")
    assert (
        finding.fix
        == "Trong thư mục có tệp «Ke-Hoach.pdf»: có phải bạn muốn ghi tên này? (Tên tệp phân biệt chữ hoa, chữ thường.)"
    )
    finding = evidence.check_file("Ke-Hoach-2.pdf", root / UNIT, "thcs-demo-a")
    assert finding.fix == "Trong thư mục có tệp «Ke-Hoach.pdf»: có phải bạn muốn ghi tên này?"
    finding = evidence.check_file("Ke-Hoach-2.pdf", root / UNIT, "thcs-demo-a", suggest=False)
    assert finding.fix.startswith("Hãy tải tệp lên thư mục của đơn vị")


def test_terminal_output_shows_control_characters_as_escapes(tmp_path):
    root = root_with_evidence(tmp_path, pdf_bytes())
    submission = school_submission("thcs-demo-a", "2023-2024")
    submission["tieu_chi"]["1.2"]["minh_chung"] = ["tệp\x1b[2J\x1b[31mgiả.pdf"]
    write(root / f"{UNIT}.yaml", dump(submission))
    result = cli(root, "validate", f"{UNIT}.yaml")
    assert result.returncode == 1
    assert "\x1b" not in result.stdout
    assert "\\x1b[2J" in result.stdout


def test_a_build_gathers_the_verdicts_into_one_table_later_runs_read_first(tmp_path):
    folder = tmp_path / "verdicts"
    digests = [hashlib.sha256(str(n).encode("utf-8")).hexdigest() for n in range(3)]
    verdict_cache.configure(folder)
    try:
        for digest in digests[:2]:
            verdict_cache.put("r", digest, {"code": "", "detail": digest[:4]})
        verdict_cache.keep("r", digests)  # the third has no verdict: none is made up
        without = pickle.loads((folder / "pdf-r" / verdict_cache.WITHOUT).read_bytes())
        assert without == {digests[2]: None}  # noted, not looked for by the next gathering
        verdict_cache.put("r", digests[2], {"code": "", "detail": "sau"})
        verdict_cache.keep("r", digests)
        assert set(verdict_cache._table("r")) == set(digests[:2])  # the table only spares a file read
        assert verdict_cache.get("r", digests[2]) == {"code": "", "detail": "sau"}  # which is still read
        verdict_cache.put("r", digests[2], {"code": "", "detail": digests[2][:4]})
        other = hashlib.sha256(b"khac").hexdigest()
        verdict_cache.keep("r", [other])  # a build that no longer knows digests[2]: its note goes
        assert pickle.loads((folder / "pdf-r" / verdict_cache.WITHOUT).read_bytes()) == {other: None}
        verdict_cache.keep("r", digests)
        for single in folder.glob("pdf-r/*/*.json"):
            single.unlink()
        verdict_cache.configure(folder)  # as a new process finds it
        assert [verdict_cache.get("r", d) for d in digests] == [
            {"code": "", "detail": digests[0][:4]},
            {"code": "", "detail": digests[1][:4]},
            {"code": "", "detail": digests[2][:4]},
        ]
        assert verdict_cache.get("khac", digests[0]) is None  # another rule set, another table
        (folder / "pdf-r" / verdict_cache.TABLE).write_bytes(b"\x80\x05 cut")
        verdict_cache.configure(folder)
        assert verdict_cache.get("r", digests[0]) is None  # a damaged table is no verdict
    finally:
        verdict_cache.configure(None)


@pytest.mark.parametrize(
    "name, pdf",
    [
        ("bao-cao.pdf", True),
        ("BAO-CAO.PDF", True),
        ("a.Pdf", True),
        ("..pdf", True),
        (".pdf", False),
        ("bao-cao.pdf.docx", False),
        ("bao-cao.", False),
        ("pdf", False),
        ("bao-cao_pdf", False),
    ],
)
def test_a_pdf_name_is_told_as_pathlib_tells_its_suffix(name, pdf):
    from pathlib import Path

    assert evidence.has_pdf_suffix(name) is pdf
    assert (Path(name).suffix.lower() == ".pdf") is pdf


def test_an_evidence_file_is_asked_for_its_status_twice(tmp_path, monkeypatch):
    """Once to find it as spelled, once while looking for links: that answer is its status (each
    of 28,000 files at 15,000 units was asked three times, four with a build cache)."""
    root = root_with_evidence(tmp_path, pdf_bytes())
    file = str(root / UNIT / "ke-hoach-cntt.pdf")
    asked = []
    for name in ("stat", "lstat"):
        real = getattr(evidence.os, name)

        def counted(path, *args, real=real, **kwargs):
            if str(path) == file:
                asked.append(path)
            return real(path, *args, **kwargs)

        monkeypatch.setattr(evidence.os, name, counted)
    assert evidence.check_file("ke-hoach-cntt.pdf", root / UNIT, "thcs-demo-a").ok
    assert len(asked) == 2


def test_a_link_within_the_unit_folder_is_read_and_a_folder_linked_from_outside_is_refused(tmp_path):
    root = root_with_evidence(tmp_path, pdf_bytes())
    unit = root / UNIT
    (unit / "ban-sao.pdf").symlink_to("ke-hoach-cntt.pdf")
    assert evidence.check_file("ban-sao.pdf", unit, "thcs-demo-a").ok
    outside = tmp_path / "ngoai"
    write(outside / "tai-lieu.pdf", pdf_bytes())
    (unit / "thu-muc").symlink_to(outside, target_is_directory=True)
    finding = evidence.check_file("thu-muc/tai-lieu.pdf", unit, "thcs-demo-a")
    assert not finding.ok and "symlink" in finding.message
