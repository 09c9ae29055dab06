"""Server-rendered pages: jinja2 templates, loaded on the first page served.

The bot idles for weeks between dashboard visits; jinja2 and its environment cost about 2 MB resident
(``bench.idle_rss``), so they are imported and built when a page is first rendered, not at start-up. Templates
autoescape everything (HTML and strings alike).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web


class Templates:
    """The templates of one folder, with a jinja2 environment made on first use."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._env: Any = None

    def environment(self) -> Any:
        if self._env is None:
            import jinja2

            env = jinja2.Environment(
                loader=jinja2.FileSystemLoader(self.folder),
                autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
            )
            env.globals["static"] = lambda name: f"/static/{name}"
            self._env = env
        return self._env

    def render(self, name: str, context: dict[str, Any]) -> str:
        return self.environment().get_template(name).render(context)


TEMPLATES = web.AppKey("templates", Templates)


def render_page(request: web.Request, name: str, context: dict[str, Any], status: int = 200) -> web.Response:
    """An HTML response made from template ``name``."""
    text = request.config_dict[TEMPLATES].render(name, context)
    return web.Response(text=text, status=status, content_type="text/html", charset="utf-8")
