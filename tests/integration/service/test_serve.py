"""`yibao serve`, `db upgrade`, `keys` and `ledger verify` as a user runs them: real processes."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.service.conftest import _admin
from tests.integration.service.processes import Server, yibao
from yibao.store.database import Database
from yibao.store.migrate import current_revision, head_revision


def test_serve_without_configuration_creates_and_migrates_sqlite_in_the_data_dir(tmp_path: Path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    server = Server(env=env)
    try:
        server.wait_ready()
        assert "database: sqlite:///" + str(tmp_path / "yibao" / "yibao.sqlite3") in "".join(server.lines)
        denied = httpx.post(f"{server.url}/v1/persons", json={}, timeout=10)
        assert denied.status_code == 401
        assert denied.headers["content-type"] == "application/problem+json"
    finally:
        server.stop()
    path = tmp_path / "yibao" / "yibao.sqlite3"
    db = Database(f"sqlite:///{path}")
    assert current_revision(db) == head_revision()
    db.dispose()
    created = yibao("keys", "create", "--role", "auditor", env=env)
    assert created.returncode == 0, created.stderr
    assert created.stdout.startswith("yb_")
    listed = json.loads(yibao("keys", "list", env=env).stdout)
    assert [k["role"] for k in listed] == ["auditor"]
    secret = created.stdout.strip().split("_", 2)[2]  # yb_<id>_<secret>; the secret may hold "_" too
    assert len(secret) >= 40
    assert secret not in json.dumps(listed)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with no yibao tables."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    request.getfixturevalue("pg_template")  # skips when PostgreSQL is not there
    name = f"yibao_empty_{tmp_path.name[-8:].lower().replace('-', '_')}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_an_external_database_not_at_head_is_refused_until_db_upgrade(empty_database: str):
    refused = yibao("serve", "--database-url", empty_database, "--port", "1")
    assert refused.returncode == 2
    shown = empty_database.replace("postgresql://", "postgresql+psycopg://")
    assert refused.stderr.strip() == (
        f"error: the database {shown} is not initialised (no yibao tables); this yibao needs revision "
        f"{head_revision()}. Run `yibao db upgrade --database-url {shown}` (or with YIBAO_DATABASE_URL set), "
        "then start the service again"
    )
    upgraded = yibao("db", "upgrade", env={"YIBAO_DATABASE_URL": empty_database})
    assert upgraded.returncode == 0, upgraded.stderr
    assert (
        upgraded.stdout.strip() == f"{shown}: upgraded from an empty database to revision {head_revision()}"
    )
    again = yibao("db", "upgrade", "--database-url", empty_database)
    assert again.stdout.strip() == f"{shown} is already at revision {head_revision()}"
    verified = yibao("ledger", "verify", "--database-url", empty_database, "--json")
    assert json.loads(verified.stdout) == {
        "ok": True,
        "checked": {"accumulators": 0, "accounts": 0, "settlements": 0},
        "differences": [],
    }


def test_an_unreachable_database_is_one_clear_line_without_the_password():
    done = yibao("db", "upgrade", "--database-url", "postgresql://yibao:s3cret@127.0.0.1:1/nowhere")
    assert done.returncode == 2
    assert "s3cret" not in done.stderr
    assert done.stderr.startswith(
        "error: cannot reach the database postgresql+psycopg://yibao:***@127.0.0.1:1/nowhere: connection failed:"
    )
    assert done.stderr.strip().endswith(
        "check --database-url or YIBAO_DATABASE_URL, and that the server is running and the database exists"
    )
    assert "Traceback" not in done.stderr


def _children(pid: int) -> list[int]:
    return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_serve_with_workers_runs_each_on_the_port_and_sigterm_stops_them_all(tmp_path: Path):
    server = Server("--workers", "2", env={"XDG_DATA_HOME": str(tmp_path)})
    try:
        server.wait_ready()
        workers = [c for c in _children(server.process.pid) if "spawn_main" in _cmdline(c)]
        assert len(workers) == 2, "".join(server.lines)
        for _ in range(8):  # new connections each: whichever worker takes one answers
            with httpx.Client() as client:
                assert client.get(f"{server.url}/v1/policies", timeout=10).status_code == 200
    finally:
        server.stop()
    assert server.process.returncode == 0, "".join(server.lines)
    assert not [w for w in workers if Path(f"/proc/{w}").exists()], "a worker outlived the server"


def _cmdline(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def _gone_within(pids: list[int], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while any(Path(f"/proc/{p}").exists() for p in pids):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc (Linux)")
def test_workers_of_a_killed_server_end_with_it_and_free_the_port(tmp_path: Path):
    server = Server("--workers", "2", env={"XDG_DATA_HOME": str(tmp_path)})
    server.wait_ready()
    workers = [c for c in _children(server.process.pid) if "spawn_main" in _cmdline(c)]
    assert len(workers) == 2, "".join(server.lines)
    server.kill()
    assert _gone_within(workers, 30), "a worker outlived its SIGKILLed server"
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", server.port))  # nobody listens there any more


def test_a_second_server_on_a_taken_port_is_refused_instead_of_sharing_it(tmp_path: Path):
    env = {"XDG_DATA_HOME": str(tmp_path)}
    first = Server("--workers", "2", env=env)
    try:
        first.wait_ready()
        second = yibao("serve", "--port", str(first.port), "--workers", "2", env=env, timeout=60)
    finally:
        first.stop()
    assert second.returncode == 2, second.stdout + second.stderr
    assert f"error: --port: cannot listen on 127.0.0.1:{first.port} (Address already in use)" in second.stderr
