"""Many branches at once (``branchbot branch import FILE.csv``): a CSV with the header
``org,name,form,members,units`` (``units`` optional).

Every row is checked first; if any is wrong nothing is added and each error is reported with its line number
(line 1 is the header). ``form`` is a label (单独组建, 联合建, 挂靠建) or a code (single, joint, attached);
``members`` a whole number from 0; ``units`` for a joint branch, and only for it (``branch add``'s rules:
``handlers.services.branch_rules``). What the speeches advise against (a joint organisation of more than 5
units, fewer than 3 members on their own ...) is a warning, not an error
(``knowledge.organisation.profile_warnings``). A branch already in the database (same org and name), or twice
in the file, is an error, so importing a file twice adds nothing the second time. Otherwise all branches and
their invitations (the logic of ``handlers.services.branches``: a one-time code, only its hash stored, 7 days)
go in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from handlers.services.branch_rules import (
    branch_key,
    duplicate_message,
    existing_branches,
    name_errors,
    profile_errors,
)
from handlers.services.branches import INVITATION_TTL, MAX_COUNT, hash_code, new_code
from handlers.services.clock import Clock
from handlers.services.text import clean_text
from knowledge.organisation import ORG_FORM_LABELS, OrgForm, profile_warnings
from storage.repositories import BranchImportRepository

COLUMNS = ("org", "name", "form", "members", "units")
REQUIRED = ("org", "name", "form", "members")
MAX_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int  # the row's line in the file (the header is line 1)
    values: Mapping[str, str | None]  # column -> text as read


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int
    message: str  # Chinese, for the operator

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}"


@dataclass(frozen=True, slots=True)
class ImportedBranch:
    line: int
    id: int
    name: str
    code: str  # the invitation code (the link is t.me/<bot>?start=<code>)


@dataclass(frozen=True, slots=True)
class ImportResult:
    branches: tuple[ImportedBranch, ...]  # empty when there are errors
    errors: tuple[ImportProblem, ...]
    warnings: tuple[ImportProblem, ...]

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(frozen=True, slots=True)
class _Valid:
    line: int
    org_name: str
    name: str
    form: OrgForm
    formal_members: int
    units: int | None


def parse_branch_csv(text: str) -> tuple[list[ImportRow], list[ImportProblem]]:
    """The rows of a CSV text, and what is wrong with its header or shape."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), restkey="\x00extra")
    header = [clean_text(h or "").lower() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    problems = []
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h not in COLUMNS]
    if not header:
        problems.append(ImportProblem(1, f"文件是空的；第一行应为表头 {','.join(COLUMNS)}。"))
    elif missing or unknown or len(set(header)) != len(header):
        problems.append(
            ImportProblem(1, f"表头应为 {','.join(COLUMNS)}（units 可省略），现在是 {','.join(header)}。")
        )
    rows = []
    previous = reader.line_num
    for values in reader:
        rows.append(ImportRow(previous + 1, values))
        previous = reader.line_num
        if len(rows) > MAX_ROWS:
            problems.append(ImportProblem(previous, f"一次最多导入 {MAX_ROWS} 个支部。"))
            break
    return rows, problems


def _count(text: str) -> int | None:
    return int(text) if re.fullmatch(r"[0-9]{1,6}", text) and int(text) <= MAX_COUNT else None


def check_row(row: ImportRow) -> tuple[_Valid | None, list[str], list[str]]:
    """One row: the valid values (or None), its errors and its warnings."""
    values = {k: clean_text(v) if isinstance(v, str) else "" for k, v in row.values.items() if k in COLUMNS}
    errors = []
    if row.values.get("\x00extra"):
        errors.append("这一行的栏数多于表头。")
    errors.extend(name_errors(values.get("org", ""), values.get("name", "")))  # as `branch add` checks them
    form = OrgForm.parse(values.get("form", ""))
    if form is None:
        errors.append(f"组织形式应为 {'、'.join(ORG_FORM_LABELS)} 之一，而不是“{values.get('form', '')}”。")
    members = _count(values.get("members", ""))
    if members is None:
        errors.append("正式党员人数应为 0 或正整数。")
    units = None
    if values.get("units"):
        units = _count(values["units"])
        if units is None:
            errors.append("联合单位数应为正整数，或留空。")
    if form is not None and members is not None and (units is not None or not values.get("units")):
        errors.extend(profile_errors(form, members, units))  # as `branch add` checks them
    if errors or form is None or members is None:
        return None, errors, []
    warnings = profile_warnings(form.value, members, units)
    return _Valid(row.line, values["org"], values["name"], form, members, units), [], warnings


class BranchImporter:
    def __init__(self, session_factory: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self.session_factory = session_factory
        self.clock = clock

    async def import_csv(self, text: str, *, created_by: int | None = None) -> ImportResult:
        """Parse ``text`` (see :func:`parse_branch_csv`) and import it (see :meth:`import_branches`)."""
        rows, problems = parse_branch_csv(text)
        if problems:
            return ImportResult((), tuple(problems), ())
        return await self.import_branches(rows, created_by=created_by)

    async def import_branches(
        self, rows: Iterable[ImportRow | Mapping[str, str | None]], *, created_by: int | None = None
    ) -> ImportResult:
        """Check every row, then add all of them, or none if any is wrong.

        A plain mapping is numbered as if read from a file after its header (line 2 on).
        """
        numbered = [r if isinstance(r, ImportRow) else ImportRow(i + 2, r) for i, r in enumerate(rows)]
        valid, errors, warnings = [], [], []
        for row in numbered:
            ok, row_errors, row_warnings = check_row(row)
            errors.extend(ImportProblem(row.line, m) for m in row_errors)
            warnings.extend(ImportProblem(row.line, m) for m in row_warnings)
            if ok is not None:
                valid.append(ok)
        if not numbered:
            errors.append(ImportProblem(1, "文件里没有支部。"))
        async with self.session_factory() as session, session.begin():
            errors.extend(await self._duplicates(session, valid))
            if errors:  # nothing was written: the transaction commits nothing
                return ImportResult((), tuple(sorted(errors, key=lambda p: p.line)), tuple(warnings))
            added = await self._add(session, valid, created_by)
        return ImportResult(tuple(added), (), tuple(warnings))

    async def _duplicates(self, session: AsyncSession, valid: list[_Valid]) -> list[ImportProblem]:
        existing = await existing_branches(session)
        seen: dict[tuple[str, str], int] = {}
        problems = []
        for v in valid:
            key = branch_key(v.org_name, v.name)
            if key in seen:
                problems.append(ImportProblem(v.line, f"与第{seen[key]}行重复（同一单位、同名支部）。"))
            elif key in existing:
                problems.append(ImportProblem(v.line, duplicate_message(existing[key])))
            seen.setdefault(key, v.line)
        return problems

    async def _add(
        self, session: AsyncSession, valid: list[_Valid], created_by: int | None
    ) -> list[ImportedBranch]:
        now = self.clock.now()
        codes = [new_code() for _ in valid]
        ids = await BranchImportRepository(session).add_many(
            [
                {
                    "org_name": v.org_name,
                    "name": v.name,
                    "form": v.form.value,
                    "formal_members": v.formal_members,
                    "units": v.units,
                }
                for v in valid
            ],
            code_hashes=[hash_code(code) for code in codes],
            created_by=created_by,
            at=now,
            expires_at=now + INVITATION_TTL,
        )
        return [
            ImportedBranch(v.line, branch_id, v.name, code)
            for v, branch_id, code in zip(valid, ids, codes, strict=True)
        ]
