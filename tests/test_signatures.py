"""Signature verification against real signatures GitHub made, and against hostile input."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from site_builder.signatures import GITHUB_WEB_FLOW, SignersError, load_signers
from site_builder.testing_git import Signer

SAMPLES = json.loads((Path(__file__).parent / "data/github-web-flow-signatures.json").read_text(encoding="utf-8"))
REAL = SAMPLES["signatures"]


@pytest.fixture(scope="module")
def github():
    return load_signers([GITHUB_WEB_FLOW])


def test_shipped_key_block_holds_exactly_githubs_two_keys(github):
    assert github.fingerprints == (
        "5de3e0509c47ea3cf04a42d34aee18f83afdeb23",
        "968479a1aff927e37d1a566bb5690eeebb952194",
    )


@pytest.mark.parametrize("sample", REAL, ids=[s["repository"] for s in REAL])
def test_real_github_signatures_verify_offline_and_give_githubs_time(github, sample):
    payload = sample["payload"].encode()
    committer_time = int(payload.split(b"\ncommitter ")[1].split(b"\n")[0].split(b" ")[-2])
    assert github.verify(payload, sample["signature"].encode()) == committer_time


@pytest.mark.parametrize("sample", REAL, ids=[s["repository"] for s in REAL])
def test_a_changed_payload_is_refused(github, sample):
    payload = sample["payload"].encode().replace(b"\n\n", b"\n\nx", 1)
    assert github.verify(payload, sample["signature"].encode()) is None


def test_githubs_rsa_numbers_with_a_too_large_bit_count_still_verify(github):
    """The 2024-key samples write 4096 as the bit count of a shorter number (a malformed MPI in
    RFC 9580 terms): the canonical rewrite makes them verifiable, the verdict unchanged."""
    seen = 0
    for sample in REAL:
        armored = sample["signature"].splitlines()
        packet = base64.b64decode("".join(line for line in armored[2:] if line and not line.startswith(("=", "-"))))
        bits = int.from_bytes(packet[-514:-512], "big")
        number = int.from_bytes(packet[-512:], "big")
        if len(packet) > 500 and bits == 4096 and number.bit_length() < 4096:
            seen += 1
            assert github.verify(sample["payload"].encode(), sample["signature"].encode()) is not None
    assert seen == 2


def test_another_signers_certificate_does_not_verify_githubs_signatures(tmp_path):
    with Signer.create() as other:
        trusted = load_signers([other.export_public(tmp_path / "other.asc")])
    sample = REAL[1]
    assert trusted.verify(sample["payload"].encode(), sample["signature"].encode()) is None


def test_two_signatures_in_one_block_are_refused(tmp_path):
    """Which signature would give the time? Ambiguous, so neither counts."""
    with Signer.create() as signer:
        trusted = load_signers([signer.export_public(tmp_path / "k.asc")])
        first = signer.sign_detached(b"payload", 1717549200)
        second = signer.sign_detached(b"payload", 1600000000)
    assert trusted.verify(b"payload", first) == 1717549200
    binary = [
        base64.b64decode(
            "".join(line for line in s.decode().splitlines()[2:] if line and not line.startswith(("=", "-")))
        )
        for s in (first, second)
    ]
    assert trusted.verify(b"payload", binary[0]) == 1717549200  # binary input is accepted too
    assert trusted.verify(b"payload", binary[0] + binary[1]) is None


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_garbage_signatures_never_raise(signature):
    trusted = load_signers([GITHUB_WEB_FLOW])
    assert trusted.verify(b"tree x\n\nmessage", signature) is None


@pytest.mark.parametrize("mutation", range(0, 60, 7))
def test_damaged_real_signature_is_refused_without_error(github, mutation):
    sample = REAL[0]
    text = bytearray(sample["signature"].encode())
    body = text.index(b"\n\n") + 2 + mutation
    text[body] = ord("A") if text[body] != ord("A") else ord("B")
    assert github.verify(sample["payload"].encode(), bytes(text)) is None


def test_unreadable_signer_files_raise_a_vietnamese_error(tmp_path):
    with pytest.raises(SignersError, match="không đọc được tệp khoá công khai"):
        load_signers([tmp_path / "khong-co.asc"])
    (tmp_path / "rac.asc").write_text("không phải khoá\n", encoding="utf-8")
    with pytest.raises(SignersError, match="không chứa khoá công khai OpenPGP"):
        load_signers([tmp_path / "rac.asc"])
    with Signer.create() as signer:
        secret = signer.export_secret(tmp_path / "bi-mat.asc")
    with pytest.raises(SignersError, match="khoá bí mật"):
        load_signers([secret])


def test_digest_names_the_exact_certificate_set(tmp_path):
    with Signer.create() as signer:
        mine = signer.export_public(tmp_path / "mine.asc")
    one = load_signers([GITHUB_WEB_FLOW])
    assert one.digest == load_signers([GITHUB_WEB_FLOW]).digest
    assert one.digest != load_signers([GITHUB_WEB_FLOW, mine]).digest
    assert load_signers([GITHUB_WEB_FLOW, mine]).digest == load_signers([mine, GITHUB_WEB_FLOW]).digest
