"""Keep freed memory for reuse while a book is settled (glibc; elsewhere nothing changes).

Each chunk makes and drops many NumPy arrays of a few hundred KiB to a few MiB. By default
glibc gives such blocks back to the kernel (munmap, or trimming the top of the heap), so the
next chunk writes to fresh pages and pays a page fault for every 4 KiB: about a sixth of a
run's time on a virtual machine. Raising the thresholds keeps the blocks for the next chunk;
the process's peak memory is the same, it is only handed back later.
"""

from __future__ import annotations

import ctypes
import sys

_M_TRIM_THRESHOLD = -1
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_SETTINGS = (
    (_M_MMAP_THRESHOLD, 32 << 20),  # glibc's largest: blocks below 32 MiB come from the heap
    (_M_TRIM_THRESHOLD, 1 << 30),  # trim the heap only when 1 GiB at its top is free
    (_M_TOP_PAD, 64 << 20),  # grow the heap 64 MiB at a time
)


def keep_freed_memory() -> bool:
    """Ask the C library to keep freed blocks for reuse; False where it is not glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the process's own C library
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return all(mallopt(option, value) == 1 for option, value in _SETTINGS)
