"""Offline verification of commit signatures against a fixed list of trusted OpenPGP certificates.

A signature counts only when it verifies with one of the trusted certificates and the key was
valid (not expired, not revoked) when the signature was made; its creation time, inside the signed
data, is then a moment the signer vouches for. Nothing else is trusted: no keyring, no network.

Sequoia-PGP (`pysequoia`) does the cryptography: it runs in-process (a fraction of a millisecond
per signature, against several milliseconds for a `gpg` process), needs no keyring or agent, and
judges the key at the signature's creation time, so a signature made before GitHub's 2017 key
expired still counts while one made after does not (`gpg` judges expiry against today).

One adjustment is made before Sequoia sees a signature: GitHub's signer writes the key size
(4096) as the bit count of every RSA signature number, also when the number is shorter. RFC 9580
calls such an MPI malformed and Sequoia refuses it, which would drop about half of GitHub's
signatures. The bit count is not part of the signed data and GnuPG accepts it, so `_canonical`
rewrites it to the number's real length: the number, hence the verdict, is unchanged.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pysequoia
from pysequoia.packet import PacketPile, Tag

from site_builder import resources

# GitHub's published web-flow key block (https://github.com/web-flow.gpg), see keys/README.md.
GITHUB_WEB_FLOW = resources.key_file("github-web-flow")

_RSA = (1, 3)  # public-key algorithm ids of RSA (sign+encrypt, sign only)


class SignersError(ValueError):
    """A trusted-certificate file is missing or unreadable (the message is Vietnamese)."""


@dataclass(frozen=True)
class TrustedSigners:
    """The certificates whose signatures are believed, with a digest naming this exact set."""

    certs: tuple = field(repr=False)
    fingerprints: tuple[str, ...]  # lowercase hex, sorted
    digest: str  # sha256 over the library version and the sorted certificates: names caches

    def verify(self, payload: bytes, signature: bytes) -> int | None:
        """The creation time (seconds since the epoch) of `signature` over `payload`, when it is a
        single OpenPGP signature that verifies with a trusted certificate valid at that time;
        None for anything else (no error is raised for hostile input)."""
        packet = _single_signature(signature)
        if packet is None:
            return None
        try:
            sig = pysequoia.Sig.from_bytes(packet)
            created = sig.created
            if created is None:
                return None
            result = pysequoia.verify(bytes=payload, store=self._store, signature=sig)
            good = any(valid.certificate in self.fingerprints for valid in result.valid_sigs)
            return int(created.timestamp()) if good else None
        except BaseException as exc:  # Rust panics surface as pyo3 PanicException (a BaseException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
                raise
            return None

    def claimed_time(self, signature: bytes) -> int | None:
        """The creation time a signature states, unverified: only to choose which to verify first."""
        packet = _single_signature(signature)
        try:
            created = pysequoia.Sig.from_bytes(packet).created if packet else None
        except BaseException as exc:
            if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
                raise
            return None
        return None if created is None else int(created.timestamp())

    def _store(self, _key_ids) -> list:
        return list(self.certs)


def load_signers(paths) -> TrustedSigners:
    """Read every certificate of the given files (armored or binary; a file may hold several)."""
    certs = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
            if _has_secret_keys(data):
                raise SignersError(f"tệp {Path(path).name} chứa khoá bí mật; chỉ dùng khoá công khai.")
            found = pysequoia.Cert.split_bytes(data)
        except SignersError:
            raise
        except OSError as exc:
            raise SignersError(f"không đọc được tệp khoá công khai {Path(path).name}.") from exc
        except Exception as exc:  # pysequoia raises RuntimeError for data that is not OpenPGP
            raise SignersError(f"tệp {Path(path).name} không chứa khoá công khai OpenPGP hợp lệ.") from exc
        if not found:
            raise SignersError(f"tệp {Path(path).name} không chứa khoá công khai OpenPGP nào.")
        certs.extend(found)
    unique = {cert.fingerprint: cert for cert in certs}
    ordered = tuple(unique[fpr] for fpr in sorted(unique))
    digest = hashlib.sha256(f"pysequoia {pysequoia_version()}\n".encode())
    for cert in ordered:
        material = bytes(cert)
        digest.update(len(material).to_bytes(8, "big") + material)
    return TrustedSigners(ordered, tuple(sorted(unique)), digest.hexdigest())


def pysequoia_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pysequoia")
    except PackageNotFoundError:  # pragma: no cover - installed as a dependency
        return "unknown"


def _has_secret_keys(data: bytes) -> bool:
    try:
        return any(p.tag in (Tag.SecretKey, Tag.SecretSubkey) for p in PacketPile.from_bytes(data))
    except Exception:  # not OpenPGP: split_bytes reports it
        return False


def _single_signature(signature: bytes) -> bytes | None:
    """The one signature packet of `signature` (armored or binary), canonicalised; None when the
    data is not exactly one OpenPGP signature packet (several signatures are not accepted: which
    one gave the time would be ambiguous)."""
    try:
        packets = list(PacketPile.from_bytes(signature))
    except BaseException as exc:
        if isinstance(exc, (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError)):
            raise
        return None
    if len(packets) != 1 or packets[0].tag != Tag.Signature:
        return None
    return _packet(2, _canonical(bytes(packets[0].body)))


def _canonical(body: bytes) -> bytes:
    """A version 4 RSA signature body with its MPI bit count set to the number's real length.

    Layout (RFC 4880 5.2.3): version, type, public-key algorithm, hash algorithm, hashed
    subpackets (2-octet length), unhashed subpackets (2-octet length), 2 octets of the digest,
    then the RSA signature as one MPI (2-octet bit count, big-endian number). Any other shape is
    returned unchanged for Sequoia to judge.
    """
    if len(body) < 10 or body[0] != 4 or body[2] not in _RSA:
        return body
    at = 6 + int.from_bytes(body[4:6], "big")
    if at + 2 > len(body):
        return body
    at += 2 + int.from_bytes(body[at : at + 2], "big") + 2
    if at + 2 > len(body):
        return body
    bits = int.from_bytes(body[at : at + 2], "big")
    value = body[at + 2 :]
    if len(value) != (bits + 7) // 8:
        return body
    number = int.from_bytes(value, "big")
    length = number.bit_length()
    if length == bits or length == 0:
        return body
    return body[:at] + length.to_bytes(2, "big") + number.to_bytes((length + 7) // 8, "big")


def _packet(tag: int, body: bytes) -> bytes:
    """An OpenPGP packet in the new format (RFC 4880 4.2.2)."""
    size = len(body)
    if size < 192:
        header = bytes([size])
    elif size < 8384:
        header = bytes([((size - 192) >> 8) + 192, (size - 192) & 0xFF])
    else:
        header = b"\xff" + size.to_bytes(4, "big")
    return bytes([0xC0 | tag]) + header + body
