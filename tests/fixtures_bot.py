"""Fixtures that run the real bot against the Bot API emulator (a pytest plugin, see ``conftest.py``).

``running_bot`` builds ``Settings`` pointing at the emulator, builds the services (the real
``bot.app.build_services`` unless ``services=`` is given), runs the storage migrations when
``storage.migrate`` exists, builds the real ``Application`` with ``bot.app.build_application`` and
starts it with long polling the way ``branchbot run`` does::

    async def test_help(make_bot):
        async with make_bot() as bot:
            alice = bot.user(1001, "Alice")
            alice.send_text("/help")
            reply = await bot.emulator.wait_for_message(alice.id)
            assert "可用命令" in reply.plain_text

An autouse fixture refuses DNS look-ups of Telegram's hosts, so no test can reach the real servers.
"""

from __future__ import annotations

import asyncio
import importlib.util
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from tests.emulator import BotApiEmulator, SimUser

if TYPE_CHECKING:
    # Imported lazily at run time: this plugin loads for every test, and a half-edited bot/ or
    # handlers/ must only break the tests that run the bot.
    from telegram.ext import Application

    from bot.config import Settings
    from handlers.services import Services
    from handlers.services.clock import Clock

TEST_TOKEN = "123456:TEST-TOKEN-abcdefghijklmnopqrstuvwxyz"
_TELEGRAM_HOSTS = ("telegram.org", "telegram.me", "t.me")
_STOP_TIMEOUT = 10.0


# --------------------------------------------------------------------------------------------------
# Never reach Telegram
# --------------------------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _no_real_telegram(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any DNS look-up of a Telegram host fails: a misconfigured test cannot talk to the real API."""
    real_getaddrinfo = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else str(host or "")
        name = name.lower().rstrip(".")
        if any(name == h or name.endswith("." + h) for h in _TELEGRAM_HOSTS):
            raise OSError(f"tests must not contact {name}: point the bot at the Bot API emulator")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


# --------------------------------------------------------------------------------------------------
# Settings, services, knowledge base
# --------------------------------------------------------------------------------------------------


def default_database_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'branchbot.db'}"


def make_settings(emulator: BotApiEmulator, tmp_path: Path, **overrides: Any) -> Settings:
    """Settings for a test: the emulator, a SQLite file and a data dir in ``tmp_path``; no ``.env``.

    ``overrides`` may use the environment names (``BRANCHBOT_ADMIN_IDS="1,2"``) or the field names
    (``admin_ids=frozenset({1})``).
    """
    from bot.config import Settings

    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TEST_TOKEN,
        "TELEGRAM_API_BASE_URL": emulator.base_url,
        "DATABASE_URL": default_database_url(tmp_path),
        "BRANCHBOT_DATA_DIR": tmp_path / "data",
        "BRANCHBOT_TZ": "Asia/Shanghai",
        "BRANCHBOT_ADMIN_IDS": "",
        "BRANCHBOT_KB_DIR": None,
    }
    fields = Settings.model_fields
    for key, value in overrides.items():
        alias = fields[key].validation_alias if key in fields else key
        if alias is not None and not isinstance(alias, str):  # AliasChoices
            alias = alias.choices[0]
        values[str(alias or key)] = value
    settings = Settings(_env_file=None, **values)
    base = settings.telegram_api_base_url or ""
    if not base.startswith(("http://127.0.0.1:", "http://localhost:")):
        raise AssertionError(f"tests must use the Bot API emulator, not {base!r}")
    return settings


class StubKnowledgeBase:
    """Stands in for ``knowledge.KnowledgeBase`` in tests that never use it (e.g. /start, /help).

    Any use fails loudly: tests that reach the knowledge base should use the real one (``make_bot``).
    """

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(
            f"StubKnowledgeBase.{name}: this test reached the knowledge base; use make_bot()"
        )


def fake_services(
    tmp_path: Path,
    *,
    clock: Clock | None = None,
    kb: Any = None,
    admin_ids: frozenset[int] = frozenset(),
    database_url: str | None = None,
) -> Services:
    """Services without the real knowledge base: a stub kb (unless ``kb=``) and the test's database
    (``default_database_url(tmp_path)``, the one ``running_bot`` migrates).

    The session factory is bound to an engine, because the application's ``post_shutdown`` disposes
    ``session_factory.kw["bind"]``.
    """
    from handlers.services import Services
    from handlers.services.clock import SystemClock

    url = database_url or default_database_url(tmp_path)
    try:
        from storage.db import make_engine, make_session_factory
    except ImportError:  # storage not written yet
        from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

        session_factory = async_sessionmaker(create_async_engine(url), expire_on_commit=False)
    else:
        session_factory = make_session_factory(make_engine(url))
    return Services(
        kb=kb if kb is not None else StubKnowledgeBase(),
        session_factory=session_factory,
        clock=clock or SystemClock(),
        admin_ids=admin_ids,
        data_dir=tmp_path / "data",
    )


@pytest.fixture(scope="session")
def kb() -> Any:
    """The real knowledge base, built once per test session (skips while ``knowledge`` is missing)."""
    try:
        from knowledge import KnowledgeBase
    except ImportError as exc:
        pytest.skip(f"knowledge.KnowledgeBase is not importable yet: {exc}")
    return KnowledgeBase.default()


async def run_migrations(settings: Settings) -> bool:
    """``storage.migrate.upgrade_async(database_url)`` if that module exists; True if it ran."""
    try:
        spec = importlib.util.find_spec("storage.migrate")
    except ModuleNotFoundError:
        spec = None
    if spec is None:
        return False
    from storage.migrate import upgrade_async

    await upgrade_async(settings.database_url)
    return True


