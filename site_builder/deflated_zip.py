"""ZIP archives written from members deflated piece by piece, where a piece may keep the bytes
an earlier build deflated it into.

The year's XLSX is one file whose criteria sheet is 22 MB of XML at 15,000 units; every rebuild
writes it again, and deflating it was most of that (0.18 of 0.25 CPU-s), though one unit's row
changed. A sheet is deflated here in pieces (a run of rows each), each by its own compressor
ended with a sync flush: the deflate format allows such pieces to be joined (each ends on a byte
boundary), so a piece whose bytes did not change keeps its compressed bytes (`Pieces`). Each
piece is deflated with the last WINDOW bytes of the piece before it as zlib's preset dictionary:
it may refer back into them, which in the joined stream are the bytes just before it, so it
deflates nearly as well as in one run; its compressed bytes are then those of its own bytes
after those of the piece before, and kept under the digests of both. The criteria sheet at
15,000 units (22 MB, 2.05 MB deflated whole at zlib's default level) in pieces of 16 rows
deflates into 2.08 MB this way, 2.46 without the dictionaries (2.16 in pieces of 64 rows
without); a change deflates again the pieces it touched and the one after each.

`zipfile` writes a member only through its own compressor, so the archive is written here: the
plain ZIP format of APPNOTE 6.3 (local headers, central directory, end record; no data
descriptors, no ZIP64: an XLSX under the site's 10 MB per file is far from 4 GiB).
"""

from __future__ import annotations

import hashlib
import struct
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from typing import NamedTuple

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_VERSION = 20  # deflate
_UTF8_NAME = 0x800
WINDOW = 32 * 1024  # how far back deflate refers: the dictionary a piece gets of the one before


class Deflated(NamedTuple):
    data: bytes  # a raw deflate stream
    crc: int
    size: int  # bytes before deflating


class Pieces:
    """Deflated pieces by the digests of their bytes and of the piece before them (whose end is
    their dictionary): those `kept` from an earlier build (at the same level and zlib), and those
    this archive used (`used`: what to keep for the next)."""

    def __init__(self, kept: dict[bytes, bytes] | None = None):
        self.kept = kept or {}
        self.used: dict[bytes, bytes] = {}

    def deflated(self, data: bytes, level: int, before: bytes = b"", before_digest: bytes = b"") -> tuple[bytes, bytes]:
        """(`data` deflated to follow `before`, the piece before it in the stream, whose digest
        `before_digest` is (b"" for the first piece); the digest of `data`, for the piece after)."""
        digest = hashlib.sha256(data).digest()
        key = before_digest + digest
        found = self.kept.get(key) or self.used.get(key)
        if found is None:
            found = _deflate(data, level, zlib.Z_SYNC_FLUSH, before[-WINDOW:])
        self.used[key] = found
        return found, digest

    def changed(self) -> bool:
        """Whether what to keep for the next build differs from what was kept."""
        return self.used.keys() != self.kept.keys()


def deflate(pieces: Iterable[bytes], level: int, kept: Pieces | None = None) -> Deflated:
    """One member's bytes, given in pieces, as one deflate stream: with `kept`, each piece
    deflated by a compressor of its own (or found there), then an empty last block; without, in
    one run (a compressor per piece costs its set-up)."""
    tally = _Tally(pieces)
    if kept is None:
        compressor = zlib.compressobj(level, zlib.DEFLATED, -15)
        out = [compressor.compress(piece) for piece in tally]
        out.append(compressor.flush())
    else:
        out, before, before_digest = [], b"", b""
        for piece in tally:
            deflated, digest = kept.deflated(piece, level, before, before_digest)
            out.append(deflated)
            before, before_digest = piece, digest
        out.append(_deflate(b"", level, zlib.Z_FINISH))
    return Deflated(b"".join(out), tally.crc, tally.size)


class _Tally:
    """The pieces as they pass, with the CRC-32 and length of all of them."""

    def __init__(self, pieces: Iterable[bytes]):
        self.pieces, self.crc, self.size = pieces, 0, 0

    def __iter__(self) -> Iterator[bytes]:
        for piece in self.pieces:
            self.crc, self.size = zlib.crc32(piece, self.crc), self.size + len(piece)
            yield piece


def member(archive: bytes, info: zipfile.ZipInfo) -> Deflated | None:
    """The member `info` of the ZIP archive `archive` as deflated there (None when it is stored
    otherwise, or encrypted): a member copied into another archive unchanged needs no inflating
    and deflating again."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1:
        return None
    header = _LOCAL.unpack_from(archive, info.header_offset)
    if header[0] != b"PK\x03\x04":
        return None
    start = info.header_offset + _LOCAL.size + header[-2] + header[-1]  # after the name and the extra field
    return Deflated(archive[start : start + info.compress_size], info.CRC, info.file_size)


def _deflate(data: bytes, level: int, flush: int, dictionary: bytes = b"") -> bytes:
    compressor = zlib.compressobj(level, zlib.DEFLATED, -15, zdict=dictionary)  # raw deflate, as zipfile writes it
    return compressor.compress(data) + compressor.flush(flush)


def write(members: Iterable[tuple[zipfile.ZipInfo, Deflated]]) -> bytes:
    """The archive of `members` in order: each its name, time and attributes from its ZipInfo,
    its bytes deflated."""
    body, directory = bytearray(), bytearray()
    count = 0
    for info, member in members:
        name = info.filename.encode("utf-8")
        flags = 0 if name.isascii() else _UTF8_NAME
        year, month, day, hour, minute, second = info.date_time
        time, date = (hour << 11) | (minute << 5) | (second // 2), ((year - 1980) << 9) | (month << 5) | day
        sizes = (member.crc, len(member.data), member.size)
        offset = len(body)
        body += _LOCAL.pack(b"PK\x03\x04", _VERSION, 0, flags, zipfile.ZIP_DEFLATED, time, date, *sizes, len(name), 0)
        body += name
        body += member.data
        directory += _CENTRAL.pack(
            b"PK\x01\x02",
            _VERSION,
            info.create_system,
            _VERSION,
            0,
            flags,
            zipfile.ZIP_DEFLATED,
            time,
            date,
            *sizes,
            len(name),
            0,
            0,
            0,
            info.internal_attr,
            info.external_attr,
            offset,
        )
        directory += name
        count += 1
    start = len(body)
    body += directory
    body += _END.pack(b"PK\x05\x06", 0, 0, count, count, len(directory), start, 0)
    return bytes(body)
