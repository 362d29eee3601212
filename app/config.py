from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FWATLAS_", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{ROOT / 'data' / 'atlas.db'}",
        validation_alias=AliasChoices("FWATLAS_DATABASE_URL", "DATABASE_URL"),
    )
    seed_path: Path = ROOT / "seed"
    host: str = Field(default="127.0.0.1", validation_alias=AliasChoices("FWATLAS_HOST", "HOST"))
    port: int = Field(default=8000, validation_alias=AliasChoices("FWATLAS_PORT", "PORT"))
    cache_max_age: int = 60
    data_licence: str = "CC-BY-4.0"
    # Request bodies over this are a 413, decided before they are read.
    max_body_bytes: int = 64 * 1024
    # One header over this, or all of them over the next, is a 431.
    max_header_bytes: int = 8 * 1024
    max_headers_bytes: int = 32 * 1024
    # Requests the app works on at once beyond its response cache (each holds at most one
    # connection and one worker thread); more wait in a queue of `max_queue` for up to
    # `queue_timeout` seconds, and the rest are shed with a 503. See docs/operations.md.
    max_concurrency: int = 8
    max_queue: int = 32
    queue_timeout: float = 1.0
    # A request shed because all of that is full waits about this long (jittered) for its
    # 503, so clients retrying at once cannot saturate the event loop. 0: at once.
    shed_hold: float = Field(default=0.25, ge=0, le=5)
    db_pool_timeout: float = 5.0
    # Answers over this many bytes are sent compressed to clients that accept it.
    compress_min_bytes: int = 1024
    # Every worker re-reads the dataset version this often (seconds).
    version_check_interval: float = 1.0
    cache_max_bytes: int = 64 * 1024 * 1024
    # The package index's JSON API base (the part before /<package>/json).
    pypi_json_url: str | None = None
    pypi_timeout: float = 10.0
    # The npm registry's base (the part before /<package>/latest).
    npm_registry_url: str | None = None
    npm_timeout: float = 20.0
    # `fwatlas serve` (app/serve.py; README, "Behind a load balancer").
    server: Literal["granian", "uvicorn", "uvicorn-h11"] = "uvicorn"
    workers: int = Field(default=1, ge=1)
    access_log: bool = True
    access_log_format: Literal["text", "json"] = "text"
    # Comma-separated addresses or networks whose X-Forwarded-For/-Proto are believed.
    forwarded_allow_ips: str = "127.0.0.1,::1"
    # Seconds: an idle keep-alive connection, and a request line plus headers, may take
    # this long before the connection is closed.
    keepalive_timeout: int = Field(default=5, ge=1)
    header_timeout: int = Field(default=10, ge=1)
    # Seconds in-flight requests get to finish after SIGTERM before workers are killed.
    graceful_timeout: int = Field(default=30, ge=1)
    server_log_level: Literal["critical", "error", "warning", "info", "debug"] = "info"


@lru_cache
def get_settings() -> Settings:
    return Settings()
