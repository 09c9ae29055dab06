"""Settings read from the environment (and an optional ``.env``).

Nothing is read at import time: call :func:`load_settings` where the program starts. Every check that needs
no file system or network lives here, as a validator whose message is the Chinese sentence the CLI prints
(:func:`describe_errors`); a message never repeats the token or a database password.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

# A bot token is "<bot id>:<secret>" (the secret is 35 characters today); see @BotFather.
TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{20,}")
# The async drivers the project installs, by backend.
SUPPORTED_DRIVERS = {"sqlite": "aiosqlite", "postgresql": "asyncpg"}
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_PUSH_RATE = 25.0  # reminders a second (handlers.services.reminders.DEFAULT_PUSH_RATE)
MAX_PUSH_RATE = 28.0  # of Telegram's ~30 a second, at least 2 stay for replies
SWITCH_ON = frozenset({"on", "true", "yes", "1"})
SWITCH_OFF = frozenset({"off", "false", "no", "0"})
DATABASE_URL_EXAMPLE = "sqlite+aiosqlite:///./branchbot.db 或 postgresql+asyncpg://用户:密码@主机:5432/库名"


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
    log_level: str = Field(default="INFO", validation_alias="BRANCHBOT_LOG_LEVEL")
    # Reminders (issue 8): the in-process sender on or off, its rate, and the yearly review's opening date.
    reminders: bool = Field(default=True, validation_alias="BRANCHBOT_REMINDERS")
    push_rate: float = Field(default=DEFAULT_PUSH_RATE, validation_alias="BRANCHBOT_PUSH_RATE")
    review_date: tuple[int, int] = Field(default=(12, 1), validation_alias="BRANCHBOT_REVIEW_DATE")
    # The dashboard and the webhook (issue 10): where the aiohttp app listens, the public URL for links, and the
    # secret Telegram sends with each webhook update (generated at start-up if unset; never logged).
    web_host: str = Field(default="127.0.0.1", validation_alias="BRANCHBOT_WEB_HOST")
    web_port: int = Field(default=8080, ge=0, le=65535, validation_alias="BRANCHBOT_WEB_PORT")
    public_url: str | None = Field(default=None, validation_alias="BRANCHBOT_PUBLIC_URL")
    webhook_secret: SecretStr | None = Field(default=None, validation_alias="BRANCHBOT_WEBHOOK_SECRET")

    @field_validator("telegram_bot_token", mode="before")
    @classmethod
    def _check_token(cls, value: object) -> object:
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        if not TOKEN_RE.fullmatch(value):  # the message never repeats the value
            raise ValueError(
                "令牌格式不对，应形如“123456789:”加 35 位字母数字（向 @BotFather 获取）；请检查是否复制完整、"
                "没有多余的引号或空格"
            )
        return value

    @field_validator("telegram_api_base_url", mode="before")
    @classmethod
    def _check_base_url(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value):
            raise ValueError(
                f"“{value}”不是 http(s) 地址；应形如 http://127.0.0.1:8081/bot，不用时请删掉这一项"
            )
        return value

    @field_validator("database_url", mode="before")
    @classmethod
    def _check_database_url(cls, value: object) -> object:
        if isinstance(value, str):
            check_database_url(value.strip())
            return value.strip()
        return value

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _parse_admin_ids(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        ids = set()
        for part in (p.strip() for p in value.replace("，", ",").split(",")):
            if not part:
                continue
            if not part.isascii() or not part.isdigit() or int(part) <= 0:
                raise ValueError(
                    f"“{part}”不是 Telegram 用户编号；应是用逗号分隔的正整数，例如 12345678,87654321"
                )
            ids.add(int(part))
        if value.strip() and not ids:
            raise ValueError("没有写任何用户编号；应是用逗号分隔的正整数，例如 12345678,87654321")
        return frozenset(ids)

    @field_validator("tz")
    @classmethod
    def _check_tz(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # KeyError / bad key / a folder name
            raise ValueError(f"“{value}”不是已知的时区；应是 IANA 时区名，例如 Asia/Shanghai") from None
        return value

    @field_validator("kb_dir", "public_url", "webhook_secret", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("log_level", mode="before")
    @classmethod
    def _check_log_level(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        level = value.strip().upper() or "INFO"
        if level not in LOG_LEVELS:
            raise ValueError(f"“{value}”不是日志级别；应是 {'、'.join(LOG_LEVELS)} 之一")
        return level

    @field_validator("reminders", mode="before")
    @classmethod
    def _parse_switch(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        word = value.strip().lower()
        if word in SWITCH_ON or not word:
            return True
        if word in SWITCH_OFF:
            return False
        raise ValueError(
            f"“{value}”应为 on 或 off（off：本进程不发送提醒，由 branchbot reminders send 发送）"
        )

    @field_validator("push_rate", mode="before")
    @classmethod
    def _check_push_rate(cls, value: object) -> object:
        if value is None or (isinstance(value, str) and not value.strip()):
            return DEFAULT_PUSH_RATE
        return check_push_rate(value)

    @field_validator("review_date", mode="before")
    @classmethod
    def _parse_review_date(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return parse_review_date(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.tz)

    @property
    def token(self) -> str | None:
        return self.telegram_bot_token.get_secret_value() if self.telegram_bot_token else None

    @property
    def logging_level(self) -> int:
        return logging.getLevelName(self.log_level)


def check_push_rate(value: object) -> float:
    """Messages a second for reminders: a number above 0 and at most :data:`MAX_PUSH_RATE` (``ValueError`` in
    Chinese otherwise). Telegram allows about 30 a second in all; the rest is the replies' share."""
    try:
        rate = float(str(value).strip()) if not isinstance(value, int | float) else float(value)
    except ValueError:
        rate = float("nan")
    if isinstance(value, bool) or not 0 < rate <= MAX_PUSH_RATE:
        raise ValueError(
            f"“{value}”不是有效的发送速率；应是大于 0、不超过 {MAX_PUSH_RATE:g} 的数（每秒条数，默认 "
            f"{DEFAULT_PUSH_RATE:g}；Telegram 每秒约 30 条，其余留给对话回复）"
        )
    return rate


