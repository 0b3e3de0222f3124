"""Memory that requests freed goes back to the system within seconds.

glibc's malloc gives each thread of a server's worker pool its own arena, and keeps the memory freed in it for
later use by that thread: after a burst of requests with large temporary buffers (a tokenizer's offsets for a
pasted book, a batch of images) every arena stays as large as its largest request, and the server's memory only
grows. `malloc_trim(0)` hands the free pages of every arena back and takes well under a millisecond, so a thread
calls it every `RELEASE_EVERY_S` seconds: after the request's objects are really gone, which is not when its function
returns (an error's traceback keeps the frames' locals alive until the server has sent the message).
"""

import ctypes
import ctypes.util
import functools
import threading
import time

RELEASE_EVERY_S = 2.0


@functools.cache
def _libc():
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "malloc_trim") else None  # glibc only (not musl, macOS)


def release_freed_memory() -> None:
    """Return the free memory of every malloc arena to the system (nothing where the C library is not glibc)."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)


_releasing = threading.Event()


def release_periodically(every_s: float = RELEASE_EVERY_S) -> None:
    """Start (once per process) a thread that calls `release_freed_memory` every `every_s` seconds."""
    if _releasing.is_set() or _libc() is None:
        return
    _releasing.set()

    def run() -> None:
        while True:
            time.sleep(every_s)
            release_freed_memory()

    threading.Thread(target=run, name="memory-release", daemon=True).start()
