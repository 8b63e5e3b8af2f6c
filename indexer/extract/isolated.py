"""Run an extraction in a child process with a wall-clock timeout and a memory cap.

PDF parsing is where hostile input does harm (pdfminer can loop for minutes or allocate
without bound on a crafted file), so each PDF is read in its own child process: over
``pdf_timeout`` seconds it is killed; once it has added ``pdf_memory_mb`` of address space
to what it inherited, its allocations fail. Either way the file fails alone, with a reason naming it.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import time
from collections.abc import Callable

from indexer.errors import ExtractionError

_CONTEXT = multiprocessing.get_context("fork")


def _address_space() -> int:
    """Bytes of address space this process has mapped now (Linux), else 0."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def _child(receive, send, function: Callable, args: tuple, memory_bytes: int) -> None:
    # Its copy of the reading end would keep the pipe open, and a large result would then block
    # for ever once the parent is gone (which it does not outlive: ``indexer.processes``).
    receive.close()
    limit = _address_space() + memory_bytes  # the cap is on what the extraction adds to what it inherits
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        send.send(("ok", function(*args)))
    except MemoryError:
        send.send(("memory", None))
    except ExtractionError as error:
        send.send(("error", str(error)))
    except Exception as error:  # a parser bug: reported, never raised in the parent
        send.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        send.close()


def run_isolated(
    name: str, function: Callable, args: tuple, timeout: float, memory_mb: int, started: float | None = None
):
    """``function(*args)`` in a child process; ExtractionError naming ``name`` if it fails, bloats, or is not done
    ``timeout`` seconds after ``started`` (a ``time.monotonic()``; now by default)."""
    left = timeout if started is None else started + timeout - time.monotonic()
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_child, args=(receive, send, function, args, memory_mb * 1024 * 1024))
    child.start()
    send.close()
    try:
        if not receive.poll(max(0.0, left)):
            raise ExtractionError(f"{name}: extraction took longer than {timeout:g} s and was stopped")
        try:
            status, value = receive.recv()
        except EOFError:
            raise ExtractionError(
                f"{name}: extraction died (exit code {child.exitcode}), probably over the {memory_mb} MB memory cap"
            ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if status == "memory":
        raise ExtractionError(f"{name}: extraction needed more than the {memory_mb} MB memory cap")
    if status == "error":
        raise ExtractionError(value if value.startswith(name) else f"{name}: {value}")
    return value
