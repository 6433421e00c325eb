"""Memory for big, short-lived builds: a worker reads a million register entries in chunks of driver rows.

Once the rows and numpy scratch arrays are freed, glibc keeps most of that memory in its heap for reuse,
so the process would stay a hundred MB larger than what it holds and the next large allocation would
push its peak higher: release_free_memory() hands it back (glibc only; elsewhere a no-op). And every
row tuple allocated can start the cyclic garbage collector, whose full passes scan every live object:
without_cyclic_gc() around such a read (none of its objects form cycles) halves its time.
"""
import ctypes
import ctypes.util
import gc
import sys
from contextlib import contextmanager

_M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 256 * 1024  # larger blocks (numpy arrays) come from mmap and go back whole when freed


def _libc():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc if hasattr(libc, "malloc_trim") and hasattr(libc, "mallopt") else None
    except OSError:
        return None


def limit_heap_growth() -> None:
    """At process start: a fixed mmap threshold (glibc raises it on its own after each large free, and
    blocks under it stay in the heap for good)."""
    libc = _libc()
    if libc is not None:
        libc.mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def release_free_memory() -> None:
    """Return the heap's free pages to the system (malloc_trim)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


@contextmanager
def without_cyclic_gc():
    """The cyclic collector paused while a build makes millions of objects that form no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
