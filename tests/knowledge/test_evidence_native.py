"""``knowledge._evidence``: ``coverage.measure_plain`` and ``proximity.best_share`` in C, built wherever a C
compiler is, and bit for bit the Python loops' results (knowledge/_evidence.c); bad input raises, never crashes."""

from __future__ import annotations

import math
import random
from collections import Counter

import pytest

import knowledge.coverage as kc
import knowledge.proximity as kp
from knowledge.asked import AskedField
from knowledge.coverage import Found, Term
from tests.knowledge.native import native_extension

ALPHABET = "党建工作组织支部书记企业员联合"


@pytest.fixture
def native():
    """The extension (a skip only where no C compiler could have built it: the Python loops serve there)."""
    return native_extension("_evidence")


def _word(rng: random.Random) -> str:
    return "".join(rng.choices(ALPHABET, k=rng.randint(1, 3)))


def _terms(rng: random.Random) -> list[Term]:
    weights = [0.0, 0.1, 0.3, 1 / 3, 0.7, 2.5, 1e-9, 7.25]
    return [
        Term(
            tuple(_word(rng) for _ in range(rng.randint(1, 3))),
            rng.choice(weights) * rng.random(),
            rng.choice([1.0, 0.5, 0.25, 0.9]),
            rng.random() < 0.3,
        )
        for _ in range(rng.randint(0, 9))
    ]


def _view(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    parts = tuple("".join(rng.choices(ALPHABET, k=rng.randint(0, 30))) for _ in range(rng.randint(0, 8)))
    return "\x00".join(parts), parts


def test_the_modules_use_the_extension(native):
    assert kc._measure is native.measure
    assert kp._best_share is native.best_share


@pytest.mark.parametrize("seed", range(6))
def test_measure_plain_is_the_python_loops_bit_for_bit(native, seed):
    rng = random.Random(seed)
    for _ in range(400):
        terms, (joined, _) = _terms(rng), _view(rng)
        got, want = kc.measure_plain(terms, joined), kc.measure_plain_py(terms, joined)
        assert type(got) is Found and got == want
        assert [type(v) for v in got] == [type(v) for v in want]  # floats and an int, as Python makes them
        assert all(math.copysign(1, a) == math.copysign(1, b) for a, b in zip(got[:2], want[:2], strict=True))


@pytest.mark.parametrize("seed", range(6))
def test_best_share_is_the_python_loops_bit_for_bit(native, seed):
    rng = random.Random(seed)
    shares = 0
    for _ in range(400):
        terms, seen = _terms(rng), _view(rng)
        got, want = kp.best_share(terms, seen), kp.best_share_py(terms, seen)
        assert type(got) is float and got.hex() == want.hex()
        shares += 0 < got < 1
    assert shares > 50  # the loops over sentences were exercised, not only the early returns


def test_many_terms_past_the_stack_buffer(native):
    terms = [Term((f"字{i}",), 1.0 + i / 7, 1.0, False) for i in range(100)]
    text = "".join(f"字{i}" for i in range(0, 100, 3))
    parts = (text[: len(text) // 2], text[len(text) // 2 :])
    seen = ("\x00".join(parts), parts)
    assert kp.best_share(terms, seen).hex() == kp.best_share_py(terms, seen).hex()
    assert kc.measure_plain(terms, text) == kc.measure_plain_py(terms, text)


def test_a_real_question_over_the_speeches(native, kb):
    terms = kb.coverage_terms(kb.analyze("党员不足三人的企业怎样建立党组织"))
    assert terms
    for passage in kb.passages[:200]:
        plain = kb._plain_of(passage.id)
        assert kc.measure_plain(terms, plain) == kc.measure_plain_py(terms, plain)
        seen = kp.view(passage.text)
        assert kp.best_share(terms, seen).hex() == kp.best_share_py(terms, seen).hex()


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda m: m.measure(Found, [("a",)], "abc"), TypeError),  # a term of the wrong size
        (lambda m: m.measure(Found, [(("a",), "x", 1.0, False)], "abc"), TypeError),  # a weight not a number
        (lambda m: m.measure(Found, [(("a",), 1.0, 1.0, "yes")], "abc"), TypeError),  # is_domain not an int
        (lambda m: m.measure(Found, [((1,), 1.0, 1.0, False)], "abc"), TypeError),  # a spelling not a str
        (lambda m: m.measure(Found, [(["a"], 1.0, 1.0, False)], "abc"), TypeError),  # spellings not a tuple
        (lambda m: m.measure(Found, 5, "abc"), TypeError),  # terms not a sequence
        (lambda m: m.measure(dict, [], "abc"), TypeError),  # not a tuple type
        (lambda m: m.measure(Found, [], b"abc"), TypeError),
        (lambda m: m.measure(Found, []), TypeError),
        (lambda m: m.best_share([(("a",), 1.0, 1.0, False)] * 2, "a", ("a", 3)), TypeError),
        (lambda m: m.best_share([], "a", ["a"]), TypeError),
        (lambda m: m.best_share([(("a",), None, 1.0, False)], "a", ("a",)), TypeError),
        (lambda m: m.best_share([], "a"), TypeError),
    ],
)
def test_bad_input_raises(native, call, error):
    with pytest.raises(error):
        call(native)


