"""Load test of the settlement service: a loopback client posting settlements.

    .venv/bin/python bench/load.py                        # SQLite and PostgreSQL, 3000 settlements each
    .venv/bin/python bench/load.py --backend postgresql --requests 5000 --concurrency 48
    .venv/bin/python bench/load.py --backend postgresql --concurrency 4,8,16,32   # a sweep

For each backend it creates a fresh database (a temporary SQLite file, or a new
PostgreSQL database on --pg that is dropped afterwards), registers --persons persons
with a coverage year, starts `yibao serve --workers N` (SQLite 1, PostgreSQL 2) and
posts bills with a new Idempotency-Key each over keep-alive connections (a small asyncio
HTTP/1.1 client, so the client costs little of the machine it shares). It prints recorded
settlements per second, p50/p99 latency and the CPU per settlement of the server, the
PostgreSQL backends and the client, then checks the ledger (`yibao ledger verify`). Any
response but 201, a broken connection or a ledger difference ends it with an error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from yibao.policy.lookup import PolicySet
from yibao.store.database import Database
from yibao.store.documents import CoverageIn, PersonIn
from yibao.store.keys import create_key
from yibao.store.migrate import upgrade
from yibao.store.national_id import check_character
from yibao.store.persons import create_person, put_coverage
from yibao.store.verify import verify_ledger

ROOT = Path(__file__).parent.parent
LEVELS = ("level_1", "level_2", "level_3")
YIBAO = (sys.executable, "-m", "yibao")
WORKERS = {"sqlite": 1, "postgresql": 2}
"""SQLite has one writer at a time: a second process only waits for its lock (p99 0.8-1.5 s, not 55-80 ms)."""


def bill(i: int) -> dict[str, object]:
    """Varied bills of a Liaocheng employee: outpatient and inpatient, three levels."""
    day = f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}"
    if i % 4 == 0:
        return {
            "date": day,
            "kind": "inpatient",
            "institution": {"region": "371502", "level": LEVELS[i % 3]},
            "split": {"class_a": f"{3000 + 17 * (i % 500)}.00", "class_b": "800.00"},
        }
    return {
        "date": day,
        "kind": "outpatient",
        "institution": {"region": "371502", "level": LEVELS[i % 3]},
        "split": {"class_a": f"{200 + i % 300}.00", "class_b": "50.00"},
    }


def prepare(url: str, persons: int) -> tuple[str, list[str]]:
    """Migrate, create an operator key, register persons with a 2025 coverage year."""
    db = Database(url)
    upgrade(db)
    policies = PolicySet.load()
    _, key = create_key(db, "operator", "bench")
    ids = []
    for n in range(persons):
        first17 = f"371502198{n // 1000 % 10}0101{n % 1000:03d}"
        data = PersonIn(
            name=f"bench {n}",
            national_id=first17 + check_character(first17),
            scheme="cn-371500.employee",
            category="active" if n % 3 else "retired",
        )
        person = create_person(db, policies, data).id
        put_coverage(db, policies, person, 2025, CoverageIn(contribution_status="paid"))
        ids.append(person)
    db.dispose()
    return key, ids


async def client(
    port: int, key: str, jobs: asyncio.Queue[tuple[str, bytes]], latencies: list[float], codes: list[int]
) -> None:
    """One keep-alive connection posting jobs until the queue is empty."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    while not jobs.empty():
        idem, body = jobs.get_nowait()
        head = (
            f"POST /v1/settlements HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {key}\r\n"
            f"Idempotency-Key: {idem}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        )
        started = time.perf_counter()
        writer.write(head.encode() + body)
        status_line = await reader.readline()
        if not status_line.startswith(b"HTTP/1.1 "):
            raise SystemExit(f"the server closed the connection or sent no status line: {status_line!r}")
        length = None
        while (line := await reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        if length is None:
            raise SystemExit(f"a response without Content-Length after {status_line!r}")
        await reader.readexactly(length)
        latencies.append(time.perf_counter() - started)
        codes.append(int(status_line.split()[1]))
    writer.close()
    await writer.wait_closed()


async def load(port: int, key: str, persons: list[str], requests: int, concurrency: int, offset: int):
    jobs: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()
    for i in range(requests):
        body = json.dumps({"person_id": persons[i % len(persons)], "bill": bill(i + offset)}).encode()
        jobs.put_nowait((f"bench-{offset}-{i}", body))
    latencies: list[float] = []
    codes: list[int] = []
    started = time.perf_counter()
    await asyncio.gather(*(client(port, key, jobs, latencies, codes) for _ in range(concurrency)))
    return time.perf_counter() - started, latencies, codes


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its children, from /proc (Linux)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    while pids:
        current = pids.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rpartition(")")[2].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        pids.extend(int(c) for c in children)
    return total


def database_cpu_seconds(database: str) -> float:
    """CPU time of the local PostgreSQL backends serving one database (0 when it is not local)."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if f" {database} " not in (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode():
                continue
            fields = (entry / "stat").read_text().rpartition(")")[2].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    process = subprocess.Popen(
        [*YIBAO, "serve", "--database-url", url, "--port", str(port), "--workers", str(workers)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ},
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/policies", timeout=2):
                return process, port
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit("the server did not start") from None
            time.sleep(0.2)


def run(backend: str, concurrency: int, args: argparse.Namespace) -> bool:
    """One measured run on a fresh database; whether every request was recorded and the ledger is clean."""
    name = f"yibao_bench_{secrets.token_hex(4)}"
    if backend == "postgresql":
        with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
            admin.execute(f'CREATE DATABASE "{name}"')
        url = f"{args.pg}/{name}"
    else:
        url = f"sqlite:///{tempfile.mkdtemp(prefix='yibao-bench-')}/bench.sqlite3"
    try:
        key, persons = prepare(url, args.persons)
        workers = args.workers or WORKERS[backend]
        process, port = serve(url, workers)
        try:
            asyncio.run(load(port, key, persons, 200, concurrency, 10**6))  # warm up
            cpu_before = cpu_seconds(process.pid), database_cpu_seconds(name), time.process_time()
            measured = load(port, key, persons, args.requests, concurrency, 0)
            elapsed, latencies, codes = asyncio.run(measured)
            client_cpu = time.process_time() - cpu_before[2]
            server_cpu = cpu_seconds(process.pid) - cpu_before[0]
            database_cpu = database_cpu_seconds(name) - cpu_before[1]
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        recorded = codes.count(201)
        q = statistics.quantiles(latencies, n=100)
        db = Database(url)
        differences, counts = verify_ledger(db)
        db.dispose()
        per = 1000 / max(recorded, 1)
        cpu = f"server {server_cpu * per:.2f}, " + (
            f"PostgreSQL {database_cpu * per:.2f}, " if backend == "postgresql" else ""
        )
        print(
            f"{backend:10s} {recorded} recorded in {elapsed:.2f} s: {recorded / elapsed:.0f} settlements/s, "
            f"p50 {q[49] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms, other statuses {len(codes) - recorded}, "
            f"CPU ms per settlement: {cpu}client {client_cpu * per:.2f}; "
            f"ledger {'OK' if not differences else f'{len(differences)} differences'} "
            f"({counts['settlements']} settlements) [workers {workers}, connections {concurrency}]",
            flush=True,
        )
        return recorded == len(codes) == args.requests and not differences
    finally:
        if backend == "postgresql":
            with psycopg.connect(f"{args.pg}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--backend", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--concurrency", default="16", help="connections; a list (4,8,16) runs each")
    parser.add_argument("--persons", type=int, default=300)
    parser.add_argument("--workers", type=int, help="server processes (default: SQLite 1, PostgreSQL 2)")
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432")
    args = parser.parse_args()
    clean = True
    for backend in ("sqlite", "postgresql") if args.backend == "both" else (args.backend,):
        for concurrency in (int(c) for c in args.concurrency.split(",")):
            clean = run(backend, concurrency, args) and clean
    if not clean:
        raise SystemExit("some requests were not recorded, or the ledger has differences (see above)")


if __name__ == "__main__":
    main()
