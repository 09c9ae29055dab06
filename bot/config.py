"""Settings read from the environment (and an optional ``.env``), in plain Python (pydantic cost ~9 MB).

Nothing is read at import time: call :func:`load_settings` where the program starts. Every check that needs
no file system or network lives here, as a converter whose message is the Chinese sentence the CLI prints
(:func:`describe_errors`); a message never repeats the token or a database password. Each value is taken by its
environment name (``BRANCHBOT_DATA_DIR``, any case) or, as a keyword, its field name (``data_dir``): keywords
beat the environment, which beats ``.env`` (``_env_file``: default ``.env``, UTF-8; ``None``: none), which beats
the defaults; unknown keys are ignored."""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.database_url import DATABASE_URL_EXAMPLE, check_database_url
from bot.secret_str import SecretStr

# A bot token is "<bot id>:<secret>" (the secret is 35 characters today); see @BotFather.
TOKEN_RE = re.compile(r"\d{1,20}:[A-Za-z0-9_-]{20,}")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
DEFAULT_PUSH_RATE = 25.0  # reminders a second (handlers.services.reminders.DEFAULT_PUSH_RATE)
MAX_PUSH_RATE = 28.0  # of Telegram's ~30 a second, at least 2 stay for replies
SWITCH_ON = frozenset({"on", "true", "yes", "1"})
SWITCH_OFF = frozenset({"off", "false", "no", "0"})
ENV_FILE = ".env"


class SettingsError(ValueError):
    """Every bad setting at once: ``problems`` is ``[(environment name, Chinese message), ...]``."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("配置有误：" + "；".join(f"{name}：{text}" for name, text in problems) + "。")


def describe_errors(exc: SettingsError) -> str:
    """One Chinese line naming each bad setting and what to do (never the value of the token)."""
    return str(exc)


# Converters: a value as given (text from the environment, any object as a keyword) to the field's type.


def _expected(what: str) -> ValueError:
    return ValueError(f"值无效；应是{what}")


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _as_int(value: object) -> int:
    """An integer as pydantic's lax mode read one: ``8080``, ``" 8080 "``, ``"8080.0"``, ``8080.0``, ``True``."""
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return int(value)
    if isinstance(value, str):
        if re.fullmatch(r"[+-]?\d[\d_]*(\.0*)?", text := value.strip()):
            return int(text.partition(".")[0])
    raise ValueError(value)


def _token(value: object) -> SecretStr | None:
    if isinstance(value, SecretStr):
        value = value.get_secret_value()
    if _blank(value):
        return None
    if not isinstance(value, str):  # the message never repeats the value
        raise _expected("文本（机器人令牌，向 @BotFather 获取）")
    if not TOKEN_RE.fullmatch(value := value.strip()):
        raise ValueError(
            "令牌格式不对，应形如“123456789:”加 35 位字母数字（向 @BotFather 获取）；请检查是否复制完整、"
            "没有多余的引号或空格"
        )
    return SecretStr(value)


def _base_url(value: object) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise _expected("http(s) 地址，例如 http://127.0.0.1:8081/bot")
    if not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value := value.strip()):
        raise ValueError(f"“{value}”不是 http(s) 地址；应形如 http://127.0.0.1:8081/bot，不用时请删掉这一项")
    return value


def _database_url(value: object) -> str:
    if not isinstance(value, str):  # not repeated: it may hold a password
        raise _expected(f"文本，形如 {DATABASE_URL_EXAMPLE}")
    check_database_url(value.strip())
    return value.strip()


def _path(value: object) -> Path:
    if not isinstance(value, str | os.PathLike):
        raise _expected("文件夹路径")
    return Path(value)


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise _expected("文本")
    return value


def _or_default(convert: Callable[[object], Any], default: object) -> Callable[[object], Any]:
    """``convert``, except that nothing or blank text is ``default`` (``BRANCHBOT_WEB_HOST=`` in a unit file
    means "not set", never "every interface"; a blank folder is not the working folder)."""
    return lambda value: default if _blank(value) else convert(value)


def _host(value: object) -> str:
    return _text(value).strip()


def _optional(convert: Callable[[object], Any]) -> Callable[[object], Any]:
    """``convert``, except that nothing or blank text is ``None``."""
    return lambda value: None if _blank(value) else convert(value)


def _secret(value: object) -> SecretStr | None:
    if isinstance(value, SecretStr) or _blank(value):
        return value if isinstance(value, SecretStr) else None
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", _text(value)):  # Telegram's rule; the value is not repeated
        raise ValueError("只能由 1 到 256 个英文字母、数字、_ 或 - 组成；不设置时启动会自动生成")
    return SecretStr(_text(value))


