"""gzip data decoded within bounds: at most ``limit`` bytes out, at most ``MAX_MEMBERS`` members.

A gzip stream may be many members end to end; a page is one. Python's ``gzip`` reads member
after member without bound (two million empty members take seconds to decode into nothing, and
``gzip.decompress`` minutes), so saved pages and downloads are decoded here.
"""

from __future__ import annotations

import zlib

GZIP_MAGIC = b"\x1f\x8b"
MAX_MEMBERS = 16


def gunzip(data: bytes, limit: int, whole: bool = True) -> bytes:
    """``data`` (gzip) decoded. ValueError saying why when it is damaged, ends early, holds more than
    ``MAX_MEMBERS`` members or decodes to more than ``limit`` bytes; with ``whole`` false, the first
    ``limit`` bytes of what it decodes to instead, however it ends (the start of a stream)."""
    out: list[bytes] = []
    size, rest = 0, data
    for _ in range(MAX_MEMBERS):
        decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out.append(decoder.decompress(rest, limit + 1 - size))
        except zlib.error as exc:
            problem = f"not a readable gzip file ({exc})"
            break
        size += len(out[-1])
        if size > limit:
            problem = f"larger than {limit} bytes once decompressed"
            break
        if not decoder.eof:
            problem = "not a readable gzip file (cut short)"
            break
        rest = decoder.unused_data.lstrip(b"\x00")  # members may be padded with zeros
        if not rest:
            return b"".join(out)
    else:
        problem = f"more than {MAX_MEMBERS} gzip members"
    if whole:
        raise ValueError(problem)
    return b"".join(out)[:limit]
