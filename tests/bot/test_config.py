"""``bot.config.Settings`` in plain Python: where each value comes from, its type, the one error naming every bad
setting, and that pydantic is never imported (it cost about 9 MB of the idle bot)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import SecretStr, Settings, SettingsError, describe_errors, load_settings
from tests.bot.conftest import CLI_TIMEOUT, TOKEN, cli_env


@pytest.fixture(autouse=True)
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No inherited setting, and the current folder (where ``.env`` is looked for) is ``tmp_path``."""
    for name in list(os.environ):
        if name.upper().startswith(("TELEGRAM_", "BRANCHBOT_", "DATABASE_URL")):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def _error(**values: object) -> str:
    with pytest.raises(SettingsError) as caught:
        Settings(_env_file=None, **values)
    assert isinstance(caught.value, ValueError)
    return describe_errors(caught.value)


def test_defaults() -> None:
    s = Settings(_env_file=None)
    assert s.token is None and s.telegram_bot_token is None and s.telegram_api_base_url is None
    assert s.database_url == "sqlite+aiosqlite:///./branchbot.db"
    assert s.data_dir == Path("data") and s.kb_dir is None
    assert (s.tz, s.zone.key, s.admin_ids, s.log_level, s.logging_level) == (
        "Asia/Shanghai", "Asia/Shanghai", frozenset(), "INFO", 20,
    )  # fmt: skip
    assert (s.reminders, s.push_rate, s.review_date) == (True, 25.0, (12, 1))
    assert (s.web_host, s.web_port, s.public_url, s.webhook_secret) == ("127.0.0.1", 8080, None, None)
    assert s == load_settings(_env_file=None)


def test_keywords_beat_the_environment_which_beats_dotenv(monkeypatch: pytest.MonkeyPatch) -> None:
    Path(".env").write_text(
        "# a comment\nexport BRANCHBOT_WEB_PORT=90\nbranchbot_tz='Europe/Paris'\nBRANCHBOT_ADMIN_IDS=\"1, 2\"\n"
        "BRANCHBOT_LOG_LEVEL=debug\nBRANCHBOT_PUBLIC_URL=https://bot.example.org/ # 公开地址\nJUNK=1\n",
        encoding="utf-8",
    )
    s = Settings()
    assert (s.web_port, s.tz, s.admin_ids, s.log_level) == (90, "Europe/Paris", frozenset({1, 2}), "DEBUG")
    assert s.public_url == "https://bot.example.org/"
    monkeypatch.setenv("BRANCHBOT_WEB_PORT", "91")
    monkeypatch.setenv("branchbot_log_level", "warning")  # any case
    s = Settings()
    assert (s.web_port, s.tz, s.log_level) == (91, "Europe/Paris", "WARNING")
    assert Settings(web_port=92).web_port == 92  # the field's name
    assert Settings(BRANCHBOT_WEB_PORT="93", web_port=92).web_port == 93  # the environment's name first
    assert Settings(_env_file=None).tz == "Asia/Shanghai"
    Path("other.env").write_text("BRANCHBOT_TZ=Asia/Tokyo\n", encoding="utf-8")
    assert Settings(_env_file="other.env").tz == Settings(_env_file=Path("other.env")).tz == "Asia/Tokyo"
    assert Settings(_env_file="missing.env", unknown=1, FOO="x").tz == "Asia/Shanghai"


def test_only_the_environment_names_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    """``TZ`` is the C library's, not ours (pydantic-settings read it as ``tz``: ``TZ=:/etc/localtime`` failed)."""
    monkeypatch.setenv("TZ", ":/etc/localtime")
    monkeypatch.setenv("WEB_PORT", "81")
    s = Settings(_env_file=None)
    assert (s.tz, s.web_port) == ("Asia/Shanghai", 8080)


