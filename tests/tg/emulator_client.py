"""PTB's own ``telegram.Bot`` on the Bot API emulator, for the emulator's tests (``test_emulator*``); their fixtures,
``tg_bot`` and ``alice``, are in ``conftest.py``."""

from __future__ import annotations

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, TelegramObject
from telegram.request import HTTPXRequest

from tests.emulator import BotApiEmulator, iter_telegram_objects
from tests.fixtures_bot import TEST_TOKEN

USER_ID = 1001


def local_bot(emulator: BotApiEmulator, token: str = TEST_TOKEN, **request_kwargs) -> Bot:
    """PTB's Bot on the emulator. The emulator is plain HTTP, so no TLS context is built (loading the
    CA bundle costs ~50 ms per HTTP client, two clients per Bot)."""

    def request() -> HTTPXRequest:
        return HTTPXRequest(httpx_kwargs={"verify": False}, **request_kwargs)

    return Bot(
        token,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        request=request(),
        get_updates_request=request(),
    )


def assert_no_unknown_fields(obj: TelegramObject) -> None:
    """PTB puts fields it does not know into ``api_kwargs``: the emulator must use real field names."""
    for item in iter_telegram_objects(obj):
        assert item.api_kwargs == {}, f"{type(item).__name__} got unknown fields {dict(item.api_kwargs)}"


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup([[InlineKeyboardButton(text, callback_data=data)] for text, data in pairs])
