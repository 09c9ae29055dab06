"""Improving the knowledge base: the questions it could not answer, grouped, and documents an administrator adds.

:meth:`CurationService.unanswered` groups the questions not answered, answered with low confidence
(``question_log.confidence = 'low'``) or voted 👎, by similarity: character bigrams of the normalised text (question
words such as 怎么 / 如何 dropped), Jaccard >= 0.5, greedy in the order they were asked (deterministic); a group
the knowledge base has since learnt to answer (after an administrator's document, say) is left out: its
representative question asked again now is answered with confidence, or one of its wordings was since
(helper-96's review: the list only ever grew).
:meth:`CurationService.dismiss` (忽略) marks the questions of a group an administrator will not act on dismissed:
they are no longer listed, and only askings after that count when the same question comes again. The group is
named by one of its question ids and found again at the press, so a list that changed meanwhile is no matter;
:meth:`CurationService.dismissed` lists the dismissed groups and :meth:`CurationService.restore` undoes one.
:meth:`CurationService.add_document` checks and stores an administrator's ``.txt`` file in the knowledge-base
folder; :class:`KnowledgeReloader` builds a new knowledge base from the shipped speeches and that folder, for the
adapter to swap in (``Services.install_kb``).
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.clock import Clock
from knowledge import KnowledgeBase
from storage.repositories.curation import CurationRepository, QuestionRow

SIMILARITY = 0.5
# Question words say how something is asked, not what: dropped before comparing (党费怎么交 = 党费应该如何交).
QUESTION_WORDS = re.compile(
    "请问|怎么样|怎么|怎样|如何|应该|应当|需要|是否|能否|可以|能不能|可不可以|什么|哪些|哪个|多少|几个|吗|呢|啊|吧"
)
MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_NAME_CHARS = 80
_NAME = re.compile(r"[\w\u3000-\u303f\uff08\uff09 .()\-]+")  # letters, digits, CJK, spaces, dots, brackets, -
DOCUMENT_PROBLEMS = {
    "forbidden": "只有管理员可以添加知识库文档。",
    "bad_name": "文件名不合适：应以 .txt 结尾，只含文字、数字、空格、括号、点和短横线，不超过80个字。",
    "empty": "文件是空的。",
    "too_large": "文件超过 1 MB，请拆分后分别发送。",
    "not_utf8": "文件不是 UTF-8 编码的纯文本，请用“另存为 UTF-8”后再发送。",
}


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Similar questions: ``text`` the most asked wording; ``examples`` up to 5 distinct wordings, most asked first."""

    text: str
    count: int
    unanswered: int
    low_confidence: int
    down_votes: int
    up_votes: int
    question_ids: list[int]
    examples: list[str]
    first_asked: datetime
    last_asked: datetime


@dataclass(frozen=True, slots=True)
class DismissResult:
    """``status``: ok | forbidden (not an administrator) | gone (no listed group holds the question: dismissed
    (or restored) already, settled, or out of the window). On ok: ``text`` the group's wording, ``count`` the
    questions dismissed (or restored)."""

    status: str
    text: str = ""
    count: int = 0


@dataclass(frozen=True, slots=True)
class DocumentResult:
    """``status``: ok | forbidden | bad_name | empty | too_large | not_utf8 (``message`` says it in Chinese).

    On ok: ``name`` as stored, ``path``, ``chars``, ``replaced`` (a document of that name existed); the adapter
    then rebuilds the knowledge base (``KnowledgeReloader`` / ``Services.reload_kb``)."""

    status: str
    message: str = ""
    name: str | None = None
    path: Path | None = None
    chars: int = 0
    replaced: bool = False


def normalise(text: str) -> str:
    """NFKC, lower case, letters and digits only, question words dropped (what is compared for similarity)."""
    plain = "".join(ch for ch in unicodedata.normalize("NFKC", text).lower() if ch.isalnum())
    return QUESTION_WORDS.sub("", plain) or plain


def bigrams(text: str) -> frozenset[str]:
    return frozenset(text[i : i + 2] for i in range(len(text) - 1)) if len(text) > 1 else frozenset({text})


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


@dataclass
class _Cluster:
    seed: frozenset[str]
    rows: list[QuestionRow] = field(default_factory=list)


