"""The received-time rule on real repositories made the way GitHub makes them, with a test key
standing in for GitHub's web-flow key: forged dates and names, every merge method, versions,
keys that expire or are revoked, hostile commit objects, odd paths, and the cases without history."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.clock import VIETNAM, read_clock
from site_builder.testing_git import GITHUB, REVIEWER, UNIT, Repo, Signer

DEADLINE = dt.date(2024, 6, 7)
A = "submissions/2023-2024/pgd-quan-1/thcs-a.yaml"
PDF = "submissions/2023-2024/pgd-quan-1/thcs-a/ke-hoach.pdf"


def at(text: str) -> dt.datetime:
    """A Vietnamese wall-clock time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=VIETNAM)


def seconds(text: str) -> int:
    return int(at(text).timestamp())


@pytest.fixture
def repo(tmp_path, github):
    made = Repo(tmp_path / "repo")
    made.commit(
        "Khởi tạo kho",
        {"README.md": "kho\n", "submissions/units/pgd-quan-1.yaml": "parent: pgd-quan-1\n"},
        author=REVIEWER,
        author_time=at("2024-05-01T08:00"),
        signer=github,
        signed_at=at("2024-05-01T08:00"),
    )
    return made


def clock_of(repo, trusted, **kwargs):
    clock = read_clock(repo.path, trusted, **kwargs)
    assert clock.available, clock.reason
    return clock


# -- forged dates and names ---------------------------------------------------------------------


@pytest.mark.parametrize("forged", ["2024-01-01T00:00", "2031-12-31T23:59"], ids=["earlier", "later"])
def test_forged_dates_of_unsigned_proposal_commits_are_ignored(repo, github, trusted, forged):
    repo.checkout("nop-bai")
    stub = repo.commit("nộp", {A: "don_vi: thcs-a\n"}, author_time=at(forged), committer_time=at(forged))
    repo.checkout("main")
    merge = repo.merge("nop-bai", when=at("2024-06-09T10:00"), signer=github)
    clock = clock_of(repo, trusted)
    version = clock.current(A)
    assert version.received.timestamp == seconds("2024-06-09T10:00")
    assert version.received.commit == merge and version.commit == stub
    assert version.received.day == dt.date(2024, 6, 9) and version.received.day > DEADLINE
    assert clock.commit(stub).committer_timestamp == seconds(forged)  # shown, never used
    # What cache keys digest of the path: its blob at HEAD and each version's blob, introducing
    # commit and received moment.
    assert clock.state(A) == (version.blob, ((version.blob, stub, seconds("2024-06-09T10:00"), merge),))
    assert clock.state("submissions/khong-co.yaml") == (None, ())
    assert clock.commit(stub).vouched is None and clock.commit(merge).vouched.commit == merge


def test_web_editor_commit_before_the_deadline_merged_after_it_is_on_time(repo, github, trusted):
    edit = repo.web_edit("patch-1", {A: "don_vi: thcs-a\n"}, when=at("2024-06-05T16:00"), signer=github)
    merge = repo.merge("patch-1", when=at("2024-06-12T09:00"), signer=github)
    clock = clock_of(repo, trusted)
    version = clock.current(A)
    assert version.received.commit == edit and version.commit == edit
    assert version.received.date == at("2024-06-05T16:00") and version.received.day <= DEADLINE
    assert clock.latest().commit == merge


@pytest.mark.parametrize(
    "name",
    [
        "Tên\x1e0123456789abcdef0123456789abcdef01234567\x1fX\x1f1500000000",
        "Dấu\x1fphân\x1ecách",
        "Trường THCS Nguyễn Du",
    ],
)
def test_odd_author_names_from_git_move_nothing(repo, github, trusted, name):
    repo.checkout("pr")
    sha = repo.commit(
        "nộp",
        {A: "x: 1\n"},
        author=(name, "a@example.invalid"),
        committer=(name, "a@example.invalid"),
        author_time=at("2020-01-01T00:00"),
    )
    repo.checkout("main")
    repo.merge("pr", when=at("2024-06-09T10:00"), signer=github, author=(name, "a@example.invalid"))
    clock = clock_of(repo, trusted)
    assert clock.current(A).received.timestamp == seconds("2024-06-09T10:00")
    assert "\x1e" not in clock.commit(sha).author and "\x1f" not in clock.commit(sha).author
    assert clock.commit(sha).author.replace("\ufffd", "") == name.replace("\x1e", "").replace("\x1f", "")