def test_without_the_extension_the_python_loops_serve(monkeypatch):
    monkeypatch.setattr(kc, "_measure", lambda _type, terms, plain: kc.measure_plain_py(terms, plain))
    monkeypatch.setattr(
        kp, "_best_share", lambda terms, joined, parts: kp.best_share_py(terms, (joined, parts))
    )
    terms = [Term(("党建",), 0.5, 1.0, True), Term(("书记", "负责人"), 0.25, 0.5, False)]
    assert kc.measure_plain(terms, "党建书记") == Found(0.5 + 0.25 * 0.5, 0.75, 1)
    assert kp.best_share(terms, ("党建\x00书记", ("党建", "书记"))) == 0.5 / 0.75


def _field(rng: random.Random) -> AskedField:
    """A field of random past questions over up to 40 of 3,000 passages (several postings per bigram)."""
    words = [a + b for a in "党建支部书记组" for b in "织工作企业联合"]  # 49 bigrams, each in a few passages
    chosen = rng.sample(range(3000), rng.randint(1, 40))
    return AskedField({p: Counter(rng.choices(words, k=6)) for p in chosen})


@pytest.mark.parametrize("seed", range(4))
def test_field_scores_are_the_python_loops_bit_for_bit(monkeypatch, native, seed):
    import knowledge.asked as ka

    rng, filled = random.Random(seed), 0
    for _ in range(30):
        field = _field(rng)
        question = "".join(rng.choices("党建支部书记组织工作企业联合", k=rng.randint(0, 16)))
        low = rng.choice([0, 100, 1500])
        bounds = (low, low + rng.choice([1, 700, 5000]), rng.choice([0, low]))
        got = (field.scores(question), field.scores_between(question, *bounds))
        with monkeypatch.context() as m:
            m.setattr(ka, "_evidence", None)
            want = (field.scores(question), field.scores_between(question, *bounds))
        filled += bool(want[0])
        for g, w in zip(got, want, strict=True):
            assert list(g) == list(w)  # the same keys, inserted in the same order
            assert [v.hex() for v in g.values()] == [v.hex() for v in w.values()]
    assert filled > 15  # most questions found postings: the loops were exercised


def test_the_fields_use_the_extension(native):
    import knowledge.asked as ka

    assert ka._evidence is native


@pytest.mark.parametrize(
    "call",
    [
        lambda m, a: m.field_scores([(0, 99)], a("I", [1]), a("f", [1.0])),  # a span past the postings
        lambda m, a: m.field_scores([(2, 1)], a("I", [1, 2]), a("f", [1.0, 2.0])),
        lambda m, a: m.field_scores([(-1, 1)], a("I", [1]), a("f", [1.0])),
        lambda m, a: m.field_scores([(0,)], a("I", [1]), a("f", [1.0])),
        lambda m, a: m.field_scores([(0, 1)], a("i", [1]), a("f", [1.0])),  # signed ids
        lambda m, a: m.field_scores([(0, 1)], a("I", [1]), a("d", [1.0])),  # double weights
        lambda m, a: m.field_scores([(0, 1)], a("I", [1]), a("f", [1.0]), "x"),
        lambda m, a: m.field_scores([(0, 1)], a("I", [1])),
        lambda m, a: m.field_scores(7, a("I", [1]), a("f", [1.0])),
    ],
)
def test_field_scores_bad_input_raises(native, call):
    from array import array

    with pytest.raises((TypeError, IndexError)):
        call(native, array)
