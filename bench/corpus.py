"""A deterministic synthetic corpus for ``BRANCHBOT_KB_DIR``, built from the clauses of the shipped speeches.

The clauses of the two speeches (their passages split on ，。；) are recombined into many documents shaped like a
speech the ingestion recognises: a title line, ``同志们：``, an opening paragraph, sections ``一、...`` whose
paragraphs start ``一是``/``二要`` and are made of 5-15 random clauses, and a closing ``同志们，...`` paragraph.
Each file is UTF-8 text of roughly 50-200 KB; files are written until ``target_bytes`` is reached.

The vocabulary is exactly the speeches' own, so this is a worst case for retrieval: every synthetic passage looks
like a plausible answer to a question about the speeches.

    python -m bench.corpus OUT_DIR [--mb 10] [--seed 0]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

MIN_DOC_BYTES = 50_000
MAX_DOC_BYTES = 200_000
FILE_PREFIX = "syn_"
_CLAUSE_SPLIT = re.compile(r"[，。；]")
_CN_DIGITS = "一二三四五六七八九十"
_MAX_SECTIONS = 60  # headings are numbered 一 .. 六十 (the ingestion reads up to three numeral characters)
# Words the ingestion treats as an advertising line; a synthetic title must not contain them.
_AD_WORDS = re.compile(
    r"仅供学习|禁止外传|订阅|会员|QQ群|微信群|公众号|倒卖|酷乐文行|自建平台|实时分享|不断迭代|版权所有|转载"
)


def cn_numeral(n: int) -> str:
    """1..99 as a Chinese numeral."""
    if n <= 10:
        return _CN_DIGITS[n - 1]
    tens, ones = divmod(n, 10)
    return (_CN_DIGITS[tens - 1] if tens > 1 else "") + "十" + (_CN_DIGITS[ones - 1] if ones else "")


def speech_clauses() -> list[str]:
    """The distinct clauses of the shipped speeches, in reading order."""
    from knowledge.base import shipped_corpus
    from knowledge.ingest import read_documents

    clauses: dict[str, None] = {}
    for doc in read_documents(shipped_corpus()):
        for passage in doc.passages:
            for clause in _CLAUSE_SPLIT.split(passage.text):
                clause = clause.strip()
                if len(clause) >= 2:
                    clauses[clause] = None
    return list(clauses)


class _SpeechWriter:
    def __init__(self, clauses: list[str], rng: random.Random) -> None:
        self.clauses = clauses
        # Short clauses make headings and titles (the ingestion takes a heading of at most 49 characters).
        self.short = [c for c in clauses if 6 <= len(c) <= 30 and not _AD_WORDS.search(c)]
        self.rng = rng

    def sentence_run(self, lo: int = 5, hi: int = 15) -> str:
        """``lo``..``hi`` random clauses joined as Chinese prose: commas, the odd semicolon, full stops."""
        rng = self.rng
        picked = rng.choices(self.clauses, k=rng.randint(lo, hi))
        out = []
        for i, clause in enumerate(picked):
            out.append(clause)
            if i == len(picked) - 1:
                out.append("。")
            else:
                out.append(rng.choices("，；。", weights=(8, 1, 2))[0])
        return "".join(out)

    def title(self, number: int) -> str:
        topic = self.rng.choice(self.short)
        return f"在全市{topic}工作会议（第{number}次）上的讲话"

    def heading(self, n: int) -> str:
        return f"{cn_numeral(n)}、{self.rng.choice(self.short)}"

    def document(self, number: int, target: int) -> str:
        rng = self.rng
        lines = [self.title(number), "同志们：", self.sentence_run(8, 15)]
        size = sum(len(line.encode()) + 1 for line in lines)
        n_section = 0
        while size < target and n_section < _MAX_SECTIONS:
            n_section += 1
            section = [self.heading(n_section), self.sentence_run(3, 8)]
            verb = rng.choice("是要")
            for item in range(1, rng.randint(3, 8) + 1):
                section.append(f"{cn_numeral(item)}{verb}{self.sentence_run()}")
            lines += section
            size += sum(len(line.encode()) + 1 for line in section)
        lines.append("同志们，" + self.sentence_run(5, 10))
        return "\n".join(lines) + "\n"


def make_synthetic_corpus(folder: Path, target_bytes: int = 10_000_000, seed: int = 0) -> list[Path]:
    """Writes ``syn_NNNN.txt`` speeches into ``folder`` until their total size reaches ``target_bytes``.

    Deterministic for a given ``seed`` (and the shipped speeches). Older ``syn_*.txt`` files in ``folder`` are
    removed first, so the folder holds exactly this corpus's synthetic files. Returns the files written.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob(f"{FILE_PREFIX}*.txt"):
        old.unlink()
    rng = random.Random(seed)
    writer = _SpeechWriter(speech_clauses(), rng)
    files: list[Path] = []
    total = 0
    while total < target_bytes:
        remaining = target_bytes - total
        doc_target = rng.randint(MIN_DOC_BYTES, MAX_DOC_BYTES)
        # The last file takes what is left (never less than the minimum size).
        if remaining - doc_target < MIN_DOC_BYTES:
            doc_target = max(MIN_DOC_BYTES, min(remaining, MAX_DOC_BYTES))
        data = writer.document(len(files) + 1, doc_target).encode("utf-8")
        path = folder / f"{FILE_PREFIX}{len(files):04d}.txt"
        path.write_bytes(data)
        files.append(path)
        total += len(data)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.corpus", description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--mb", type=float, default=10.0, help="target size in MB (10^6 bytes); default 10")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    files = make_synthetic_corpus(args.out_dir, int(args.mb * 1_000_000), args.seed)
    sizes = [p.stat().st_size for p in files]
    print(
        f"wrote {len(files)} files, {sum(sizes) / 1e6:.2f} MB "
        f"(min {min(sizes) / 1e3:.0f} KB, max {max(sizes) / 1e3:.0f} KB) to {args.out_dir} "
        f"in {time.perf_counter() - start:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