def _public_url(value: object) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str) or not re.fullmatch(r"https?://[^/\s]+(/\S*)?", value := value.strip()):
        raise ValueError(
            f"“{value}”不是 http(s) 地址；应形如 https://bot.example.org，不用网页看板时请删掉这一项"
        )
    return value


def _tz(value: object) -> str:
    value = _text(value)
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # KeyError / bad key / a folder name
        raise ValueError(f"“{value}”不是已知的时区；应是 IANA 时区名，例如 Asia/Shanghai") from None
    return value


def _admin_ids(value: object) -> frozenset[int]:
    if not isinstance(value, str):
        items = list(value) if isinstance(value, set | frozenset | list | tuple) else [None]
        if not all(
            (type(i) is int or isinstance(i, str) and i.strip().isdigit()) and int(i) > 0 for i in items
        ):
            raise _expected("用逗号分隔的正整数，例如 12345678,87654321")  # True, 0, -5, "x" are no user ids
        return frozenset(int(i) for i in items)
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


def _log_level(value: object) -> str:
    level = _text(value).strip().upper() or "INFO"
    if level not in LOG_LEVELS:
        raise ValueError(f"“{value}”不是日志级别；应是 {'、'.join(LOG_LEVELS)} 之一")
    return level


def _switch(value: object) -> bool:
    if isinstance(value, bool) or (type(value) is int and value in (0, 1)):
        return bool(value)
    word = value.strip().lower() if isinstance(value, str) else None
    if word in SWITCH_ON or word == "":
        return True
    if word in SWITCH_OFF:
        return False
    raise ValueError(f"“{value}”应为 on 或 off（off：本进程不发送提醒，由 branchbot reminders send 发送）")


def _push_rate(value: object) -> float:
    return DEFAULT_PUSH_RATE if _blank(value) else check_push_rate(value)


def _review_date(value: object) -> tuple[int, int]:
    if isinstance(value, str):
        return parse_review_date(value)
    if isinstance(value, tuple | list) and len(value) == 2 and all(type(part) is int for part in value):
        return (value[0], value[1])
    raise _expected("形如 12-01 的日期（月-日）")


def _port(value: object) -> int:
    try:
        port = _as_int(value)
    except ValueError:
        port = -1
    if port == 0:  # the system would pick a port that nobody is told
        raise ValueError(
            "端口 0 表示随机端口，看板和 webhook 的地址将无从得知；应是 1 到 65535 之间的整数，例如 8080"
        )
    if not 1 <= port <= 65535:
        raise ValueError(f"“{value}”不是有效的端口号；应是 1 到 65535 之间的整数，例如 8080")
    return port


class Field(NamedTuple):
    """One setting: its attribute, its environment name, its default and its converter."""

    name: str
    env: str
    default: Any
    convert: Callable[[object], Any]

    @property
    def validation_alias(self) -> str:  # the name pydantic gave it; kept for callers written against it
        return self.env


FIELDS = (
    Field("telegram_bot_token", "TELEGRAM_BOT_TOKEN", None, _token),
    Field("telegram_api_base_url", "TELEGRAM_API_BASE_URL", None, _base_url),
    Field("database_url", "DATABASE_URL", "sqlite+aiosqlite:///./branchbot.db", _database_url),
    Field("data_dir", "BRANCHBOT_DATA_DIR", Path("./data"), _or_default(_path, Path("./data"))),
    Field("tz", "BRANCHBOT_TZ", "Asia/Shanghai", _tz),
    Field("admin_ids", "BRANCHBOT_ADMIN_IDS", frozenset(), _admin_ids),
    Field("kb_dir", "BRANCHBOT_KB_DIR", None, _optional(_path)),
    Field("log_level", "BRANCHBOT_LOG_LEVEL", "INFO", _log_level),
    # Reminders (issue 8): the in-process sender on or off, its rate, and the yearly review's opening date.
    Field("reminders", "BRANCHBOT_REMINDERS", True, _switch),
    Field("push_rate", "BRANCHBOT_PUSH_RATE", DEFAULT_PUSH_RATE, _push_rate),
    Field("review_date", "BRANCHBOT_REVIEW_DATE", (12, 1), _review_date),
    # The dashboard and the webhook (issue 10): where the aiohttp app listens, the public URL for links, and the
    # secret Telegram sends with each webhook update (generated at start-up if unset; never logged).
    Field("web_host", "BRANCHBOT_WEB_HOST", "127.0.0.1", _or_default(_host, "127.0.0.1")),
    Field("web_port", "BRANCHBOT_WEB_PORT", 8080, _or_default(_port, 8080)),
    Field("public_url", "BRANCHBOT_PUBLIC_URL", None, _public_url),
    Field("webhook_secret", "BRANCHBOT_WEBHOOK_SECRET", None, _secret),
)


