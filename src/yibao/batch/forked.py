"""Chunks settled in forked worker processes, results handed back in chunk order.

Threads in one process reach about 1.5× one core on two: the engine's Python between its
NumPy kernels holds the GIL. Forked workers inherit the loaded policies and a book held in
memory (copy-on-write: nothing is pickled or copied to start them), settle every P-th
chunk each, and hand results back through shared memory reused chunk after chunk (no page
faults after the first): tables as Arrow IPC, NumPy arrays as raw bytes, the rest pickled.
What the parent yields are views of a result slot, not copies (copying them cost the parent
a fifth of the two cores); a slot is lent to a worker again only once nothing refers to
the results read from it any more (a weak reference to their base array tells), so a
caller may keep what it was given. Item i goes to worker i mod P and results are yielded in
item order, so the output does not depend on P; each worker holds at most `depth` items, so
memory stays bounded by the chunk size.
"""

from __future__ import annotations

import contextlib
import gc
import io
import mmap
import os
import pickle
import signal
import traceback
import warnings
import weakref
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, Pipe
from typing import Any, TypeVar

import numpy as np
import pyarrow as pa

In = TypeVar("In")
Out = TypeVar("Out")

SLOT_BYTES = 256 << 20
"""Shared memory per message slot (virtual; only the pages a message uses are ever touched)."""
DEPTH = 2
"""Items in flight per worker: one being settled, one waiting, so no worker idles."""
SPARE_SLOTS = 2
"""Result slots per worker beyond `depth`, for results a caller keeps a while."""
WORKER_NICENESS = 10
"""Workers yield the CPU to the parent, which writes the results in order and so paces the run."""
_NO_SLOT = 255
"""Tells a worker to answer in the pipe: every result slot of its is lent or still in use."""
_ALIGN = 64
_SMALL_ARRAY = 4096
"""NumPy arrays smaller than this travel inside the pickle."""
_IN_SLOT, _IN_BAND = b"S", b"B"


def can_fork() -> bool:
    """Whether this platform can fork worker processes (not Windows)."""
    return hasattr(os, "fork")


def forked_map(
    work: Callable[[In], Out],
    items: Iterable[In],
    processes: int,
    slot_bytes: int = SLOT_BYTES,
    depth: int = DEPTH,
) -> Generator[Out, None, None]:
    """`map(work, items)` in `processes` forked workers, in order, a bounded number in flight.

    `work` runs in the workers and need not be picklable (the workers are forks); items and
    results travel through shared memory. An exception raised by `work` is raised here, at
    that item's place; a worker that dies ends the map with an error naming it.
    """
    workers = [_Worker.start(work, slot_bytes, depth) for _ in range(processes)]
    finished = False
    try:
        sent = received = 0
        source = iter(items)
        exhausted = False
        while True:
            while not exhausted and sent - received < processes * depth:
                try:
                    item = next(source)
                except StopIteration:
                    exhausted = True
                    break
                workers[sent % processes].send(item)
                sent += 1
            if received == sent:
                break
            done = workers[received % processes].receive(received)
            received += 1
            yield done
        finished = True
    finally:
        for worker in workers:
            worker.stop(finished)


@dataclass
class _Worker:
    """One forked worker: its pipe, its shared slots (items in, results out), its counters."""

    pid: int
    conn: Connection
    inbox: list[memoryview]
    outbox: list[memoryview]
    sent: int = 0
    received: int = 0
    reaped: bool = False
    lent: list[int] = field(default_factory=list)
    """The result slot of each item in flight, oldest first (`_NO_SLOT`: the pipe)."""
    readers: dict[int, weakref.ref[np.ndarray[Any, Any]]] = field(default_factory=dict)
    """For each slot read from: the base array of the results read from it, while they live."""

    @classmethod
    def start(cls, work: Callable[[Any], Any], slot_bytes: int, depth: int) -> _Worker:
        inbox = [_shared(slot_bytes) for _ in range(depth)]
        outbox = [_shared(slot_bytes) for _ in range(depth + SPARE_SLOTS)]
        ours, theirs = Pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns on any fork of a process with threads. The worker runs only the
            # loop below on the forking thread; Python, glibc and Arrow reset their locks at fork.
            warnings.filterwarnings("ignore", r".*multi-threaded.*fork", DeprecationWarning)
            pid = os.fork()
        if (
            pid == 0
        ):  # the worker: serve until told to stop, then leave without running the parent's exit code
            code = 1
            try:
                ours.close()
                code = _serve(work, theirs, inbox, outbox)
            finally:
                os._exit(code)
        theirs.close()
        return cls(pid, ours, inbox, outbox)

    def send(self, item: object) -> None:
        slot = self._free_slot()
        self.lent.append(slot)
        self.conn.send_bytes(bytes([slot]) + _encode(item, self.inbox[self.sent % len(self.inbox)]))
        self.sent += 1

    def _free_slot(self) -> int:
        """A result slot no item in flight holds and no live result was read from."""
        for slot in range(len(self.outbox)):
            reader = self.readers.get(slot)
            if slot not in self.lent and (reader is None or reader() is None):
                return slot
        return _NO_SLOT

    def receive(self, index: int) -> Any:
        try:
            message = self.conn.recv_bytes()
        except (EOFError, OSError):
            raise RuntimeError(
                f"batch worker process {self.pid} ended while settling item {index} ({self._end()}); "
                "if it ran out of memory, give a smaller --chunk-rows or fewer --processes"
            ) from None
        slot = self.lent.pop(0)
        base = np.frombuffer(self.outbox[slot] if slot != _NO_SLOT else b"", np.uint8)
        kind, value = _decode(message, base)
        if slot != _NO_SLOT:
            self.readers[slot] = weakref.ref(base)
        self.received += 1
        if kind == "error":
            raise value
        return value

    def _end(self) -> str:
        """How the worker ended, once it has (it is reaped here)."""
        _, status = os.waitpid(self.pid, 0)
        self.reaped = True
        if os.WIFSIGNALED(status):
            return f"killed by {signal.Signals(os.WTERMSIG(status)).name}"
        return f"exit code {os.waitstatus_to_exitcode(status)}"

    def stop(self, finished: bool) -> None:
        """Tell the worker to end (or, if the map was abandoned midway, end it), then reap it."""
        if self.reaped:  # its pid may belong to another process by now
            self.conn.close()
            return
        with contextlib.suppress(OSError):
            if finished:
                self.conn.send_bytes(b"")
            else:
                os.kill(self.pid, signal.SIGKILL)
        self.conn.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _serve(
    work: Callable[[Any], Any], conn: Connection, inbox: list[memoryview], outbox: list[memoryview]
) -> int:
    """The worker's loop: item in, result (or the exception) out, until an empty message."""
    os.nice(WORKER_NICENESS)
    gc.freeze()  # what the parent built stays shared: collections here never touch (and copy) its pages
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it ends the workers
    served = 0
    while True:
        try:
            message = conn.recv_bytes()
        except (EOFError, OSError):
            return 0  # the parent is gone
        if not message:
            return 0
        slot = outbox[message[0]] if message[0] != _NO_SLOT else memoryview(bytearray())
        try:
            item = _decode(message[1:], np.frombuffer(inbox[served % len(inbox)], np.uint8))
            reply = _encode(("ok", work(item)), slot)
        except Exception as error:  # handed to the parent, raised there at this item's place
            reply = _encode(("error", _portable(error)), slot)
        conn.send_bytes(reply)
        served += 1