def group_questions(rows: Iterable[QuestionRow], threshold: float = SIMILARITY) -> list[QuestionGroup]:
    """Greedy clustering in the order given: each question joins the most similar earlier group (its first
    question's bigrams, Jaccard >= ``threshold``; ties: the earlier group), or starts one. Most asked first."""
    clusters: list[_Cluster] = []
    by_text: dict[str, _Cluster] = {}
    for row in rows:
        key = normalise(row.query)
        cluster = by_text.get(key)
        if cluster is None:
            grams = bigrams(key)
            scored = [(jaccard(grams, c.seed), -i) for i, c in enumerate(clusters)]
            best = max(scored, default=None)
            if best is not None and best[0] >= threshold:
                cluster = clusters[-best[1]]
            else:
                cluster = _Cluster(grams)
                clusters.append(cluster)
            by_text[key] = cluster
        cluster.rows.append(row)
    groups = [_group(c.rows) for c in clusters]
    return sorted(
        groups, key=lambda g: (-g.count, -g.down_votes, -g.last_asked.timestamp(), g.question_ids[0])
    )


def _group(rows: list[QuestionRow]) -> QuestionGroup:
    wordings = Counter(r.query for r in rows)
    first_seen = {}
    for r in rows:
        first_seen.setdefault(r.query, r.id)
    ranked = sorted(wordings, key=lambda q: (-wordings[q], first_seen[q]))
    return QuestionGroup(
        text=ranked[0],
        count=len(rows),
        unanswered=sum(not r.answered for r in rows),
        low_confidence=sum(r.confidence == "low" for r in rows),
        down_votes=sum(r.down for r in rows),
        up_votes=sum(r.up for r in rows),
        question_ids=[r.id for r in rows],
        examples=ranked[:5],
        first_asked=min(r.created_at for r in rows),
        last_asked=max(r.created_at for r in rows),
    )


def document_name(name: str) -> str | None:
    """The name to store a document under (``stem.txt``), or ``None`` if it is not a safe plain file name."""
    name = unicodedata.normalize("NFC", (name or "").strip())
    if not name.lower().endswith(".txt") or "/" in name or "\\" in name or name.startswith("."):
        return None
    stem = name[:-4].strip()
    if not stem or ".." in stem or len(name) > MAX_NAME_CHARS or not _NAME.fullmatch(stem):
        return None
    return f"{stem}.txt"


def document_text(data: bytes) -> tuple[str | None, str | None]:
    """``(text, None)`` or ``(None, problem)`` for a document's bytes."""
    if len(data) > MAX_DOCUMENT_BYTES:
        return None, "too_large"
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, "not_utf8"
    if "\x00" in text:
        return None, "not_utf8"
    if not text.strip():
        return None, "empty"
    return text.replace("\r\n", "\n"), None


def _write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class KnowledgeReloader:
    """Builds a new :class:`KnowledgeBase` from the shipped speeches plus the ``.txt`` files of ``kb_dir``."""

    def __init__(self, kb_dir: Path, cache_dir: Path | None = None) -> None:
        self.kb_dir = Path(kb_dir)
        self.cache_dir = cache_dir

    def build(self) -> KnowledgeBase:
        """Blocking (segmentation and indexing): call it in a worker thread, or use :meth:`rebuild`."""
        return KnowledgeBase.default(kb_dir=self.kb_dir, cache_dir=self.cache_dir)

    async def rebuild(self) -> KnowledgeBase:
        return await asyncio.to_thread(self.build)


