"""Raw commit objects: the signed payload is cut out as git does, and nothing in an object raises."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.commitobject import parse_commit

TREE = b"tree " + b"a" * 40 + b"\n"
SIG = b"-----BEGIN PGP SIGNATURE-----\n\nAAAA\n=abcd\n-----END PGP SIGNATURE-----\n"


def signed(
    header: bytes = b"gpgsig",
    people: bytes = b"author A <a@b> 1 +0700\ncommitter C <c@d> 2 +0700\n",
    message: bytes = b"\nmessage\n",
) -> bytes:
    folded = header + b" " + SIG.rstrip(b"\n").replace(b"\n", b"\n ") + b"\n"
    return TREE + people + folded + message


def test_payload_is_the_object_without_its_signature_header():
    commit = parse_commit(signed())
    assert commit.signature == SIG
    assert commit.payload == TREE + b"author A <a@b> 1 +0700\ncommitter C <c@d> 2 +0700\n\nmessage\n"
    assert commit.author == "A" and commit.committer_timestamp == 2


def test_the_other_hashs_signature_is_neither_payload_nor_signature():
    both = signed().replace(b"\n\nmessage", b"\n" + b"gpgsig-sha256 x\n y\n" + b"\nmessage")
    commit = parse_commit(both)
    assert commit.signature == SIG and b"sha256" not in commit.payload and b" y\n" not in commit.payload
    in_sha256 = parse_commit(signed(b"gpgsig-sha256"), "sha256")
    assert in_sha256.signature == SIG
    assert parse_commit(signed(b"gpgsig-sha256"), "sha1").signature is None


def test_signature_headers_in_the_message_are_only_message():
    commit = parse_commit(TREE + b"author A <a@b> 1 +0700\n\n" + b"gpgsig " + SIG)
    assert commit.signature is None and commit.payload is None


def test_unsigned_and_empty_objects():
    assert parse_commit(b"") == parse_commit(b"\n\n")
    assert parse_commit(b"").signature is None and parse_commit(b"").author == ""
    assert parse_commit(TREE + b"author A <a@b> 1 +0700\ncommitter C <c@d> 2 +0700\n\nm").signature is None


def test_display_fields_of_odd_people_lines():
    odd = parse_commit(TREE + b"author \x1eX\x1f\x00Y\xff <a@b> 1 +0700\ncommitter C <c@d> 1e9 +0700\n\nm")
    assert odd.author == "\ufffdX\ufffd\ufffdY\ufffd" and odd.committer_timestamp is None
    assert parse_commit(TREE + b"committer C <c@d> 99999999999999 +0700\n\nm").committer_timestamp is None
    assert parse_commit(TREE + b"committer C <c@d>\n\nm").committer_timestamp is None
    assert parse_commit(TREE + b"committer C <c@d> 0 +0700\n\nm").committer_timestamp == 0


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["sha1", "sha256"]))
def test_any_bytes_parse_without_error(raw, object_format):
    commit = parse_commit(raw, object_format)
    assert (commit.signature is None) == (commit.payload is None)
    if commit.payload is not None:
        assert len(commit.payload) <= len(raw)
    assert all(ord(ch) >= 32 for ch in commit.author)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.binary(min_size=1, max_size=30).filter(lambda b: b"\n" not in b and not b.startswith((b" ", b"gpgsig"))),
        max_size=5,
    ),
    st.binary(max_size=100),
)
def test_payload_plus_signature_header_rebuilds_the_object(extra_headers, message):
    people = b"".join(h + b"\n" for h in extra_headers)
    raw = signed(people=people, message=b"\n" + message)
    commit = parse_commit(raw)
    assert commit.signature == SIG
    assert commit.payload == TREE + people + b"\n" + message