def parse_review_date(text: str) -> tuple[int, int]:
    """``MM-DD`` (e.g. ``12-01``): the day the yearly 述职评议 reminder opens; ``ValueError`` in Chinese otherwise."""
    from knowledge.schedule import ScheduleConfig

    match = re.fullmatch(r"\s*(\d{1,2})-(\d{1,2})\s*", text)
    try:
        if match is None:
            raise ValueError
        day = (int(match.group(1)), int(match.group(2)))
        ScheduleConfig(yearly_open=day)
    except ValueError:
        raise ValueError(
            f"“{text}”不是有效的日期；应形如 12-01（月-日），且在 12 月 24 日之前（年度最后提醒之前）"
        ) from None
    return day


def check_database_url(url: str) -> None:
    """Raise ``ValueError`` (a Chinese sentence without the password) unless ``url`` is a SQLAlchemy URL
    for one of :data:`SUPPORTED_DRIVERS`."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ValueError(f"无法解析；应形如 {DATABASE_URL_EXAMPLE}") from None
    backend, _, driver = parsed.drivername.partition("+")
    if SUPPORTED_DRIVERS.get(backend) != driver:
        hint = f"{backend}+{SUPPORTED_DRIVERS[backend]}" if backend in SUPPORTED_DRIVERS else None
        advice = f"请改用 {hint}://" if hint else f"只支持 SQLite 和 PostgreSQL，例如 {DATABASE_URL_EXAMPLE}"
        raise ValueError(f"不支持的数据库驱动“{parsed.drivername}”；{advice}")
    if backend == "postgresql" and not parsed.database:
        raise ValueError("没有写数据库名；应形如 postgresql+asyncpg://用户:密码@主机:5432/库名")


def describe_errors(exc: ValidationError) -> str:
    """One Chinese line naming each bad setting and what to do (never the value of the token)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        name = ".".join(map(str, error["loc"])) or "配置"
        cause = (error.get("ctx") or {}).get("error")
        if isinstance(cause, ValueError):
            text = str(cause)
        elif name == "TELEGRAM_BOT_TOKEN":
            text = "值无效"
        else:
            text = f"值无效（{error['msg']}）"
        problems.append(f"{name}：{text}")
    return "配置有误：" + "；".join(problems) + "。"


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)
