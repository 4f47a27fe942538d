"""Settings: secrets required outside dev mode, dev secret persisted and shared."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.platform.settings import DatabaseSettings, Settings, load_or_create_dev_secret

SETTING_NAMES = {name.upper() for name in Settings.model_fields} | {
    "DATABASE_URL",
    "DB_DSN",
    "ACCESS_TOKEN_TTL",
}


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings read the environment: start each test from none of ours."""
    for name in list(os.environ):
        if name.upper() in SETTING_NAMES:
            monkeypatch.delenv(name)
    monkeypatch.setenv("DATA_DIR", str(tmp_path))


def test_secret_key_is_required_outside_dev_mode() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY is not set"):
        Settings()


def test_short_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "too-short")
    with pytest.raises(ValidationError, match="at least 32"):
        Settings()


def test_dev_mode_generates_and_keeps_a_secret(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DEV_MODE", "1")
    first = Settings().jwt_secret
    second = Settings().jwt_secret
    assert first == second
    assert len(first) >= 32
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_concurrent_first_starts_share_one_secret(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=8) as pool:
        secrets = set(pool.map(lambda _: load_or_create_dev_secret(tmp_path), range(16)))
    assert len(secrets) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["secret_key"]


def test_default_database_is_sqlite_in_data_dir(tmp_path: Path) -> None:
    assert DatabaseSettings().database_url == f"sqlite+aiosqlite:///{tmp_path}/minor-illusion.db"


def test_db_dsn_is_an_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DB_DSN", "cockroachdb+asyncpg://root@db:26257/defaultdb")
    assert DatabaseSettings().database_url == "cockroachdb+asyncpg://root@db:26257/defaultdb"


def test_cors_origins_are_comma_separated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEV_MODE", "1")
    monkeypatch.setenv("CORS_ORIGINS", "http://a.example, http://b.example")
    assert Settings().cors_origins == ["http://a.example", "http://b.example"]


def test_access_token_ttl_in_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEV_MODE", "1")
    monkeypatch.setenv("ACCESS_TOKEN_TTL", "90")
    assert Settings().access_token_ttl.total_seconds() == 90


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("LOGIN_FAILURES_PER_NAME", str(2**31)),  # would reach the INTEGER column
        ("LOGIN_LOCKOUT_SECONDS", str(10**12)),  # would overflow datetime arithmetic
        ("ACCESS_TOKEN_TTL", str(10**12)),
        ("DB_TIMEOUT", "0"),
        ("DB_TIMEOUT", "nan"),
    ],
)
def test_out_of_range_settings_are_refused_at_startup(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv("DEV_MODE", "1")
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValidationError):
        Settings()