def test_types_and_conversions() -> None:
    s = Settings(
        _env_file=None,
        TELEGRAM_BOT_TOKEN=f" {TOKEN} ",
        BRANCHBOT_DATA_DIR="/srv/data",
        BRANCHBOT_KB_DIR="/srv/kb",
        BRANCHBOT_ADMIN_IDS="12，34,",
        BRANCHBOT_REMINDERS="off",
        BRANCHBOT_PUSH_RATE="5",
        BRANCHBOT_REVIEW_DATE="11-05",
        BRANCHBOT_WEB_PORT=" 8081 ",
        BRANCHBOT_WEBHOOK_SECRET="hook",
        DATABASE_URL=" postgresql+asyncpg://u:p@h:5432/db ",
    )
    assert s.token == TOKEN and isinstance(s.telegram_bot_token, SecretStr)
    assert (s.data_dir, s.kb_dir) == (Path("/srv/data"), Path("/srv/kb"))
    assert (s.admin_ids, s.reminders, s.push_rate, s.review_date) == (
        frozenset({12, 34}),
        False,
        5.0,
        (11, 5),
    )
    assert s.web_port == 8081 and s.webhook_secret.get_secret_value() == "hook"
    assert s.database_url == "postgresql+asyncpg://u:p@h:5432/db"
    blank = Settings(
        _env_file=None, TELEGRAM_BOT_TOKEN=" ", BRANCHBOT_KB_DIR="", BRANCHBOT_WEBHOOK_SECRET="",
        BRANCHBOT_PUSH_RATE="", BRANCHBOT_REMINDERS="", BRANCHBOT_LOG_LEVEL="", BRANCHBOT_PUBLIC_URL=" ",
    )  # fmt: skip
    assert (blank.token, blank.kb_dir, blank.webhook_secret, blank.public_url) == (None, None, None, None)
    assert (blank.push_rate, blank.reminders, blank.log_level) == (25.0, True, "INFO")
    objects = Settings(
        _env_file=None, admin_ids=frozenset({1}), data_dir=Path("d"), reminders=False, review_date=(3, 1),
        telegram_bot_token=SecretStr(TOKEN), web_port=80.0,
    )  # fmt: skip
    assert (objects.admin_ids, objects.data_dir, objects.reminders, objects.review_date) == (
        frozenset({1}), Path("d"), False, (3, 1),
    )  # fmt: skip
    assert objects.token == TOKEN and objects.web_port == 80


def test_secrets_are_never_shown() -> None:
    s = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, BRANCHBOT_WEBHOOK_SECRET="hook-secret")
    for text in (repr(s), str(s), repr(s.telegram_bot_token), str(s.webhook_secret)):
        assert TOKEN not in text and "TEST-TOKEN" not in text and "hook-secret" not in text
    assert "SecretStr('**********')" in repr(s)


def test_a_webhook_secret_and_a_public_url_as_telegram_and_browsers_take_them() -> None:
    s = Settings(
        _env_file=None,
        BRANCHBOT_WEBHOOK_SECRET="ok_Secret-1",
        BRANCHBOT_PUBLIC_URL=" https://b.example.org/x ",
    )
    assert s.webhook_secret.get_secret_value() == "ok_Secret-1" and s.public_url == "https://b.example.org/x"
    assert "a b" not in _error(BRANCHBOT_WEBHOOK_SECRET="a b")