def _portable(error: Exception) -> Exception:
    """The exception itself if it survives pickling, else a RuntimeError carrying its text."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        text = "".join(traceback.format_exception(error))
        return RuntimeError(f"in a batch worker process: {text}")
    return error


def _shared(size: int) -> memoryview:
    """Memory shared with the workers forked after it (anonymous, so nothing to clean up)."""
    return memoryview(mmap.mmap(-1, size))


class _SlotFull(Exception):
    """A message is larger than its slot: it travels in the pipe instead."""


class _SlotPickler(pickle.Pickler):
    """Pickles tables and large arrays into a shared slot, everything else in the pickle."""

    def __init__(self, file: io.BytesIO, slot: memoryview) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.slot = slot
        self.used = 0

    def persistent_id(self, obj: object) -> object:
        if isinstance(obj, pa.Table):
            offset = self._reserve(0)
            sink = pa.FixedSizeBufferWriter(pa.py_buffer(self.slot[offset:]))
            try:
                with pa.ipc.new_stream(sink, obj.schema) as writer:
                    writer.write_table(obj)
            except (OSError, pa.ArrowInvalid) as full:
                raise _SlotFull from full
            self.used = offset + sink.tell()
            return ("table", offset, sink.tell())
        if isinstance(obj, np.ndarray) and obj.dtype.hasobject is False and obj.nbytes >= _SMALL_ARRAY:
            data = np.ascontiguousarray(obj)
            offset = self._reserve(data.nbytes)
            np.frombuffer(self.slot, np.uint8, data.nbytes, offset)[:] = data.reshape(-1).view(np.uint8)
            return ("array", offset, data.dtype.str, data.shape)
        return None

    def _reserve(self, size: int) -> int:
        offset = -(-self.used // _ALIGN) * _ALIGN
        if offset + size > len(self.slot):
            raise _SlotFull
        self.used = offset + size
        return offset


class _SlotUnpickler(pickle.Unpickler):
    """Reads what `_SlotPickler` wrote: its tables and arrays as views of `base`, the slot's bytes."""

    def __init__(self, file: io.BytesIO, base: np.ndarray[Any, np.dtype[np.uint8]]) -> None:
        super().__init__(file)
        self.base = base

    def persistent_load(self, pid: Any) -> object:
        if pid[0] == "table":
            _, offset, size = pid
            view: Any = self.base[offset : offset + size]  # the stubs know no ndarray buffers
            return pa.ipc.open_stream(pa.py_buffer(view)).read_all()
        _, offset, dtype, shape = pid
        kind = np.dtype(dtype)
        count = int(np.prod(shape))
        return self.base[offset : offset + count * kind.itemsize].view(kind).reshape(shape)


def _encode(value: object, slot: memoryview) -> bytes:
    """A message: the value pickled with its tables and arrays in `slot`, or all in the pipe."""
    file = io.BytesIO()
    file.write(_IN_SLOT)
    try:
        _SlotPickler(file, slot).dump(value)
    except _SlotFull:
        return _IN_BAND + pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return file.getvalue()


def _decode(message: bytes, base: np.ndarray[Any, np.dtype[np.uint8]]) -> Any:
    """A message's value; what it holds in the slot stays there (views of `base`, the slot's bytes)."""
    if message[:1] == _IN_BAND:
        return pickle.loads(message[1:])
    return _SlotUnpickler(io.BytesIO(message[1:]), base).load()
