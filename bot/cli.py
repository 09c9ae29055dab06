"""``branchbot`` command line: run, check, ask, branch, reminders, db.

Imports are deferred to the sub-command that needs them: ``branchbot ask`` loads neither Telegram nor
SQLAlchemy, and ``branchbot branch`` and ``db`` never load Telegram.

A failure ends in one Chinese line on stderr, never a traceback and never the token (``bot.errors.StartupError``):
exit status 2 for a wrong setting, 1 for a service that could not be reached (see ``bot.startup``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from bot.errors import EXIT_UNREACHABLE, StartupError

EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="branchbot", description="“两新”组织党建助手")
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="apply migrations and start the bot (long polling) and the dashboard")
    run.add_argument("--webhook", default=None, metavar="URL", help="serve Telegram's webhook at URL instead")
    from bot.cli_export import add_parser as add_export_parser

    add_export_parser(sub)
    sub.add_parser("check", help="check the settings, data folder, knowledge base, database and Bot API")

    ask = sub.add_parser("ask", help="answer a question from the speeches")
    ask.add_argument(
        "question", nargs="*", help="the question; with --json and none, read stdin line by line"
    )
    ask.add_argument("--json", action="store_true", help="print JSON instead of text")
    ask.add_argument("-k", type=int, default=3, help="at most this many answers (default 3)")

    from bot.cli_branch import add_parser as add_branch_parser

    add_branch_parser(sub)

    reminders = sub.add_parser("reminders", help="plan or send the reminders due at a moment")
    reminders_sub = reminders.add_subparsers(dest="reminders_command", required=True)
    plan = reminders_sub.add_parser("plan", help="what is due (nothing is sent)")
    plan.add_argument("--at", default=None, help="ISO-8601 moment (default now; no zone: BRANCHBOT_TZ)")
    plan.add_argument("--json", action="store_true", help="one JSON object per line")
    send = reminders_sub.add_parser("send", help="plan and deliver what is due, then exit")
    send.add_argument("--at", default=None, help="ISO-8601 moment (default now; no zone: BRANCHBOT_TZ)")
    send.add_argument("--rate", default=None, help="messages a second (default BRANCHBOT_PUSH_RATE, 25)")

    from bot.cli_db import add_parser as add_db_parser

    add_db_parser(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "ask":
            return _ask(args)
        if args.command == "db":
            return _db(args)
        if args.command == "branch":
            return _branch(args)
        if args.command == "reminders":
            return _reminders(args)
        if args.command == "check":
            return _check()
        if args.command == "export":
            from bot.cli_export import export

            return export(args, _settings)
        return _run(args.webhook)
    except StartupError as exc:
        print(exc.line, file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:  # Ctrl-C before polling started
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `branchbot ask ... | head`: the reader left, which is fine
        sys.stderr.close()
        return 0


# -- ask ------------------------------------------------------------------------------------------------------


def _ask(args: argparse.Namespace) -> int:
    from knowledge import KnowledgeBase
    from knowledge.render import render_plain

    k = max(1, min(args.k, 10))
    kb = KnowledgeBase.default(kb_dir=_kb_source())
    question = " ".join(args.question).strip()
    if args.json:
        if args.question:
            print(json.dumps(kb.ask(question, k).as_dict(), ensure_ascii=False))
            return 0
        for line in sys.stdin:
            print(json.dumps(kb.ask(line.rstrip("\r\n"), k).as_dict(), ensure_ascii=False), flush=True)
        return 0
    if not question:
        print('请在命令后写上问题，例如：branchbot ask "主题党日多久开展一次"', file=sys.stderr)
        return EXIT_USAGE
    print(render_plain(kb.ask(question, k)))
    return 0


def _kb_source():
    """The folder the bot reads too (``Settings.kb_source``: ``BRANCHBOT_KB_DIR``, from the environment or .env,
    else ``<data dir>/kb``); ``None`` when there is none, or when a setting is wrong (an unrelated bad setting
    must not stop a question in the terminal: the environment is then read as before). ~10 ms."""
    from bot.config import SettingsError, load_settings

    try:
        return load_settings().kb_source()
    except (SettingsError, OSError, UnicodeDecodeError):
        return None


# -- db -------------------------------------------------------------------------------------------------------


def _db(args: argparse.Namespace) -> int:
    from bot.cli_db import downgrade_confirmed, missing_database
    from storage import migrate

    settings = _settings()
    if args.db_command == "current" and (missing := missing_database(settings.database_url)) is not None:
        print(missing)  # read-only: no empty database file (or folder) is created
        return 0
    if args.db_command == "downgrade" and not downgrade_confirmed(args):
        return EXIT_USAGE
    try:
        if args.db_command == "upgrade":
            migrate.upgrade(settings.database_url)
            print(f"数据库已升级到最新版本：{migrate.current(settings.database_url)}")
        elif args.db_command == "downgrade":
            migrate.downgrade(settings.database_url, args.revision)
            print(f"数据库已回退到：{migrate.current(settings.database_url) or '空'}")
        else:
            print(migrate.current(settings.database_url) or "（尚未建表）")
    except Exception as exc:
        raise _db_error(exc, args, settings.database_url) from None
    return 0


def _db_error(exc: Exception, args: argparse.Namespace, url: str) -> StartupError:
    """An unknown revision given to ``db downgrade`` is a typo (exit 2, listing the known ones); else as ``run``
    reports it (``bot.startup.database_error``)."""
    from bot.startup import database_url_error

    wanted = getattr(args, "revision", None)
    if wanted is not None and f"'{wanted}'" in str(exc) and type(exc).__name__ == "CommandError":
        from alembic.script import ScriptDirectory

        from storage.migrate import alembic_config

        known = [r.revision for r in ScriptDirectory.from_config(alembic_config()).walk_revisions()]
        return StartupError(
            f"db downgrade：没有迁移版本“{wanted[:40]}”；可回退到：base（删除所有表）、{'、'.join(sorted(known))}"
        )
    return database_url_error(exc, url)


# -- branch ---------------------------------------------------------------------------------------------------


def _branch(args: argparse.Namespace) -> int:
    """``branchbot branch add|list|invite|import`` (see :mod:`bot.cli_branch`)."""
    from bot.cli_branch import branch

    settings = _settings()
    try:
        return branch(args, settings)
    except (StartupError, KeyboardInterrupt):
        raise
    except Exception as exc:  # e.g. the database refusing a value: one line, not a traceback (review item 7)
        raise _unexpected(exc, settings.token) from None


# -- reminders ------------------------------------------------------------------------------------------------


def _reminders(args: argparse.Namespace) -> int:
    """``branchbot reminders plan|send`` (see :mod:`bot.cli_reminders`)."""
    from bot import cli_reminders

    settings = _settings()
    try:
        if args.reminders_command == "plan":
            return cli_reminders.plan(args, settings)
        return cli_reminders.send(args, settings)
    except (StartupError, KeyboardInterrupt):
        raise
    except Exception as exc:
        raise _unexpected(exc, settings.token) from None


# -- run ------------------------------------------------------------------------------------------------------


def _settings():
    """The settings, or a :class:`StartupError` naming each bad setting (exit status 2)."""
    from bot.config import SettingsError, describe_errors, load_settings

    try:
        return load_settings()
    except SettingsError as exc:
        raise StartupError(describe_errors(exc)) from None
    except (OSError, UnicodeDecodeError) as exc:  # an unreadable .env
        raise StartupError(f"无法读取 .env 文件（{type(exc).__name__}）；请确认它是 UTF-8 文本文件") from None


def _unexpected(exc: Exception, token: str | None) -> StartupError:
    """Any other failure: still one line (redacted), status 1; the traceback only at DEBUG."""
    import logging

    from bot.logging_setup import one_line, redact

    logging.getLogger("bot.cli").debug("unexpected failure", exc_info=True)
    return StartupError(
        redact(
            f"启动失败（{type(exc).__name__}：{one_line(exc)}）；可设 BRANCHBOT_LOG_LEVEL=DEBUG 查看详情",
            token,
        ),
        EXIT_UNREACHABLE,
    )


def _run(webhook: str | None = None) -> int:
    """``branchbot run [--webhook URL]``: see :func:`bot.startup.run` for the checks, the exit statuses and
    systemd, and :func:`bot.web.run` for the dashboard and the webhook."""
    from bot.lean import import_telegram

    import_telegram()  # first, without the optional packages it would load for nothing (bot.lean)
    from bot.web import run

    settings = _settings()
    try:
        return run(settings, webhook)
    except StartupError:
        raise
    except Exception as exc:
        raise _unexpected(exc, settings.token) from None


# -- check ----------------------------------------------------------------------------------------------------


def _check() -> int:
    """``branchbot check``: one ``✓``/``✗`` line per check on stdout; 0 if all pass, 2 for a wrong setting,
    else 1 (see :mod:`bot.check`)."""
    try:
        settings = _settings()
    except StartupError as exc:
        print(f"✗ {exc.line}")
        return exc.exit_code
    from bot.check import check

    return check(settings)


def entry() -> int:
    """The ``branchbot`` command (and ``python -m bot.cli``): ``run``, which idles for weeks, starts again under
    ``python -OO`` first (``bot.lean.run_optimized``); everything else is :func:`main` as it is."""
    argv = sys.argv[1:]
    if argv[:1] == ["run"]:
        from bot.lean import run_optimized

        run_optimized(argv)
    return main(argv)


if __name__ == "__main__":
    sys.exit(entry())
