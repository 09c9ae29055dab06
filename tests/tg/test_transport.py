"""Which failed requests are tried again (``handlers.tg.transport``)."""

from __future__ import annotations

from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from handlers.tg.transport import NOT_RETRIED, passing


def test_a_server_error_or_a_connection_never_made_is_passing():
    assert passing(NetworkError("Bad Gateway"))
    assert passing(NetworkError("Internal Server Error"))
    assert passing(NetworkError("httpx.ConnectError: All connection attempts failed"))


def test_a_connection_lost_mid_request_is_not():
    # Telegram may have the message already (review finding: sent twice otherwise).
    assert not passing(
        NetworkError("httpx.RemoteProtocolError: Server disconnected without sending a response.")
    )
    assert not passing(NetworkError("httpx.ReadError: "))
    assert not passing(NetworkError("Unknown error in HTTP implementation: RuntimeError()"))


def test_a_time_out_or_an_answer_on_purpose_is_not():
    # A time-out may have reached Telegram: sending again could show the message twice.
    assert not passing(TimedOut())
    assert not passing(BadRequest("Message is too long"))
    assert not passing(Forbidden("Forbidden: bot was blocked by the user"))
    assert not passing(RetryAfter(3))  # PTB's limiter waits and retries these itself
    assert not passing(ValueError("ours"))


def test_polling_and_start_up_calls_are_left_to_their_own_loops():
    assert {"getUpdates", "getMe", "setMyCommands"} <= NOT_RETRIED
    assert "sendMessage" not in NOT_RETRIED and "editMessageText" not in NOT_RETRIED