class CurationService:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        clock: Clock,
        admin_ids: frozenset[int],
        kb_dir: Path,
        answers_surely: Callable[[str], bool] | None = None,
    ) -> None:
        self.session_factory = session_factory
        self.clock = clock
        self.admin_ids = admin_ids
        self.kb_dir = Path(kb_dir)
        # Whether the knowledge base as it is now answers a question with confidence (``QAService.answers_surely``,
        # which follows a rebuilt knowledge base); None: questions are not asked again.
        self.answers_surely = answers_surely

    async def unanswered(self, since: datetime | None = None, limit: int = 2000) -> list[QuestionGroup]:
        """Groups of the latest ``limit`` questions worth a look, most asked first, less those settled since."""
        async with self.session_factory() as session:
            repo = CurationRepository(session)
            rows = await repo.candidates(since, limit)
            sure = await repo.latest_sure({r.query for r in rows if not r.down})
        wording = {r.id: r.query for r in rows}
        return [
            g
            for g in group_questions(rows)
            if not self._settled(g, {wording[i] for i in g.question_ids}, sure)
        ]

    async def dismissed(self, since: datetime | None = None, limit: int = 2000) -> list[QuestionGroup]:
        """Groups of the latest ``limit`` questions an administrator dismissed (``/unanswered 已忽略``)."""
        async with self.session_factory() as session:
            rows = await CurationRepository(session).candidates(since, limit, dismissed=True)
        return group_questions(rows)

    async def dismiss(
        self, admin_user_id: int, question_id: int, since: datetime | None = None, limit: int = 2000
    ) -> DismissResult:
        """Dismiss the group that holds ``question_id`` among those :meth:`unanswered` lists now (same ``since``),
        with the older askings of the same question (its group in the list of all time): each not dismissed yet is
        marked, in one transaction; a second press finds no group."""
        return await self._mark(True, admin_user_id, question_id, since, limit)

    async def restore(
        self, admin_user_id: int, question_id: int, since: datetime | None = None, limit: int = 2000
    ) -> DismissResult:
        """Undo :meth:`dismiss` for the group that holds ``question_id`` among those :meth:`dismissed` lists now:
        its questions are listed by :meth:`unanswered` again (unless settled meanwhile)."""
        return await self._mark(False, admin_user_id, question_id, since, limit)

    async def _mark(
        self, dismiss: bool, admin_user_id: int, question_id: int, since: datetime | None, limit: int
    ) -> DismissResult:
        if admin_user_id not in self.admin_ids:
            return DismissResult("forbidden")
        listing = self.unanswered if dismiss else self.dismissed
        group = next((g for g in await listing(since, limit) if question_id in g.question_ids), None)
        if group is None:
            return DismissResult("gone")
        ids = set(group.question_ids)
        if since is not None:  # the older askings of the same question go with it (全部 groups them together)
            ids.update(
                i for g in await listing(None, limit) if ids & set(g.question_ids) for i in g.question_ids
            )
        async with self.session_factory() as session, session.begin():
            repo = CurationRepository(session)
            if dismiss:
                count = await repo.dismiss(sorted(ids), self.clock.now())
            else:
                count = await repo.restore(sorted(ids))
        # Zero: a press at the same moment did it first.
        return DismissResult("ok", group.text, count) if count else DismissResult("gone")

    def _settled(self, group: QuestionGroup, wordings: set[str], sure: dict[str, datetime]) -> bool:
        """Whether the group needs no more look: one of its wordings was answered with confidence (and not voted
        down) after it was last asked unanswered, or the knowledge base now answers its representative question
        with confidence. A group voted 👎 stays: the answer a person judged wrong was a confident one too."""
        if group.down_votes:
            return False
        if any(w in sure and sure[w] > group.last_asked for w in wordings):
            return True
        return self.answers_surely is not None and self.answers_surely(group.text)

    async def set_confidence(self, question_id: int, confidence: str | None) -> bool:
        """Record how sure a logged answer was ("high" / "low"), for the Q&A service to call after logging."""
        async with self.session_factory() as session, session.begin():
            return await CurationRepository(session).set_confidence(question_id, confidence)

    async def add_document(self, admin_user_id: int, name: str, data: bytes) -> DocumentResult:
        """Check an administrator's ``.txt`` document and store it in the knowledge-base folder."""
        if admin_user_id not in self.admin_ids:
            return DocumentResult("forbidden", DOCUMENT_PROBLEMS["forbidden"])
        stored_name = document_name(name)
        if stored_name is None:
            return DocumentResult("bad_name", DOCUMENT_PROBLEMS["bad_name"])
        text, problem = document_text(bytes(data))
        if problem is not None or text is None:
            return DocumentResult(problem or "empty", DOCUMENT_PROBLEMS[problem or "empty"])
        path = self.kb_dir / stored_name
        replaced = await asyncio.to_thread(path.exists)
        await asyncio.to_thread(_write_atomically, path, text)
        return DocumentResult("ok", "", stored_name, path, len(text), replaced)

    def documents(self) -> list[str]:
        """The names of the documents added so far."""
        return sorted(p.name for p in self.kb_dir.glob("*.txt")) if self.kb_dir.is_dir() else []
