"""Settings read from the environment (and an optional ``.env``).

Nothing is read at import time: call :func:`load_settings` where the program starts.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", populate_by_name=True
    )

    telegram_bot_token: SecretStr | None = Field(default=None, validation_alias="TELEGRAM_BOT_TOKEN")
    telegram_api_base_url: str | None = Field(default=None, validation_alias="TELEGRAM_API_BASE_URL")
    database_url: str = Field(default="sqlite+aiosqlite:///./branchbot.db", validation_alias="DATABASE_URL")
    data_dir: Path = Field(default=Path("./data"), validation_alias="BRANCHBOT_DATA_DIR")
    tz: str = Field(default="Asia/Shanghai", validation_alias="BRANCHBOT_TZ")
    admin_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(), validation_alias="BRANCHBOT_ADMIN_IDS"
    )
    kb_dir: Path | None = Field(default=None, validation_alias=AliasChoices("BRANCHBOT_KB_DIR"))

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [p.strip() for p in value.replace("，", ",").split(",")]
            return frozenset(int(p) for p in parts if p)
        return value

    @field_validator("tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except ZoneInfoNotFoundError:  # a KeyError: pydantic would let it escape as a crash
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("telegram_api_base_url", "kb_dir", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)
