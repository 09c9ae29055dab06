"""Who talks to the bot, and what they do: the population and one drawn action at a time.

An :class:`Action` is abstract: "user 17 presses the 2nd button of one of the bot's recent messages",
"secretary 40 answers whatever the form asks now", "replay the 5th update before this one". The runner
(``tests.fuzz.runner``) turns it into a real update from what the bot has done so far, so a generated
sequence stays meaningful however the bot answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tests.fuzz import junk
from tests.fuzz.source import Source, chance, choice, weighted

GROUP_ANONYMOUS_BOT = {
    "id": 1087968824,
    "is_bot": True,
    "first_name": "Group",
    "username": "GroupAnonymousBot",
}


@dataclass(frozen=True)
class Person:
    id: int
    first_name: str
    username: str | None = None
    last_name: str | None = None


@dataclass
class Population:
    """Users (ids up to 2^52, many over 2^31), the admins among them, the would-be secretaries, a few groups
    (with their members) and a channel. Fixed by its size, so every run has the same cast."""

    people: list[Person]
    admins: list[int]
    secretaries: list[int]  # made secretaries of their own branch before the run
    groups: list[dict]
    members: dict[int, list[int]]  # group id -> user ids
    channel: dict = field(
        default_factory=lambda: {"id": -1001999000001, "type": "channel", "title": "党建频道"}
    )

    @property
    def ids(self) -> list[int]:
        return [p.id for p in self.people]


_NAMES = (
    "张三",
    "李四",
    "王五",
    "Alice",
    "محمد",
    "Ибрагим",
    "🦊",
    "<b>书记</b>",
    "a&b",
    "长" * 64,
    "\u202e反向",
    "x",
)


def population(users: int = 200, groups: int | None = None) -> Population:
    if users < 10:
        raise ValueError("at least 10 users")
    people = []
    for i in range(users):
        if i % 3 == 1:
            uid = 2**31 + 7 * i  # just over int32
        elif i % 17 == 5:
            uid = 2**52 - 1000 + i  # the largest ids Telegram hands out
        else:
            uid = 10_000_000 + 1_003 * i
        people.append(
            Person(
                uid,
                junk.finish(_NAMES[i % len(_NAMES)], limit=64),
                username=f"user_{i}" if i % 4 else None,
                last_name="测试" if i % 5 == 0 else None,
            )
        )
    ids = [p.id for p in people]
    admins = [ids[i] for i in range(0, users, 50)] + [ids[1]]  # ids[1] is over 2^31
    secretaries = [ids[i] for i in range(2, users, 9) if ids[i] not in admins]
    n_groups = groups if groups is not None else max(3, users // 5)
    group_chats, members = [], {}
    for g in range(n_groups):
        chat = (
            {"id": -1001000000000 - g, "type": "supergroup", "title": f"第{g}党小组"}
            if g % 3
            else {"id": -4000000000 - g, "type": "group", "title": f"学习群{g}"}
        )
        group_chats.append(chat)
        members[chat["id"]] = [ids[i] for i in range(g % users, users, n_groups)][:8] or [ids[0]]
    return Population(people, admins, secretaries, group_chats, members)


@dataclass(frozen=True)
class Action:
    """One thing that happens. ``user`` is a user id (0: none); ``picks`` are drawn numbers in [0, 999] that
    the runner uses to choose among what exists at that moment (a message, a button, an earlier update)."""

    kind: str
    user: int = 0
    text: str = ""
    data: str | None = None
    variant: str = ""
    picks: tuple[int, ...] = ()

    def describe(self) -> str:
        text = self.text if len(self.text) <= 60 else f"{self.text[:57]}…({len(self.text)} chars)"
        parts = [self.kind, str(self.user)]
        if self.variant:
            parts.append(self.variant)
        if text:
            parts.append(repr(text))
        if self.data is not None:
            parts.append(f"data={self.data!r}")
        return " ".join(parts)


# Sent by an administrator most of the time, so their own paths are fuzzed, not only the refusal.
ADMIN_ONLY_COMMANDS = (
    "/newbranch",
    "/invite",
    "/branches",
    "/unbind",
    "/closebranch",
    "/reopenbranch",
    "/renamebranch",
)
KINDS = (
    ("text", 15),
    ("command", 16),
    ("form", 20),
    ("press_real", 12),
    ("press_forged", 10),
    ("edit", 5),
    ("media", 7),
    ("group", 4),
    ("no_from", 3),
    ("replay", 3),
    ("ignored", 3),
    ("redeem", 3),
)
MEDIA = (
    ("photo", 30),
    ("album", 8),
    ("document", 15),
    ("big_document", 4),
    ("fake_pdf", 5),
    ("sticker", 10),
    ("voice", 10),
    ("location", 9),
    ("contact", 9),
)
IGNORED = (("my_chat_member", 4), ("chat_join_request", 3), ("poll", 3), ("message_reaction", 2))


def _picks(source: Source, count: int = 3) -> tuple[int, ...]:
    return tuple(source.integer(0, 999) for _ in range(count))


def _user(source: Source, pop: Population) -> int:
    return choice(source, pop.ids)


def _secretary(source: Source, pop: Population) -> int:
    # A few secretaries do most of the form filling, so that some forms get all the way to "confirm".
    busy = pop.secretaries[:2]
    return choice(source, busy) if chance(source, 80) else choice(source, pop.secretaries)


def draw_action(source: Source, pop: Population) -> Action:
    kind = weighted(source, KINDS)
    if kind == "text":
        return Action("text", _user(source, pop), junk.junk_text(source))
    if kind == "command":
        text = junk.command_text(source)
        admin_only = text.startswith(ADMIN_ONLY_COMMANDS)
        user = choice(source, pop.admins) if admin_only and chance(source, 60) else _user(source, pop)
        return Action("command", user, text)
    if kind == "form":
        return Action("form", _secretary(source, pop), junk.form_text(source, 2, 80), picks=_picks(source, 4))
    if kind == "press_real":
        return Action("press_real", _user(source, pop), picks=_picks(source))
    if kind == "press_forged":
        return Action(
            "press_forged", _user(source, pop), data=junk.forged_data(source), picks=_picks(source, 1)
        )
    if kind == "edit":
        text = junk.command_text(source) if chance(source, 60) else junk.junk_text(source)
        return Action("edit", _user(source, pop), text, picks=_picks(source, 1))
    if kind == "media":
        variant = weighted(source, MEDIA)
        caption = ""
        if variant in ("photo", "document") and chance(source, 30):
            caption = junk.command_text(source) if chance(source, 30) else junk.junk_text(source)[:1024]
        return Action("media", _user(source, pop), caption, variant=variant, picks=_picks(source, 2))
    if kind == "group":
        group = choice(source, pop.groups)
        variant = weighted(source, (("member", 70), ("anonymous_admin", 15), ("press", 15)))
        text = junk.command_text(source) if chance(source, 60) else junk.junk_text(source)
        user = choice(source, pop.members[group["id"]])
        return Action("group", user, text, data=str(group["id"]), variant=variant, picks=_picks(source, 2))
    if kind == "no_from":
        variant = weighted(
            source,
            (
                ("channel_post", 35),
                ("channel_message", 35),
                ("edited_channel_post", 15),
                ("linked_forward", 15),
            ),
        )
        text = junk.command_text(source) if chance(source, 70) else junk.junk_text(source)
        return Action("no_from", 0, text, variant=variant, picks=_picks(source, 1))
    if kind == "replay":
        return Action("replay", 0, picks=_picks(source, 1))
    if kind == "ignored":
        return Action(
            "ignored", _user(source, pop), variant=weighted(source, IGNORED), picks=_picks(source, 1)
        )
    # redeem: /start with an invitation code the bot really handed out (or a mangled one)
    return Action(
        "redeem",
        _user(source, pop),
        variant=choice(source, ("as_is", "as_is", "mangled")),
        picks=_picks(source, 1),
    )
