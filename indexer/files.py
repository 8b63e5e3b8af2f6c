"""Files of the package and of a run: a digest of the package's own files, and writing a file whole."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def package_digest(names: tuple[str, ...], start: bytes = b"") -> bytes:
    """A digest of ``start`` and of these files of the package (paths relative to it), each by name and bytes.

    A file that changes, moves or is renamed changes the digest.
    """
    digest = hashlib.sha256(start)
    for name in names:
        digest.update(f"{name}\n".encode())
        digest.update((PACKAGE / name).read_bytes())
    return digest.digest()


def write_atomically(path: Path, data: bytes, mode: int = 0o666) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, renamed over ``path`` once written.

    ``mode`` is that of a new file (the umask applies); the temporary file is never followed
    through a symbolic link, and it is removed when writing fails (a full disk).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, mode)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
