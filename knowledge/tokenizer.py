"""The tokenizer behind ``Segmenter``: jieba, or rjieba (jieba-rs) where it is proven to cut the same.

jieba is the design's segmenter: the reference and the fallback. rjieba carries the same dictionary (jieba's
``dict.txt``, built into it), takes the same user words, loads about six times faster with a third of the
memory and cuts about 13 times faster. It is used only where its tokens are jieba's:

- ``tests/knowledge/test_tokenizer.py`` proves it on every passage of the corpus and every test query, in both
  modes, with the user dictionary and the corpus' quoted terms;
- at start-up ``make_tokenizer`` cuts a sample (``knowledge/data/tokenizer_reference.json``: sentences and the
  tokens jieba gives them under the shipped user dictionary) and keeps jieba if rjieba is missing, gives any
  other token, or the user dictionary is not the one the sample was made with. ``BRANCHBOT_TOKENIZER=jieba``
  forces jieba.

rjieba loads its built-in copy of the dictionary in about 0.15 s, into about 31 MB. Within
:func:`small_dictionary` (``branchbot run``, which starts once and then idles for weeks) it is given jieba's
``dict.txt`` word by word instead: about 7 MB less resident memory for about 0.4 s more start-up; the words and
frequencies are jieba's own, and the same checks apply.

Both tokenizers offer what ``Segmenter`` uses of ``jieba.Tokenizer``: ``cut``, ``cut_for_search`` (lists, not
generators) and ``add_word``. Only the dictionary path (``HMM=False``) is accelerated; a call with ``HMM=True``
goes to a jieba tokenizer built on first use.

    python -m knowledge.tokenizer   # rewrites the reference with jieba (after an edit of userdict.txt)
"""

from __future__ import annotations

import contextvars
import hashlib
import importlib.machinery
import importlib.util
import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Protocol

log = logging.getLogger(__name__)

ENV = "BRANCHBOT_TOKENIZER"  # "jieba" forces the reference tokenizer; anything else (or unset) is "auto"
REFERENCE = "tokenizer_reference.json"
MODES = ("cut", "cut_for_search")
# jieba's own reading of a user-dictionary line: word, optional frequency, optional tag.
_USERDICT_LINE = re.compile(r"^(.+?)( [0-9]+)?( [a-z]+)?$", re.U)
_SURROGATE = re.compile("([\ud800-\udfff])")
_SMALL = contextvars.ContextVar("branchbot_small_dictionary", default=False)


class Tokenizer(Protocol):
    name: str

    def cut(self, text: str, HMM: bool = False) -> list[str]: ...  # noqa: N803 (jieba's spelling)

    def cut_for_search(self, text: str, HMM: bool = False) -> list[str]: ...  # noqa: N803

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None: ...


def _data_path(name: str) -> Path:
    return Path(str(resources.files("knowledge").joinpath("data", name)))


def userdict_entries(path: Path) -> Iterator[tuple[str, int | None, str | None]]:
    """(word, frequency, tag) per line, read as ``jieba.Tokenizer.load_userdict`` reads them."""
    for line in path.read_text(encoding="utf-8").lstrip("\ufeff").splitlines():
        line = line.strip()
        if not line:
            continue
        word, freq, tag = _USERDICT_LINE.match(line).groups()  # type: ignore[union-attr]
        yield word, int(freq) if freq is not None else None, tag.strip() if tag is not None else None


