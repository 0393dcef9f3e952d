"""`yibao serve --workers N`: N server processes, each with its own listening socket (SO_REUSEPORT).

uvicorn's workers share one socket, and the first to wake accepts every connection
waiting: a client opening 16 connections at once was seen to get 15 on one worker,
whose single recorder then settled nearly everything while the other idled. With a
socket each, bound with SO_REUSEPORT, the kernel spreads new connections over the
workers. Each worker builds the app from the environment (`app_from_environment`). The
parent waits; on SIGTERM or SIGINT, or when a worker ends, it stops them all (SIGTERM:
each finishes its requests and its recorder's queue); a worker whose parent dies is sent
SIGTERM too (Linux), so a killed server leaves no worker listening.
Where SO_REUSEPORT is missing, uvicorn's own workers are used.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import socket
import sys
from collections.abc import Sequence
from multiprocessing.connection import wait
from multiprocessing.process import BaseProcess
from types import FrameType

import uvicorn

from yibao.errors import InputError, Problem

APP = "yibao.api.app:app_from_environment"
BACKLOG = 2048
STOP_SECONDS = 30
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


class _Stop(Exception):
    """A signal asked the workers to stop."""


def serve_workers(host: str, port: int, workers: int) -> None:
    """Run `workers` server processes on host:port until a signal, or until one of them ends."""
    if not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, factory=True, host=host, port=port, workers=workers, log_level="info")
        return
    # A socket without SO_REUSEPORT binds only where nobody listens, not even another yibao's
    # SO_REUSEPORT group: a second `yibao serve` on a taken port fails instead of sharing it.
    try:
        _listening_socket(host, port, shared=False).close()
    except OSError as exc:
        raise InputError(
            Problem(
                "--port",
                f"cannot listen on {host}:{port} ({exc.strerror}); stop what uses it or pick another --port",
                str(port),
            )
        ) from None
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_worker, args=(host, port, os.getpid()), name=f"yibao-worker-{n}")
        for n in range(workers)
    ]

    def stop(signum: int, _: FrameType | None) -> None:
        raise _Stop(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    ended_by_itself = False
    try:
        for process in processes:
            process.start()
        wait([p.sentinel for p in processes])
        ended_by_itself = True
    except _Stop:
        pass
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        _stop_all(processes)
    if ended_by_itself:
        codes = [p.exitcode for p in processes]
        sys.exit(f"a worker process ended (exit codes {codes}); the others were stopped")


def _stop_all(processes: Sequence[BaseProcess]) -> None:
    """SIGTERM to each (uvicorn finishes what it has), SIGKILL to any still running after STOP_SECONDS."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(STOP_SECONDS)
        if process.is_alive():
            process.kill()
            process.join()


def _worker(host: str, port: int, parent: int) -> None:
    """One worker: its own socket on the shared port, the app from the environment."""
    _end_with_parent(parent)
    config = uvicorn.Config(APP, factory=True, host=host, port=port, log_level="info")
    uvicorn.Server(config).run(sockets=[_listening_socket(host, port)])


def _end_with_parent(parent: int) -> None:
    """Ask Linux to send this process SIGTERM when its parent dies (a SIGKILLed parent leaves no worker)."""
    if not sys.platform.startswith("linux"):
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != parent:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)


def _listening_socket(host: str, port: int, shared: bool = True) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if shared:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(BACKLOG)
    return sock
