"""``branchbot branch add|list|invite|import``: the parser and the work (``bot.cli`` wraps the failures).

Every value is checked before the database is opened: a branch id up to PostgreSQL's ``integer`` (a larger one
raised a 50-frame traceback, review item 7), counts from 0 to ``MAX_COUNT`` as in the chat and ``branch
import``, and the bot's username as ``mybot``, ``@mybot`` or ``https://t.me/mybot`` (``@mybot`` printed dead
links, item 3). ``add`` applies ``branch import``'s rules (``handlers.services.branch_rules``, item 8): a
branch of the same organisation and name is refused unless ``--allow-duplicate`` is given.
"""

from __future__ import annotations

import argparse
import sys

from knowledge.organisation import ORG_FORM_LABELS, OrgForm, profile_warnings

EXIT_USAGE = 2
MAX_BRANCH_ID = 2**31 - 1  # PostgreSQL's integer (the branches' id column)


def branch_id(text: str) -> int:
    """An argparse type: a branch's id (1 to ``MAX_BRANCH_ID``)."""
    if not text.strip().isascii() or not text.strip().isdigit() or not 1 <= int(text) <= MAX_BRANCH_ID:
        raise argparse.ArgumentTypeError(f"支部编号应为 1 到 {MAX_BRANCH_ID} 之间的整数，而不是“{text}”。")
    return int(text)


def count(text: str) -> int:
    """An argparse type: a number of members or units (0 to ``MAX_COUNT``, as the chat and import bound it)."""
    from handlers.services.branches import MAX_COUNT

    plain = text.strip()
    if not plain.isascii() or not plain.lstrip("-").isdigit():
        raise argparse.ArgumentTypeError(f"应为 0 到 {MAX_COUNT} 之间的整数，而不是“{text}”。")
    if not 0 <= int(plain) <= MAX_COUNT:
        raise argparse.ArgumentTypeError(f"应为 0 到 {MAX_COUNT} 之间的整数（不能为负数），而不是“{text}”。")
    return int(plain)


def bot_username(text: str) -> str:
    """An argparse type: the bot's username (``handlers.tg.links.bot_username``)."""
    from handlers.tg.links import bot_username as parse

    try:
        return parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parser(sub) -> None:
    """The ``branch`` sub-command and its own sub-commands."""
    branch = sub.add_parser("branch", help="manage branches")
    branch_sub = branch.add_subparsers(dest="branch_command", required=True)
    username = {"type": bot_username, "default": None, "metavar": "BOT"}
    username_help = "the bot's username (mybot, @mybot or https://t.me/mybot), for the invitation link"
    add = branch_sub.add_parser("add", help="add a branch and print its invitation")
    add.add_argument("--org", required=True, help="organisation name")
    add.add_argument("--name", required=True, help="branch name")
    add.add_argument("--form", required=True, choices=ORG_FORM_LABELS)
    add.add_argument("--members", required=True, type=count, help="number of formal members (0 to 100000)")
    add.add_argument("--units", type=count, default=None, help="units a joint branch covers (联合建 only)")
    add.add_argument("--bot-username", help=username_help, **username)
    add.add_argument(
        "--allow-duplicate",
        action="store_true",
        help="add it even if a branch of the same organisation and name exists",
    )
    branch_sub.add_parser("list", help="list branches and whether they have a secretary")
    invite = branch_sub.add_parser("invite", help="a new invitation for a branch (replaces older ones)")
    invite.add_argument("branch_id", type=branch_id)
    invite.add_argument("--bot-username", help=username_help, **username)
    imported = branch_sub.add_parser("import", help="add branches from a CSV (org,name,form,members,units)")
    imported.add_argument("file", help="the CSV file; nothing is added if any row is wrong")
    imported.add_argument("--bot-username", help=username_help, **username)


def add_refusal(args: argparse.Namespace) -> str | None:
    """What is wrong with ``branch add``'s values, in Chinese lines (``branch import``'s rules), else None."""
    from handlers.services.branch_rules import branch_errors

    errors = branch_errors(args.org, args.name, OrgForm.from_label(args.form), args.members, args.units)
    return "\n".join(errors) or None


def branch(args: argparse.Namespace, settings) -> int:
    import asyncio

    from bot.startup import migrate_database

    if args.branch_command == "import":
        from bot.cli_import import branch_import

        return branch_import(args, settings)
    if args.branch_command == "add" and (refusal := add_refusal(args)) is not None:
        print(refusal, file=sys.stderr)
        return EXIT_USAGE
    migrate_database(settings)
    return asyncio.run(_work(args, settings))


async def _work(args: argparse.Namespace, settings) -> int:
    from handlers.services.branches import BranchService, branch_line
    from handlers.services.clock import SystemClock
    from storage.db import make_engine, make_session_factory

    engine = make_engine(settings.database_url)
    service = BranchService(make_session_factory(engine), SystemClock(settings.zone))
    try:
        if args.branch_command == "list":
            rows = await service.list_all()
            if not rows:
                print("还没有支部。")
            for b in rows:
                print(branch_line(b, service.clock.tz))
            return 0
        if args.branch_command == "add":
            return await _add(args, service)
        created = await service.invite(args.branch_id, created_by=None)
        if created is None:
            print(f"没有编号为 {args.branch_id} 的支部。", file=sys.stderr)
            return EXIT_USAGE
        _print_invitation(created, args.bot_username)
        return 0
    finally:
        await engine.dispose()


async def _add(args: argparse.Namespace, service) -> int:
    from handlers.services.branch_rules import duplicate_message, duplicate_of

    existing = await duplicate_of(service.session_factory, args.org, args.name)
    if existing is not None and not args.allow_duplicate:
        print(
            f"{duplicate_message(existing)}没有添加；如确需再建一个同名支部，请加 --allow-duplicate。",
            file=sys.stderr,
        )
        return EXIT_USAGE
    created = await service.create(
        org_name=args.org,
        name=args.name,
        form=OrgForm.from_label(args.form),
        formal_members=args.members,
        units=args.units,
        created_by=None,
    )
    _print_invitation(created, args.bot_username)
    if existing is not None:
        print(f"提示：与支部 {existing} 同名（同一单位），已按 --allow-duplicate 添加。", file=sys.stderr)
    return 0


def _print_invitation(created, bot: str | None) -> None:
    """The new branch's or invitation's code (and link); a warning when it will replace a sitting secretary;
    what the speeches advise against in the branch's profile (as ``branch import`` and the chat say it)."""
    from handlers.tg.links import deep_link

    branch = created.branch
    print(f"支部编号：{branch.id}")
    print(f"邀请码：{created.code}")
    if link := deep_link(bot, created.code):
        print(f"邀请链接：{link}")
    print("（7天内有效，仅限使用一次）")
    if branch.secretary_user_id is not None:
        who = branch.secretary_name or branch.secretary_user_id
        print(f"注意：该支部现任书记是{who}。其他人用这个邀请码绑定后将成为新书记，之前的邀请码已作废。")
    for warning in profile_warnings(branch.form, branch.formal_members, branch.units):
        print(f"提示：{warning}", file=sys.stderr)
