"""Real databases for the service tests: a fresh SQLite file or PostgreSQL database per test.

PostgreSQL runs on 127.0.0.1:5432 (user postgres, trust auth); each test gets its own
database, copied from a template migrated once per session, and drops it afterwards.
"""

from __future__ import annotations

import os
import secrets
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from yibao.api.app import create_app
from yibao.api.settings import ServiceSettings
from yibao.store.database import Database
from yibao.store.keys import create_key
from yibao.store.migrate import upgrade
from yibao.store.national_id import check_character

PG_SERVER = os.environ.get("YIBAO_TEST_PG", "postgresql://postgres@127.0.0.1:5432")
BACKENDS = ["sqlite", "postgresql"]


def national_id(serial: int, region: str = "371502") -> str:
    """A valid national ID number (check digit included) unique per serial."""
    birth = f"19{50 + serial // 1000 % 50:02d}0{1 + serial // 100 % 9}{10 + serial % 18:02d}"
    first17 = f"{region}{birth}{serial % 1000:03d}"
    return first17 + check_character(first17)


def _admin() -> psycopg.Connection:
    return psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3)


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A database migrated once; each test's database is a copy of it."""
    try:
        admin = _admin()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {PG_SERVER}: {exc}")
    name = f"yibao_tpl_{secrets.token_hex(4)}"
    admin.execute(f'CREATE DATABASE "{name}"')
    db = Database(f"{PG_SERVER}/{name}")
    upgrade(db)
    db.dispose()
    yield name
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once; each test copies it."""
    path = tmp_path_factory.mktemp("template") / "yibao.sqlite3"
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


def fresh_database(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a new, migrated database of a backend; dropped after the test."""
    if backend == "sqlite":
        path = tmp_path / "yibao.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    name = f"yibao_test_{secrets.token_hex(6)}"
    with _admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    yield f"{PG_SERVER}/{name}"
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh database per test, once on SQLite and once on PostgreSQL."""
    yield from fresh_database(request.param, request, tmp_path)


@dataclass
class Service:
    """An app on a fresh database, with an operator and an auditor key."""

    url: str
    app: FastAPI
    client: TestClient
    operator: dict[str, str]
    auditor: dict[str, str]
    db: Database

    def register(self, serial: int, scheme: str = "cn-371500.employee", category: str = "active") -> str:
        body = {
            "name": f"参保人{serial}",
            "national_id": national_id(serial),
            "scheme": scheme,
            "category": category,
        }
        response = self.client.post("/v1/persons", json=body, headers=self.operator)
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def cover(self, person: str, year: int = 2025, **body: object) -> None:
        data = {"contribution_status": "paid", **body}
        response = self.client.put(f"/v1/persons/{person}/coverage/{year}", json=data, headers=self.operator)
        assert response.status_code == 200, response.text

    def settle(self, person: str, bill: dict[str, Any], key: str) -> dict[str, Any]:
        headers = {**self.operator, "Idempotency-Key": key}
        response = self.client.post(
            "/v1/settlements", json={"person_id": person, "bill": bill}, headers=headers
        )
        assert response.status_code == 201, response.text
        found: dict[str, Any] = response.json()
        return found


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def open_service(database_url: str) -> Iterator[Service]:
    """The app on a migrated database with an operator and an auditor key, entered as a TestClient."""
    db = Database(database_url)
    _, operator = create_key(db, "operator", "tests")
    _, auditor = create_key(db, "auditor", "tests")
    app = create_app(ServiceSettings(database_url=database_url))
    with TestClient(app) as client:
        yield Service(database_url, app, client, bearer(operator), bearer(auditor), db)
    db.dispose()


@pytest.fixture
def service(database_url: str) -> Iterator[Service]:
    """The app on a fresh database (both backends), entered as a TestClient."""
    yield from open_service(database_url)


@pytest.fixture
def live_server(service: Service) -> Iterator[str]:
    """The same app served over real HTTP on a free port (uvicorn in a thread)."""
    config = uvicorn.Config(service.app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