HOSTILE = {
    "separators": b"author A\x1e%(parent)s\x1fB\x1f1000000000 <a@b> 1000000000 +0700\n"
    b"committer C\x1f\x1e <c@d> 1000000000 +0700\n",
    "newline in name": b"author A\n Bx <a@b> 1 +0700\ncommitter C\n\x1e1 <c@d> 1 +0700\n",
    "invalid utf-8 and NUL": b"author \xff\xfe\x00\xc3 <a@b> 1 +0700\ncommitter \xc0\xaf <c@d> 2 +0700\n",
    "huge timestamp": b"author A <a@b> 99999999999999999999999 +0700\ncommitter C <c@d> 99999999999999999999 +9999\n",
    "negative timestamp": b"author A <a@b> -1000 +0700\ncommitter C <c@d> -5 -0000\n",
    "missing people": b"",
    "fake signature header": b"author A <a@b> 1 +0700\ncommitter C <c@d> 1 +0700\ngpgsig not a signature\n  \n",
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_commit_objects_never_crash_and_move_no_time(repo, github, trusted, case):
    repo.checkout("pr")
    made = repo.commit("nộp", {A: "x: 1\n"})
    tree = repo.git("rev-parse", f"{made}^{{tree}}")
    header = HOSTILE[case] % {b"parent": made.encode()} if b"%(parent)s" in HOSTILE[case] else HOSTILE[case]
    raw = b"tree %s\nparent %s\n%s\nhostile \x00 message\n" % (tree.encode(), made.encode(), header)
    hostile = repo.raw_commit(raw, branch="pr")
    repo.checkout("main")
    merge = repo.merge("pr", when=at("2024-06-09T10:00"), signer=github)
    clock = clock_of(repo, trusted)
    assert clock.current(A).received.commit == merge
    assert clock.current(A).received.timestamp == seconds("2024-06-09T10:00")
    info = clock.commit(hostile)
    assert info.vouched is None
    assert all(ch not in info.author for ch in "\x00\x1e\x1f\n")
    if case in ("huge timestamp", "negative timestamp", "missing people"):
        assert info.committer_timestamp is None and info.committer_date is None


def test_a_genuine_signature_copied_onto_other_content_does_not_count(repo, github, trusted):
    edit = repo.web_edit("patch-1", {A: "don_vi: thcs-a\n"}, when=at("2024-06-01T09:00"), signer=github)
    original = repo.raw(edit)
    forged = original.rstrip(b"\n") + " (sửa)\n".encode()  # same signature, other message
    repo.checkout("main")
    replayed = repo.raw_commit(forged, branch="main")
    repo.git("reset", "-q", "--hard", replayed)
    clock = clock_of(repo, trusted)
    assert clock.commit(replayed).vouched is None
    assert clock.current(A).received is None


def test_corrupted_signature_is_ignored(repo, github, trusted):
    edit = repo.web_edit("patch-1", {A: "don_vi: thcs-a\n"}, when=at("2024-06-01T09:00"), signer=github)
    raw = repo.raw(edit)
    lines = raw.split(b"\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(b" ") and len(line) > 40)
    lines[index] = lines[index][:10] + (b"A" if lines[index][10:11] != b"A" else b"B") + lines[index][11:]
    broken = repo.raw_commit(b"\n".join(lines), branch="main")
    repo.git("reset", "-q", "--hard", broken)
    clock = clock_of(repo, trusted)
    assert clock.commit(broken).vouched is None and clock.current(A).received is None


# -- merge methods --------------------------------------------------------------------------------


def test_fast_forward_of_unsigned_commits_waits_for_the_next_vouched_commit(repo, github, trusted):
    repo.checkout("nop-bai")
    stub = repo.commit("nộp", {A: "x: 1\n"}, author_time=at("2024-05-02T00:00"))
    repo.fast_forward("nop-bai")
    assert clock_of(repo, trusted).current(A).received is None
    later = repo.commit("cập nhật README", {"README.md": "kho 2\n"}, signer=github, signed_at=at("2024-06-20T08:00"))
    version = clock_of(repo, trusted).current(A)
    assert version.commit == stub and version.received.commit == later


def test_rebase_merge_gets_the_next_vouched_descendant(repo, github, trusted):
    repo.checkout("nop-bai")
    repo.commit("nộp", {A: "x: 1\n"}, author_time=at("2024-01-01T00:00"))
    repo.checkout("main")
    rebased = repo.rebase_merge("nop-bai", when=at("2024-06-06T10:00"))
    clock = clock_of(repo, trusted)
    assert clock.commit(rebased).vouched is None and clock.current(A).received is None
    edit = repo.web_edit("khac", {"README.md": "khác\n"}, when=at("2024-06-08T10:00"), signer=github)
    repo.merge("khac", when=at("2024-06-08T11:00"), signer=github)
    version = clock_of(repo, trusted).current(A)
    assert version.commit == rebased  # the web edit was made on top of it: the earliest vouched descendant
    assert version.received.commit == edit and version.received.timestamp == seconds("2024-06-08T10:00")


def test_squash_merge_counts_at_the_squash_time(repo, github, trusted):
    repo.checkout("nop-bai")
    repo.commit("nháp", {A: "x: 1\n"}, author_time=at("2024-01-01T00:00"))
    repo.commit("xong", {A: "x: 2\n"}, author_time=at("2024-01-02T00:00"))
    repo.checkout("main")
    squash = repo.squash("nop-bai", when=at("2024-06-06T10:00"), signer=github)
    clock = clock_of(repo, trusted)
    assert [v.commit for v in clock.versions(A)] == [squash]
    assert clock.current(A).received.commit == squash
    assert clock.current(A).received.day == dt.date(2024, 6, 6)


def test_merge_resolving_a_conflict_with_new_content_introduces_a_version(repo, github, trusted):
    repo.commit("bản đầu", {A: "x: 0\n"}, signer=github, signed_at=at("2024-05-10T08:00"))
    repo.checkout("pr")
    side = repo.commit("bản của đơn vị", {A: "x: 1\n"}, author_time=at("2024-05-11T08:00"))
    repo.checkout("main")
    repo.commit("bản của sở", {A: "x: 2\n"}, signer=github, signed_at=at("2024-05-12T08:00"))
    merge = repo.merge("pr", when=at("2024-06-09T10:00"), signer=github, resolve={A: "x: 3\n"})
    clock = clock_of(repo, trusted)
    versions = {repo.git("cat-file", "blob", v.blob): v for v in clock.versions(A)}
    assert set(versions) == {"x: 0", "x: 1", "x: 2", "x: 3"}
    assert versions["x: 3"].commit == merge and clock.current(A) == versions["x: 3"]
    assert versions["x: 1"].commit == side and versions["x: 1"].received.commit == merge
    assert versions["x: 2"].received.timestamp == seconds("2024-05-12T08:00")


# -- versions -------------------------------------------------------------------------------------


def test_a_stub_before_the_deadline_and_full_scores_after_are_two_versions(repo, github, trusted):
    repo.web_edit("p1", {A: "don_vi: thcs-a\n"}, when=at("2024-06-01T09:00"), signer=github)
    repo.merge("p1", when=at("2024-06-01T10:00"), signer=github)
    repo.web_edit("p2", {A: "don_vi: thcs-a\ntieu_chi: {}\n"}, when=at("2024-06-20T09:00"), signer=github)
    repo.merge("p2", when=at("2024-06-21T10:00"), signer=github)
    clock = clock_of(repo, trusted)
    first, current = clock.versions(A)
    assert first.received.day == dt.date(2024, 6, 1) <= DEADLINE
    assert clock.current(A) == current and current.received.day == dt.date(2024, 6, 20) > DEADLINE


def test_a_replaced_file_lists_both_contents_oldest_first(repo, github, trusted):
    repo.commit("kế hoạch", {PDF: b"%PDF-1.4 v1\n"}, signer=github, signed_at=at("2023-10-05T10:00"))
    repo.commit("thay kế hoạch", {PDF: b"%PDF-1.4 v2\n"}, signer=github, signed_at=at("2023-10-20T10:00"))
    clock = clock_of(repo, trusted)
    old, new = clock.versions(PDF)
    assert clock.read(old.blob) == b"%PDF-1.4 v1\n" and clock.read(new.blob) == b"%PDF-1.4 v2\n"
    assert old.received.day == dt.date(2023, 10, 5) and new.received.day == dt.date(2023, 10, 20)
    assert clock.current(PDF) == new


def test_a_file_reverted_to_earlier_content_keeps_the_earlier_moment(repo, github, trusted):
    repo.commit("v1", {A: "x: 1\n"}, signer=github, signed_at=at("2024-06-01T10:00"))
    repo.commit("v2", {A: "x: 2\n"}, signer=github, signed_at=at("2024-06-10T10:00"))
    revert = repo.commit("v1 lại", {A: "x: 1\n"}, signer=github, signed_at=at("2024-06-15T10:00"))
    clock = clock_of(repo, trusted)
    current = clock.current(A)
    assert current.received.day == dt.date(2024, 6, 1)
    assert len(clock.versions(A)) == 2 and current.commit != revert


def test_deleted_paths_stay_listed_under_their_folder(repo, github, trusted):
    repo.commit("thêm", {PDF: b"%PDF a\n", A: "x: 1\n"}, signer=github, signed_at=at("2024-06-01T10:00"))
    repo.commit("xoá", {PDF: None}, signer=github, signed_at=at("2024-06-02T10:00"))
    clock = clock_of(repo, trusted)
    assert clock.paths_under("submissions/2023-2024/pgd-quan-1/thcs-a") == [PDF]
    assert clock.paths_under("submissions/2023-2024/pgd-quan-1/") == [A, PDF]
    assert clock.current(PDF) is None and len(clock.versions(PDF)) == 1
    assert clock.paths_under("") == [A, PDF, "submissions/units/pgd-quan-1.yaml"]  # not README.md
    assert clock.versions("README.md") == [] and clock.current("README.md") is None


def test_first_and_latest_version_of_each_path(repo, github, trusted):
    """Ported from the first/last-commit history: the first version and the current one."""
    first = repo.commit("thêm a", {A: "don_vi: a\n"}, signer=github, signed_at=at("2024-06-01T09:00"))
    last = repo.commit(
        "sửa a",
        {A: "don_vi: a\n# sửa\n", PDF: b"%PDF-1.4\n%%EOF\n"},
        author=REVIEWER,
        signer=github,
        signed_at=at("2024-06-10T23:30"),
    )
    clock = clock_of(repo, trusted)
    assert [v.commit for v in clock.versions(A)] == [first, last]
    assert clock.current(A).commit == last and clock.commit(last).author == REVIEWER[0]
    assert clock.current(PDF).received.commit == last and clock.versions(PDF)[0].received.day == dt.date(2024, 6, 10)
    assert clock.head.sha == last and clock.head.vouched.commit == last


# -- keys -----------------------------------------------------------------------------------------


def test_an_untrusted_signer_is_ignored(repo, trusted):
    with Signer.create("GitHub giả", "noreply@github.com") as impostor:
        repo.web_edit("p", {A: "x: 1\n"}, when=at("2024-06-01T09:00"), signer=impostor)
        repo.merge("p", when=at("2024-06-01T10:00"), signer=impostor)
    clock = clock_of(repo, trusted)
    assert clock.current(A).received is None
    assert clock.latest().timestamp == seconds("2024-05-01T08:00")  # the trusted initial commit


def test_a_key_that_expired_after_signing_counts_but_not_a_signature_made_after_expiry(tmp_path):
    with Signer.create(created=at("2015-01-01T00:00")) as signer:
        repo = Repo(tmp_path / "repo")
        before = repo.commit("trước", {A: "x: 1\n"}, signer=signer, signed_at=at("2016-06-01T00:00"))
        after = repo.commit("sau", {PDF: b"%PDF\n"}, signer=signer, signed_at=at("2018-06-01T00:00"))
        signer.set_expiry(at("2017-01-01T00:00"), at=at("2015-06-01T00:00"))
        cert = signer.export_public(tmp_path / "expired.asc")
    clock = clock_of(repo, [cert])
    assert clock.commit(before).vouched.day == dt.date(2016, 6, 1)
    assert clock.commit(after).vouched is None
    assert clock.current(A).received.commit == before and clock.current(PDF).received is None


def test_a_revoked_key_vouches_for_nothing(tmp_path):
    with Signer.create() as signer:
        repo = Repo(tmp_path / "repo")
        repo.commit("nộp", {A: "x: 1\n"}, signer=signer, signed_at=at("2024-06-01T00:00"))
        assert clock_of(repo, [signer.export_public(tmp_path / "valid.asc")]).current(A).received is not None
        signer.revoke()
        cert = signer.export_public(tmp_path / "revoked.asc")
    assert clock_of(repo, [cert]).current(A).received is None


def test_no_trusted_signature_anywhere_means_available_but_no_times(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.commit("nộp", {A: "x: 1\n"}, author_time=at("2024-06-01T00:00"))
    with Signer.create() as signer:
        clock = clock_of(repo, [signer.export_public(tmp_path / "k.asc")])
    assert clock.current(A).received is None and clock.latest() is None
    assert clock.head.sha == repo.head() and clock.head.vouched is None


def test_signatures_are_deterministic(tmp_path, github):
    heads = []
    for name in ("one", "two"):
        repo = Repo(tmp_path / name)
        repo.commit("Khởi tạo", {"README.md": "kho\n"}, author_time=at("2024-05-01T08:00"))
        repo.web_edit("p", {A: "x: 1\n"}, when=at("2024-06-01T09:00"), signer=github)
        heads.append(repo.merge("p", when=at("2024-06-02T09:00"), signer=github))
    assert heads[0] == heads[1]


def test_a_reloaded_secret_key_signs_the_same_commits(tmp_path, github):
    """The demo keeps a fixed key: loading it again must reproduce the demo history exactly."""
    secret = github.export_secret(tmp_path / "demo-secret.asc")
    heads = []
    for name, signer in (("one", github), ("two", Signer.load(secret))):
        repo = Repo(tmp_path / name)
        heads.append(repo.commit("nộp", {A: "x: 1\n"}, signer=signer, signed_at=at("2024-06-01T09:00")))
        if signer is not github:
            signer.close()
    assert heads[0] == heads[1]


def test_sha256_repositories_use_the_gpgsig_sha256_header(tmp_path, github, trusted):
    repo = Repo(tmp_path / "repo", object_format="sha256")
    sha = repo.commit("nộp", {A: "x: 1\n"}, signer=github, signed_at=at("2024-06-01T09:00"))
    assert b"\ngpgsig-sha256 " in repo.raw(sha) and len(sha) == 64
    clock = clock_of(repo, trusted)
    assert clock.current(A).received.commit == sha and len(clock.current(A).blob) == 64


# -- cache ----------------------------------------------------------------------------------------


def test_cached_verdicts_give_the_same_clock_and_are_kept_per_signer_set(repo, github, trusted, tmp_path):
    repo.web_edit("p", {A: "x: 1\n"}, when=at("2024-06-01T09:00"), signer=github)
    repo.merge("p", when=at("2024-06-02T09:00"), signer=github)
    cache = tmp_path / "cache"
    cold = clock_of(repo, trusted, cache_dir=cache)
    files = list(cache.glob("signatures-*.json"))
    assert len(files) == 1 and len(json.loads(files[0].read_text())["verdicts"]) == 3
    warm = clock_of(repo, trusted, cache_dir=cache)
    assert warm.versions(A) == cold.versions(A) and warm.latest() == cold.latest()
    with Signer.create() as other:  # a cache made for other keys never vouches for these
        others = clock_of(repo, [other.export_public(tmp_path / "other.asc")], cache_dir=cache)
    assert others.current(A).received is None and len(list(cache.glob("signatures-*.json"))) == 2


@pytest.mark.parametrize(
    "content", ["{not json", json.dumps({"format": 1, "signers": "x", "verdicts": {}}), json.dumps([1, 2]), "FORGED"]
)
def test_a_corrupt_or_forged_cache_is_ignored(repo, github, trusted, tmp_path, content):
    repo.checkout("p")
    unsigned = repo.commit("nộp", {A: "x: 1\n"})
    repo.fast_forward("p")
    cache = tmp_path / "cache"
    clock_of(repo, trusted, cache_dir=cache)
    target = next(cache.glob("signatures-*.json"))
    data = json.loads(target.read_text())
    if content == "FORGED":  # a verdict for a commit without signature, and a malformed entry
        data["verdicts"][unsigned] = 1
        data["verdicts"]["not-a-sha"] = 5
        content = json.dumps(data)
    target.write_text(content)
    clock = clock_of(repo, trusted, cache_dir=cache)
    assert clock.current(A).received is None
    assert clock.latest().timestamp == seconds("2024-05-01T08:00")


# -- paths and roots ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "có dấu cách.pdf",
        "Trường Nguyễn Thị Minh Khai.yaml",
        "dòng\nmới.pdf",
        'tab\tvà "ngoặc".pdf',
        "ký tự \\ lạ *?.pdf",
    ],
)
def test_paths_are_read_exactly_as_stored(repo, github, trusted, name):
    path = f"submissions/2023-2024/pgd-quan-1/thcs-a/{name}"
    repo.commit("thêm", {path: b"%PDF x\n"}, signer=github, signed_at=at("2024-06-01T10:00"))
    clock = clock_of(repo, trusted)
    assert clock.paths_under("submissions/2023-2024/pgd-quan-1/thcs-a") == [path]
    assert clock.current(path).received.day == dt.date(2024, 6, 1)
    assert clock.read(clock.current(path).blob) == b"%PDF x\n"


def test_data_root_inside_a_larger_repository(tmp_path, github, trusted):
    repo = Repo(tmp_path / "repo")
    repo.commit(
        "c", {f"data/{A}": "x: 1\n", "other/submissions/z.yaml": "z\n"}, signer=github, signed_at=at("2024-06-02T10:00")
    )
    clock = read_clock(tmp_path / "repo/data", trusted)
    assert clock.available and clock.paths_under("submissions") == [A]
    assert clock.current(A).received.day == dt.date(2024, 6, 2)


def test_dates_are_days_in_vietnam(repo, github, trusted):
    repo.commit("khuya", {A: "x: 1\n"}, signer=github, signed_at=dt.datetime(2024, 6, 7, 17, 30, tzinfo=dt.UTC))
    received = clock_of(repo, trusted).current(A).received
    assert received.day == dt.date(2024, 6, 8)  # 17:30 UTC is 00:30 the next day in UTC+7
    assert received.date.utcoffset() == dt.timedelta(hours=7)


def test_blob_reader_refuses_unknown_and_malformed_ids(repo, trusted):
    with clock_of(repo, trusted) as clock:
        with pytest.raises(KeyError):
            clock.read("0" * 40)
        with pytest.raises(KeyError):
            clock.read("HEAD")
        with pytest.raises(KeyError):
            clock.read(clock.head.sha)  # a commit, not a blob
        with pytest.raises(KeyError):
            clock.commit("f" * 40)


# -- without history -------------------------------------------------------------------------------


def test_not_a_repository(tmp_path, trusted):
    (tmp_path / "submissions").mkdir()
    clock = read_clock(tmp_path, trusted)
    assert not clock.available and "không phải kho git" in clock.reason
    assert clock.head is None and clock.current(A) is None and clock.versions(A) == []
    with pytest.raises(KeyError):
        clock.read("0" * 40)
    assert not read_clock(tmp_path / "khong-co", trusted).available


def test_repository_without_commits(tmp_path, trusted):
    Repo(tmp_path)
    clock = read_clock(tmp_path, trusted)
    assert not clock.available and "chưa có commit" in clock.reason


def test_shallow_clone_is_unavailable_but_knows_its_head(repo, github, trusted, tmp_path):
    head = repo.commit("nộp", {A: "x: 1\n"}, signer=github, signed_at=at("2024-06-01T10:00"))
    target = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth=1", f"file://{repo.path}", str(target)], check=True)
    clock = read_clock(target, trusted)
    assert not clock.available and "shallow" in clock.reason
    assert clock.head.sha == head and clock.head.vouched.day == dt.date(2024, 6, 1)
    assert clock.current(A) is None


def test_unreadable_signers_make_the_clock_unavailable(repo, tmp_path):
    clock = read_clock(repo.path, [tmp_path / "khong-co.asc"])
    assert not clock.available and "khoá công khai" in clock.reason and "không biết ngày nộp" in clock.reason


def test_the_environment_cannot_point_git_elsewhere(repo, github, trusted, tmp_path, monkeypatch):
    other = Repo(tmp_path / "other")
    other.commit("khác", {A: "khác\n"})
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    clock = clock_of(repo, trusted)
    assert clock.head.sha == repo.head() and clock.head.author == REVIEWER[0]


def test_github_identity_in_helpers_is_githubs(repo, github):
    edit = repo.web_edit("p", {A: "x\n"}, when=at("2024-06-01T09:00"), signer=github, author=UNIT)
    assert f"committer {GITHUB[0]} <{GITHUB[1]}>".encode() in repo.raw(edit)


# -- the rule itself, against its definition --------------------------------------------------------


class StatedVerdicts:
    """Signature verdicts given directly: sha -> (stated time, valid?)."""

    def __init__(self, signed):
        self.signed = signed
        self.checked = set()

    def by_stated_time(self, newest_first=False):
        return sorted(self.signed, key=lambda s: (self.signed[s][0], s), reverse=newest_first)

    def moment(self, sha):
        from site_builder.clock import Moment

        self.checked.add(sha)
        stated, valid = self.signed.get(sha, (0, False))
        return Moment(stated, sha) if valid else None


@st.composite
def histories(draw):
    size = draw(st.integers(1, 25))
    graph = {}
    for index in range(size):
        parents = draw(st.lists(st.integers(0, index - 1), max_size=3, unique=True)) if index else []
        graph[f"c{index:02d}"] = tuple(f"c{p:02d}" for p in parents)
    signed = draw(st.dictionaries(st.sampled_from(sorted(graph)), st.tuples(st.integers(0, 50), st.booleans())))
    needed = draw(st.sets(st.sampled_from(sorted(graph))))
    return graph, signed, needed


@settings(max_examples=300, deadline=None)
@given(histories())
def test_received_times_equal_the_definition_and_skipped_checks_never_matter(history):
    from site_builder.clock import Moment, _contained

    graph, signed, needed = history
    children = {sha: [c for c, parents in graph.items() if sha in parents] for sha in graph}

    def contains(sha):  # sha and its descendants
        seen, stack = {sha}, [sha]
        while stack:
            for child in children[stack.pop()]:
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        return seen

    expected = {}
    for sha in needed:
        vouched = [Moment(signed[s][0], s) for s in contains(sha) if s in signed and signed[s][1]]
        if vouched:
            expected[sha] = min(vouched)
    verdicts = StatedVerdicts(signed)
    assert _contained(graph, needed, verdicts) == expected
    assert verdicts.checked <= set(signed)


# -- data versions -----------------------------------------------------------------------------
def test_data_version_is_the_merge_that_brought_the_files_and_holds_them_as_at_head(repo, github, trusted):
    """A unit page names the newest commit of main's first-parent line that changed its files
    (compared with its first parent), so the evidence it links at that commit is what HEAD holds:
    for a branch merged later, the merge, not the branch's own commit; a later change elsewhere
    does not move it."""
    b = "submissions/2023-2024/pgd-quan-1/thcs-b.yaml"
    repo.checkout("nop-a")
    own = repo.commit("nộp a", {A: "don_vi: thcs-a\n", PDF: b"%PDF-1.4 a"}, author_time=at("2024-06-01T09:00"))
    repo.checkout("main")
    repo.commit("nộp b", {b: "don_vi: thcs-b\n"}, author_time=at("2024-06-02T09:00"))
    merge = repo.merge("nop-a", when=at("2024-06-03T10:00"), signer=github)
    later = repo.commit("sửa b", {b: "don_vi: thcs-b\n# sửa\n"}, author_time=at("2024-06-04T09:00"))
    clock = clock_of(repo, trusted)
    unit_a = clock.data_version([A], ["submissions/2023-2024/pgd-quan-1/thcs-a"])
    assert unit_a == merge != own
    assert clock.data_version([b]) == later == repo.head()
    assert clock.data_version(["submissions/2023-2024/pgd-quan-1/khong-co.yaml"]) is None
    shown = subprocess.run(["git", "show", f"{unit_a}:{PDF}"], cwd=repo.path, capture_output=True, check=True).stdout
    assert shown == (repo.path / PDF).read_bytes()
    clock.close()


def test_data_version_in_a_folder_is_the_data_version_of_the_same_paths(repo, trusted):
    """`data_version_in` answers from one look at a body's folder what `data_version` answers
    path by path: a file of the folder, the files under one of its subfolders, a file and a
    folder of the same name kept apart, names the history never changed."""
    folder = "submissions/2023-2024/pgd-quan-1"
    files = {
        "thcs-a.yaml": "don_vi: thcs-a\n",
        "thcs-a/minh-chung.pdf": b"%PDF-1.4 a",
        "thcs-b.yaml": "don_vi: thcs-b\n",
        "thcs-b/bao-cao/ke-hoach/bao-cao.pdf": b"%PDF-1.4 b",
        "thcs-c": "a file named as a unit's folder\n",
        "so-cham.xlsx": b"PK workbook",
    }
    for name, content in files.items():  # one commit each: every path gets its own newest commit
        repo.commit(f"thêm {name}", {f"{folder}/{name}": content})
    fixed = repo.commit("sửa a", {f"{folder}/thcs-a/minh-chung.pdf": b"%PDF-1.4 a2"})
    repo.commit("ngoài thư mục", {"submissions/2023-2024/pgd-quan-2/thcs-d.yaml": "don_vi: thcs-d\n"})
    clock = clock_of(repo, trusted)
    asked = [
        ([], []),
        (["thcs-a.yaml"], []),
        ([], ["thcs-a"]),
        (["thcs-b.yaml", "so-cham.xlsx"], ["thcs-b"]),
        (["thcs-c"], []),
        ([], ["thcs-c"]),
        (["khong-co.yaml"], ["khong-co"]),
        (["thcs-a.yaml", "thcs-b.yaml", "thcs-c"], ["thcs-a", "thcs-b"]),
    ]
    for names, subfolders in asked:
        by_path = clock.data_version([f"{folder}/{n}" for n in names], [f"{folder}/{s}" for s in subfolders])
        assert clock.data_version_in(folder, names, subfolders) == by_path, (names, subfolders)
    assert clock.data_version_in(folder, [], ["thcs-c"]) is None  # a file, not a folder
    assert clock.data_version_in(folder, [], ["thcs-a"]) == fixed
    clock.close()


def test_the_main_line_kept_between_builds_is_the_one_read_afresh(repo, github, trusted, tmp_path):
    """The main line (each changed path's newest commit on the first-parent line) is kept with the
    history's cache and, when HEAD is on top of the kept line, only the new commits are read: at
    every step below it is what a build without the cache reads: new commits, a merge (its first
    parent's side counts), nothing new, a history reset to an older commit then grown apart, and
    a kept file that cannot be read."""
    from site_builder import gitread
    from site_builder.clock import _MainLine

    cache = tmp_path / "history"
    cache.mkdir()

    def check() -> None:
        repository = gitread.open_repository(repo.path)
        kept, fresh = _MainLine.read(repository, cache), _MainLine.read(repository, None)
        assert kept == fresh
        assert kept.line[0] == repo.head()

    b = "submissions/2023-2024/pgd-quan-1/thcs-b.yaml"
    repo.commit("nộp a", {A: "don_vi: thcs-a\n"})
    check()  # nothing kept yet: read whole, then kept
    changes = {file: file.read_bytes() for file in cache.glob("changes-*.pickle")}
    assert changes and list(cache.glob("line-*.pickle"))
    repo.commit("nộp b", {b: "don_vi: thcs-b\n", PDF: b"%PDF-1.4 a"})
    repo.commit("sửa a", {A: "don_vi: thcs-a\n# sửa\n"})
    check()  # two commits on top
    assert {file: file.read_bytes() for file in cache.glob("changes-*.pickle")} == changes  # only they were read
    early = repo.head()
    repo.checkout("nhanh")
    repo.commit("nhánh", {"submissions/2023-2024/pgd-quan-2/thcs-c.yaml": "don_vi: thcs-c\n"})
    repo.checkout("main")
    repo.commit("sửa b", {b: "don_vi: thcs-b\n# sửa\n"})
    repo.merge("nhanh", when=at("2024-06-03T10:00"), signer=github)
    check()  # a merge on top
    check()  # nothing new
    repo.set_branch("main", early)
    repo.commit("khác", {"criteria/2023-2024/thcs.yaml": "tieu_chi: []\n"})
    check()  # HEAD no longer on top of the kept line: read whole again
    for kept in cache.glob("line-*.pickle"):
        kept.write_bytes(b"line-1 not a pickle")
    repo.commit("sau", {A: "don_vi: thcs-a\n# lần ba\n"})
    check()
