"""An in-process emulator of the Telegram Bot API, so that tests never talk to Telegram.

``BotApiEmulator`` is a small aiohttp server on ``127.0.0.1`` that answers ``/bot<token>/<method>``
with the same JSON shapes as ``api.telegram.org`` and validates requests the way Telegram does for the
methods the bot uses (empty or too long texts, HTML that Telegram cannot parse, edits that change
nothing, oversized ``callback_data`` ...). Point PTB's ``base_url`` at :attr:`BotApiEmulator.base_url`.

Simulated users (:meth:`BotApiEmulator.user`) enqueue realistic updates that the bot fetches with
``getUpdates`` (long polling, ``offset`` confirmation and ``limit`` as on the real server). Every call
is recorded in :attr:`BotApiEmulator.calls`; what the bot sent or edited is in
:attr:`BotApiEmulator.sent`. Faults can be injected (:meth:`BotApiEmulator.fail_next`,
:meth:`BotApiEmulator.delay_next`, :meth:`BotApiEmulator.drop_next`).

Example::

    async with BotApiEmulator() as emu:
        alice = emu.user(1001, "Alice")
        alice.send_text("/start")
        reply = await emu.wait_for_message(alice.id)
        assert "您好" in reply.text

Deliberate differences from the real server (all on the strict side): in ``parse_mode=HTML`` a bare
``&`` or ``>`` is rejected (Telegram tolerates them, but they mean some text was not escaped and the
next ``<`` in user input will break the message); pass ``strict_html=False`` to relax this.

Modules: ``server`` (the class, HTTP), ``control`` (what tests call: users, updates, faults, waiting),
``users`` (``SimUser``), ``methods`` / ``methods_media`` / ``methods_updates`` (the Bot API methods),
``files`` (uploads, ``getFile``, downloads), ``state`` (records and chat state), ``entities`` and
``markdown`` (parse modes, UTF-16), ``constants``, ``ptb``.
"""

from tests.emulator.constants import (
    CONFLICT_POLL,
    CONFLICT_WEBHOOK,
    DEFAULT_BOT_FIRST_NAME,
    DEFAULT_BOT_USERNAME,
    MAX_CALLBACK_DATA_BYTES,
    MAX_CAPTION_LENGTH,
    MAX_DOWNLOAD_SIZE,
    MAX_LONG_POLL,
    MAX_TEXT_LENGTH,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
)
from tests.emulator.entities import EntityParseError, command_entities, parse_html, utf16_len
from tests.emulator.files import StoredFile, UploadedFile
from tests.emulator.markdown import parse_markdown, parse_markdown_v2
from tests.emulator.ptb import iter_telegram_objects
from tests.emulator.server import BotApiEmulator
from tests.emulator.state import ApiCall, ApiError, SentMessage
from tests.emulator.users import SimUser

__all__ = [
    "CONFLICT_POLL",
    "CONFLICT_WEBHOOK",
    "DEFAULT_BOT_FIRST_NAME",
    "DEFAULT_BOT_USERNAME",
    "MAX_CALLBACK_DATA_BYTES",
    "MAX_CAPTION_LENGTH",
    "MAX_DOWNLOAD_SIZE",
    "MAX_LONG_POLL",
    "MAX_TEXT_LENGTH",
    "NOT_MODIFIED",
    "QUERY_TOO_OLD",
    "ApiCall",
    "ApiError",
    "BotApiEmulator",
    "EntityParseError",
    "SentMessage",
    "SimUser",
    "StoredFile",
    "UploadedFile",
    "command_entities",
    "iter_telegram_objects",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "utf16_len",
]
