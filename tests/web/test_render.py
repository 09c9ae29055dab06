"""Pages are rendered with jinja2, loaded on the first page served (handlers/web/render.py)."""

from __future__ import annotations

import subprocess
import sys

from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from handlers.web import HERE
from handlers.web.render import TEMPLATES, Templates, render_page


def test_building_the_web_app_loads_no_template_engine():
    code = (
        "import sys\n"
        "from handlers.web import build_web_app\n"
        "build_web_app(services=None)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'aiohttp_jinja2')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_page_is_html_escaped_and_keeps_its_status():
    app = web.Application()
    app[TEMPLATES] = Templates(HERE / "templates")
    request = make_mocked_request("GET", "/login", app=app)
    response = render_page(request, "login.html", {"title": "<登录>"}, status=401)
    assert response.status == 401
    assert response.content_type == "text/html" and response.charset == "utf-8"
    assert "&lt;登录&gt;" in response.text and "<登录>" not in response.text