# --------------------------------------------------------------------------------------------------
# The running application
# --------------------------------------------------------------------------------------------------


@dataclass
class BotHarness:
    """A running application and the emulator it talks to."""

    emulator: BotApiEmulator
    application: Application
    settings: Settings
    services: Services
    errors: list[BaseException] = field(default_factory=list)  # every error the app's handlers raised

    @property
    def bot(self) -> Any:
        return self.application.bot

    def user(
        self, user_id: int, first_name: str = "测试", username: str | None = None, **kwargs: Any
    ) -> SimUser:
        return self.emulator.user(user_id, first_name, username, **kwargs)

    def take_errors(self) -> list[BaseException]:
        """The errors recorded so far (and forget them, so the harness does not complain at exit)."""
        errors, self.errors[:] = list(self.errors), []
        return errors

    async def expect_error(
        self,
        kind: type[BaseException] = BaseException,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> BaseException:
        """Wait for a handler error of type ``kind``, forget it and return it.

        The harness records errors in an error handler that runs after the application's own one, so
        the user may see the error message slightly before the error is recorded: wait here.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            for index, error in enumerate(self.errors):
                if isinstance(error, kind):
                    del self.errors[index]
                    return error
            if loop.time() >= deadline:
                raise AssertionError(
                    f"no {kind.__name__} from a handler within {timeout}s; got {self.errors!r}"
                )
            await asyncio.sleep(0.02)


async def start_application(application: Application, *, poll_timeout: int = 1) -> None:
    """Start like ``branchbot run``: the steps of ``Application.run_polling`` without its event loop
    handling. ``post_init`` is called here because PTB only calls it from ``run_polling``."""
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.updater.start_polling(poll_interval=0, timeout=poll_timeout, drop_pending_updates=False)
    await application.start()


async def stop_application(application: Application) -> None:
    """Stop like ``run_polling`` does: updater, application (``post_stop``), shutdown (``post_shutdown``)."""
    try:
        if application.updater is not None and application.updater.running:
            await asyncio.wait_for(application.updater.stop(), _STOP_TIMEOUT)
        if application.running:
            await asyncio.wait_for(application.stop(), _STOP_TIMEOUT)
            if application.post_stop is not None:
                await application.post_stop(application)
    finally:
        await asyncio.wait_for(application.shutdown(), _STOP_TIMEOUT)
        if application.post_shutdown is not None:
            await asyncio.wait_for(application.post_shutdown(application), _STOP_TIMEOUT)


@asynccontextmanager
async def running_bot(
    emulator: BotApiEmulator,
    tmp_path: Path,
    *,
    services: Services | None = None,
    clock: Clock | None = None,
    kb: Any = None,
    migrate: bool = True,
    check_errors: bool = True,
    poll_timeout: int = 1,
    **overrides: Any,
) -> AsyncIterator[BotHarness]:
    """Run the real application against ``emulator`` for the duration of the ``async with`` block.

    services: bypass ``build_services`` (e.g. :func:`fake_services`); otherwise the real services are
        built with ``clock`` and ``kb`` (``None``: ``KnowledgeBase.default()``).
    migrate: run ``storage.migrate.upgrade_async`` on the settings' database first (when that module
        exists). :func:`fake_services` uses the same database, so it is migrated too.
    check_errors: fail at exit if a handler raised and the test did not ``take_errors()``.
    overrides: settings, see :func:`make_settings`.
    """
    from bot.app import build_application, build_services

    settings = make_settings(emulator, tmp_path, **overrides)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if migrate:
        await run_migrations(settings)
    if services is None:
        services = build_services(settings, clock=clock, kb=kb)
    application = build_application(settings, services)
    harness = BotHarness(emulator=emulator, application=application, settings=settings, services=services)

    async def record_error(update: object, context: Any) -> None:
        harness.errors.append(context.error)

    # Recorded first: the application's own handler ends by stopping the update (ApplicationHandlerStop),
    # which also skips the error handlers after it.
    own = dict(application.error_handlers)
    application.error_handlers.clear()
    application.add_error_handler(record_error)
    application.error_handlers.update(own)

    try:
        await start_application(application, poll_timeout=poll_timeout)
        yield harness
    finally:
        await stop_application(application)  # also after a failed start (shutdown is idempotent)
    if check_errors and harness.errors:
        raise AssertionError(f"handlers raised (call take_errors() if expected): {harness.errors!r}")


# --------------------------------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------------------------------


@pytest.fixture
async def emulator() -> AsyncIterator[BotApiEmulator]:
    """A started Bot API emulator; fails the test if the emulator itself crashed."""
    emu = BotApiEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()
    assert not emu.internal_errors, f"the Bot API emulator failed: {emu.internal_errors!r}"


@pytest.fixture
def make_bot(emulator: BotApiEmulator, tmp_path: Path, request: pytest.FixtureRequest):
    """``make_bot(**kwargs)`` -> ``running_bot(emulator, tmp_path, **kwargs)``; the real path uses the
    session-wide ``kb`` fixture unless ``services=`` or ``kb=`` is given."""

    def factory(**kwargs: Any):
        if kwargs.get("services") is None and kwargs.get("kb") is None:
            kwargs["kb"] = request.getfixturevalue("kb")
        return running_bot(emulator, tmp_path, **kwargs)

    return factory


@pytest.fixture
async def bot_harness(make_bot) -> AsyncIterator[BotHarness]:
    """The real application with real services (skips while ``knowledge`` is missing)."""
    async with make_bot() as harness:
        yield harness