def userdict_key(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class JiebaTokenizer:
    """A private ``jieba.Tokenizer`` (never the global one) with the user dictionary."""

    name = "jieba"

    def __init__(self, userdict: Path) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._tokenizer = jieba.Tokenizer()
        self._tokenizer.load_userdict(str(userdict))

    def cut(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803
        return list(self._tokenizer.cut(text, HMM=HMM))

    def cut_for_search(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803
        return list(self._tokenizer.cut_for_search(text, HMM=HMM))

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        self._tokenizer.add_word(word, freq, tag)


@contextmanager
def small_dictionary() -> Iterator[None]:
    """rjieba tokenizers made within (in this context) read jieba's ``dict.txt`` instead of their built-in copy."""
    token = _SMALL.set(True)
    try:
        yield
    finally:
        _SMALL.reset(token)


def jieba_dictionary() -> Path | None:
    """jieba's ``dict.txt``, found without importing jieba."""
    spec = importlib.util.find_spec("jieba")
    for folder in (spec.submodule_search_locations or ()) if spec is not None else ():
        path = Path(folder) / "dict.txt"
        if path.is_file():
            return path
    return None


def _from_dictionary(cls: type, dictionary: Path):
    """An rjieba instance holding the words and frequencies of a jieba dictionary file (tags are not needed to
    cut, and leaving them out saves memory)."""
    rs = cls.empty()
    add = rs.add_word
    with dictionary.open(encoding="utf-8") as lines:
        for line in lines:
            parts = line.split()
            if parts:
                add(parts[0], int(parts[1]), None)
    return rs


class RjiebaTokenizer:
    """jieba-rs with jieba's dictionary and the same user words, for the dictionary path (``HMM=False``).

    ``dictionary``: a jieba dictionary file to load instead of rjieba's built-in copy (see ``small_dictionary``).
    """

    name = "rjieba"

    def __init__(self, userdict: Path, dictionary: Path | None = None) -> None:
        self._userdict = userdict
        self._added: list[tuple[str, int | None, str | None]] = []
        self._jieba: JiebaTokenizer | None = None
        self.dictionary = dictionary
        cls = _jieba_rs_class()
        self._rs = cls() if dictionary is None else _from_dictionary(cls, dictionary)
        for word, freq, tag in userdict_entries(userdict):
            self._rs.add_word(word, freq, tag)

    def cut(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803
        if HMM:
            return self._reference().cut(text, HMM=True)
        try:
            return self._rs.cut(text, False)
        except UnicodeEncodeError:
            return _around_surrogates(self._rs.cut, text)

    def cut_for_search(self, text: str, HMM: bool = False) -> list[str]:  # noqa: N803
        if HMM:
            return self._reference().cut_for_search(text, HMM=True)
        try:
            return self._rs.cut_for_search(text, False)
        except UnicodeEncodeError:
            return _around_surrogates(self._rs.cut_for_search, text)

    def add_word(self, word: str, freq: int | None = None, tag: str | None = None) -> None:
        self._rs.add_word(word, freq, tag)
        self._added.append((word, freq, tag))
        if self._jieba is not None:
            self._jieba.add_word(word, freq, tag)

    def _reference(self) -> JiebaTokenizer:
        """jieba itself, for what rjieba was not proven on (its HMM for unknown words)."""
        if self._jieba is None:
            self._jieba = JiebaTokenizer(self._userdict)
            for entry in self._added:
                self._jieba.add_word(*entry)
        return self._jieba


def _around_surrogates(cut, text: str) -> list[str]:
    """``cut`` of a text with lone surrogates, which Rust strings cannot hold. jieba yields such a character as a
    token of its own and cuts the text on each side of it apart, so the same is done here."""
    tokens: list[str] = []
    for piece in _SURROGATE.split(text):
        if _SURROGATE.fullmatch(piece):
            tokens.append(piece)
        elif piece:
            tokens.extend(cut(piece, False))
    return tokens


def _jieba_rs_class() -> type:
    """rjieba's ``Jieba`` class, loaded without running ``rjieba/__init__.py``.

    ``import rjieba`` builds a default instance at import time (its own dictionary: about 0.08 s and 25 MB) that
    nothing here uses; the extension module alone is loaded under the same name, so a later ``import rjieba``
    reuses it. Falls back to the plain import if the extension file is not where a wheel puts it.
    """
    name = "rjieba.rjieba"
    module = sys.modules.get(name)
    if module is None:
        spec = importlib.util.find_spec("rjieba")
        if spec is None:
            raise ImportError("rjieba is not installed")
        for folder in spec.submodule_search_locations or ():
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                path = Path(folder) / f"rjieba{suffix}"
                if path.is_file():
                    loader = importlib.machinery.ExtensionFileLoader(name, str(path))
                    ext_spec = importlib.util.spec_from_file_location(name, path, loader=loader)
                    module = importlib.util.module_from_spec(ext_spec)  # type: ignore[arg-type]
                    loader.exec_module(module)
                    sys.modules[name] = module
                    return module.Jieba
        from rjieba import Jieba

        return Jieba
    return module.Jieba


# -- the start-up check ----------------------------------------------------------------------------------------


def load_reference(path: Path | None = None) -> dict | None:
    try:
        return json.loads((path or _data_path(REFERENCE)).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def first_difference(tokenizer: Tokenizer, reference: dict) -> str | None:
    """Where ``tokenizer`` cuts the reference's texts otherwise than jieba did; None if nowhere."""
    for mode in MODES:
        cut = getattr(tokenizer, mode)
        for text, expected in zip(reference["texts"], reference[mode], strict=True):
            got = cut(text, HMM=False)
            if got != expected:
                return f"{mode}({text[:40]!r}): {got[:12]} instead of {expected[:12]}"
    return None


def make_tokenizer(userdict: Path) -> Tokenizer:
    """rjieba if it cuts the reference sample as jieba did under this very user dictionary, else jieba."""
    if os.environ.get(ENV, "").strip().lower() == "jieba":
        return JiebaTokenizer(userdict)
    reference = load_reference()
    if reference is None or reference.get("userdict") != userdict_key(userdict):
        # The shipped dictionary without its reference is an edit that forgot `python -m knowledge.tokenizer`.
        shipped = userdict.resolve() == _data_path("userdict.txt").resolve()
        log.log(
            logging.WARNING if shipped else logging.INFO,
            "tokenizer: jieba (no reference sample for the user dictionary %s%s)",
            userdict,
            "; run python -m knowledge.tokenizer" if shipped else "",
        )
        return JiebaTokenizer(userdict)
    try:
        fast = RjiebaTokenizer(userdict, jieba_dictionary() if _SMALL.get() else None)
    except ImportError:
        log.info("tokenizer: jieba (rjieba is not installed)")
        return JiebaTokenizer(userdict)
    difference = first_difference(fast, reference)
    if difference is not None:
        log.warning("tokenizer: rjieba cuts otherwise than jieba, using jieba: %s", difference)
        return JiebaTokenizer(userdict)
    return fast


# -- writing the reference -------------------------------------------------------------------------------------


_EDGE_CASES = (
    "hello world 123 abc.def e-mail c++ c#",
    "a+b 3.5% 2026年12月2日 0.5元/人 第3条第2款",
    "  \n\r\n\t 全角　空格",
    "中文english混合text123中文 iphone15pro手机",
    "——……（）【】《》、，。！？；：",
)


def sample_texts(userdict: Path) -> list[str]:
    """The sample: for each user word, the first sentence of the shipped speeches that contains it (or the word
    alone), normalised as the segmenter normalises; then text that is not Chinese prose."""
    from knowledge.ingest import read_documents
    from knowledge.segment import normalize

    folder = _data_path("corpus")
    sentences = [
        normalize(s)
        for doc in read_documents(sorted(folder.glob("*.txt")))
        for passage in doc.passages
        for s in re.split(r"(?<=[。！？；])", passage.text)
        if s.strip()
    ]
    texts: dict[str, None] = {}
    for word, _, _ in userdict_entries(userdict):
        word = normalize(word)
        texts[next((s for s in sentences if word in s), word)] = None
    return [*texts, *_EDGE_CASES]


def write_reference(userdict: Path | None = None, path: Path | None = None) -> Path:
    """Cuts the sample with jieba and writes it, its tokens and the user dictionary's hash."""
    import jieba

    userdict = userdict or _data_path("userdict.txt")
    path = path or _data_path(REFERENCE)
    tokenizer = JiebaTokenizer(userdict)
    texts = sample_texts(userdict)
    reference = {
        "jieba": jieba.__version__,
        "userdict": userdict_key(userdict),
        "texts": texts,
        **{mode: [getattr(tokenizer, mode)(t, HMM=False) for t in texts] for mode in MODES},
    }
    path.write_text(_dump(reference), encoding="utf-8")
    return path


def _dump(reference: dict) -> str:
    """JSON with one text or token list a line, so that a change of the reference reads as a short diff."""
    out = []
    for key, value in reference.items():
        if isinstance(value, list):
            items = ",\n".join(json.dumps(v, ensure_ascii=False) for v in value)
            out.append(f"{json.dumps(key)}: [\n{items}\n]")
        else:
            out.append(f"{json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    return "{\n" + ",\n".join(out) + "\n}\n"


if __name__ == "__main__":
    print(f"wrote {write_reference()}")
