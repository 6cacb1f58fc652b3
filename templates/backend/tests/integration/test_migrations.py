"""The Alembic migrations build exactly the schema the models describe, and undo it."""

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, inspect

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def test_upgrade_check_downgrade(tmp_path: Path) -> None:
    # TEST_DATABASE_URL points the test at a real server, e.g. PostgreSQL in CI.
    url = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{tmp_path / 'migrations.db'}"
    config = Config(PROJECT_ROOT / "alembic.ini")
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
            command.check(config)
            command.downgrade(config, "base")
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
    finally:
        engine.dispose()