def test_read_only_and_model_copy() -> None:
    s = Settings(_env_file=None)
    with pytest.raises(AttributeError):
        s.web_port = 1  # type: ignore[misc]
    copy = s.model_copy(update={"webhook_secret": SecretStr("x"), "web_port": 9000})
    assert (copy.web_port, copy.webhook_secret.get_secret_value(), s.web_port) == (9000, "x", 8080)
    assert Settings.model_fields["data_dir"].validation_alias == "BRANCHBOT_DATA_DIR"


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"BRANCHBOT_WEB_PORT": "abc"},
            "BRANCHBOT_WEB_PORT：“abc”不是有效的端口号；应是 1 到 65535 之间的整数",
        ),
        ({"BRANCHBOT_WEB_PORT": "70000"}, "BRANCHBOT_WEB_PORT：“70000”不是有效的端口号"),
        ({"web_port": -1}, "BRANCHBOT_WEB_PORT：“-1”不是有效的端口号"),
        ({"BRANCHBOT_PUSH_RATE": "abc"}, "BRANCHBOT_PUSH_RATE：“abc”不是有效的发送速率"),
        ({"BRANCHBOT_REMINDERS": "maybe"}, "BRANCHBOT_REMINDERS：“maybe”应为 on 或 off"),
        ({"BRANCHBOT_REVIEW_DATE": "13-45"}, "BRANCHBOT_REVIEW_DATE：“13-45”不是有效的日期"),
        ({"DATABASE_URL": None}, "DATABASE_URL：值无效；应是文本"),
        ({"BRANCHBOT_DATA_DIR": 3}, "BRANCHBOT_DATA_DIR：值无效；应是文件夹路径"),  # None: the default
        ({"admin_ids": 3}, "BRANCHBOT_ADMIN_IDS：值无效；应是用逗号分隔的正整数"),
        ({"admin_ids": [0, -5, True]}, "BRANCHBOT_ADMIN_IDS：值无效；应是用逗号分隔的正整数"),
        ({"push_rate": 10**400}, "BRANCHBOT_PUSH_RATE："),
        # Telegram refuses such a secret at setWebhook (a 400, after start-up): refused here, never repeated.
        ({"BRANCHBOT_WEBHOOK_SECRET": "a b"}, "BRANCHBOT_WEBHOOK_SECRET：只能由 1 到 256 个英文字母、数字"),
        ({"BRANCHBOT_WEBHOOK_SECRET": "x" * 257}, "BRANCHBOT_WEBHOOK_SECRET：只能由"),
        ({"BRANCHBOT_PUBLIC_URL": "ftp://x"}, "BRANCHBOT_PUBLIC_URL：“ftp://x”不是 http(s) 地址"),
        (
            {"BRANCHBOT_PUBLIC_URL": "bot.example.org"},
            "BRANCHBOT_PUBLIC_URL：“bot.example.org”不是 http(s) 地址",
        ),
    ],
)
def test_type_errors_are_chinese(values: dict[str, object], expected: str) -> None:
    line = _error(**values)
    assert line.startswith("配置有误：") and expected in line and line.endswith("。")


def test_every_bad_setting_in_one_error_never_the_token() -> None:
    line = _error(TELEGRAM_BOT_TOKEN="123:TEST-TOKEN", BRANCHBOT_TZ="Mars/Olympus", BRANCHBOT_WEB_PORT="x")
    assert line.startswith("配置有误：TELEGRAM_BOT_TOKEN：令牌格式不对")
    assert "；BRANCHBOT_TZ：“Mars/Olympus”不是已知的时区" in line and "；BRANCHBOT_WEB_PORT：“x”" in line
    assert "TEST-TOKEN" not in line
    assert "TEST-TOKEN" not in _error(TELEGRAM_BOT_TOKEN=12345)


def test_no_pydantic_is_imported(tmp_path: Path) -> None:
    script = (
        "import sys, json\n"
        "import bot.config\n"
        "before = [m for m in sys.modules if m.startswith('pydantic')]\n"
        "settings = bot.config.Settings(BRANCHBOT_WEB_PORT='81')\n"
        "print(json.dumps([before, [m for m in sys.modules if m.startswith('pydantic')], settings.web_port, settings.tz]))\n"
    )
    (tmp_path / ".env").write_text("BRANCHBOT_TZ=Europe/Paris\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env=cli_env(tmp_path),
        capture_output=True,
        encoding="utf-8",
        timeout=CLI_TIMEOUT,
        check=True,
    )
    assert json.loads(done.stdout) == [[], [], 81, "Europe/Paris"]


def test_a_dotenv_saved_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("BRANCHBOT_TZ=Europe/Paris\n", encoding="utf-8-sig")
    assert Settings(_env_file=tmp_path / ".env").tz == "Europe/Paris"


def test_settings_copy_and_pickle_as_themselves() -> None:
    import copy
    import pickle

    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, BRANCHBOT_ADMIN_IDS="7,8")
    for twin in (copy.copy(settings), copy.deepcopy(settings), pickle.loads(pickle.dumps(settings))):
        assert twin == settings and twin.token == TOKEN and twin.admin_ids == frozenset({7, 8})
        assert TOKEN not in repr(twin)
