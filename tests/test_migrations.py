"""Alembic: one head, upgrade and downgrade, and the models match the migrations."""

from collections.abc import Iterator

import pytest
from pytest_alembic import Config as AlembicTestConfig
from pytest_alembic.tests import (  # noqa: F401  (collected as tests here)
    test_model_definitions_match_ddl,
    test_single_head_revision,
    test_up_down_consistency,
    test_upgrade,
)
from sqlalchemy.engine import Engine

from app.db import make_engine


@pytest.fixture
def alembic_config() -> AlembicTestConfig:
    return AlembicTestConfig(config_options={"file": "alembic.ini"})


@pytest.fixture
def alembic_engine(migrations_url: str) -> Iterator[Engine]:
    engine = make_engine(migrations_url)
    yield engine
    engine.dispose()