def read_env_file(path: str | os.PathLike[str]) -> dict[str, str]:
    """``.env``'s values by upper-case name (python-dotenv: quotes, ``export``, comments); ``{}`` if it is not a
    file. ``OSError`` / ``UnicodeDecodeError`` if it cannot be read as UTF-8."""
    file = Path(path).expanduser()
    if not (file.is_file() or file.is_fifo()):
        return {}
    from dotenv import dotenv_values

    values = dotenv_values(file, encoding="utf-8-sig")  # a BOM is not part of the first name
    return {name.upper(): value for name, value in values.items() if value is not None}


def _raw_values(given: Mapping[str, object], env_file: str | os.PathLike[str] | None) -> dict[str, object]:
    """Each field's value as given (field name -> value), from the first source that has it."""
    found: dict[str, object] = dict(read_env_file(env_file)) if env_file is not None else {}
    found.update((name.upper(), value) for name, value in os.environ.items())
    raw = {}
    for field in FIELDS:
        for source, key in ((given, field.env), (given, field.name), (found, field.env)):
            if key in source:
                raw[field.name] = source[key]
                break
    return raw


class Settings:
    """The bot's settings (see the module's docstring); read once, then not changed (:meth:`model_copy`)."""

    __slots__ = tuple(field.name for field in FIELDS)
    model_fields: Mapping[str, Field] = MappingProxyType({field.name: field for field in FIELDS})

    telegram_bot_token: SecretStr | None
    telegram_api_base_url: str | None
    database_url: str
    data_dir: Path
    tz: str
    admin_ids: frozenset[int]
    kb_dir: Path | None
    log_level: str
    reminders: bool
    push_rate: float
    review_date: tuple[int, int]
    web_host: str
    web_port: int
    public_url: str | None
    webhook_secret: SecretStr | None

    def __init__(self, _env_file: str | os.PathLike[str] | None = ENV_FILE, **values: object) -> None:
        raw = _raw_values(values, _env_file)
        problems = []
        for field in FIELDS:
            value = field.default
            if field.name in raw:
                try:
                    value = field.convert(raw[field.name])
                except ValueError as exc:
                    problems.append((field.env, str(exc)))
            object.__setattr__(self, field.name, value)
        if problems:
            raise SettingsError(problems)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"Settings are read-only; use model_copy(update={{{name!r}: ...}})")

    @staticmethod
    def _restore(values: tuple) -> Settings:
        settings = object.__new__(Settings)
        for field, value in zip(FIELDS, values, strict=True):
            object.__setattr__(settings, field.name, value)
        return settings

    def __reduce__(self) -> tuple:  # copy, deepcopy and pickle (``__setattr__`` refuses their slot state)
        return (Settings._restore, (tuple(getattr(self, field.name) for field in FIELDS),))

    @property
    def kb_folder(self) -> Path:
        """``BRANCHBOT_KB_DIR``, else ``<data_dir>/kb``: /adddoc writes there and start-up reads it (helper-110)."""
        return self.kb_dir if self.kb_dir is not None else self.data_dir / "kb"

    def kb_source(self) -> Path | None:
        """``kb_folder`` if it exists (the first /adddoc makes ``<data_dir>/kb``), for ``KnowledgeBase.default``."""
        return self.kb_folder if self.kb_folder.is_dir() else None

    def model_copy(self, *, update: Mapping[str, object] | None = None) -> Settings:
        """A copy with ``update``'s fields (by field name, already of the field's type) replaced."""
        copy = Settings._restore(tuple(getattr(self, field.name) for field in FIELDS))
        for name, value in (update or {}).items():
            object.__setattr__(copy, name, value)  # AttributeError unless a field
        return copy

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Settings):
            return NotImplemented
        return all(getattr(self, field.name) == getattr(other, field.name) for field in FIELDS)

    def __repr__(self) -> str:
        return f"Settings({', '.join(f'{field.name}={getattr(self, field.name)!r}' for field in FIELDS)})"

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
    except (ValueError, OverflowError):  # 10**400
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


def load_settings(**overrides: object) -> Settings:
    return Settings(**overrides)
