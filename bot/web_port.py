"""Whether the dashboard's address (``BRANCHBOT_WEB_HOST``:``BRANCHBOT_WEB_PORT``) can be listened on.

``branchbot run`` checks it before it asks Telegram anything, so a port in use ends start-up at once with a line
naming the setting (exit 2: restarting does not free the port); ``branchbot check`` makes the same test. The
probe binds (without listening) a socket to every address the host name resolves to, as aiohttp will, with
``SO_REUSEADDR`` as aiohttp sets it (a port left in TIME_WAIT by a stopped bot is free; one listened on is not).
"""

from __future__ import annotations

import errno
import socket

from bot.config import Settings
from bot.errors import EXIT_SETTINGS, StartupError
from bot.logging_setup import one_line as short


class PortInUse(StartupError):
    """The port is taken (by another program, or by a running branchbot)."""


def _bind(address_info: tuple) -> None:
    family, kind, proto, _, address = address_info
    with socket.socket(family, kind, proto) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6 and hasattr(socket, "IPV6_V6ONLY"):
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)  # as asyncio's create_server does
        sock.bind(address)


def check_web_port(settings: Settings) -> str:
    """The line for ``check``; a :class:`StartupError` (exit 2) naming the setting if the address cannot be
    listened on."""
    host, port = settings.web_host, settings.web_port
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise StartupError(
            f"BRANCHBOT_WEB_HOST：无法解析“{host}”（{short(exc, 40)}）；应是本机的地址，例如 127.0.0.1"
        ) from None
    for info in infos:
        try:
            _bind(info)
        except OSError as exc:
            raise _bind_error(exc, host, port) from None
    return f"网页看板地址可用：{host}:{port}"


def _bind_error(exc: OSError, host: str, port: int) -> StartupError:
    if exc.errno == errno.EADDRINUSE:
        return PortInUse(
            f"BRANCHBOT_WEB_PORT：端口 {port}（{host}）已被占用；请停掉占用它的程序（也可能是另一个正在运行的 "
            "branchbot），或换一个端口",
            EXIT_SETTINGS,
        )
    if exc.errno == errno.EADDRNOTAVAIL:
        return StartupError(
            f"BRANCHBOT_WEB_HOST：“{host}”不是本机的地址；应是本机网卡的地址，例如 127.0.0.1", EXIT_SETTINGS
        )
    if exc.errno == errno.EACCES:
        return StartupError(
            f"BRANCHBOT_WEB_PORT：没有权限监听端口 {port}（1024 以下的端口需要特权）；请换一个 1024 以上的端口",
            EXIT_SETTINGS,
        )
    return StartupError(
        f"BRANCHBOT_WEB_PORT：无法监听 {host}:{port}（{short(exc, 60)}）；请检查 BRANCHBOT_WEB_HOST 和 "
        "BRANCHBOT_WEB_PORT",
        EXIT_SETTINGS,
    )
