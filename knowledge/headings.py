"""What a passage's headings say about it, in the ranking.

A section of a speech opens with a paragraph under its title ("一、实施企业家政治引领行动": what the action is
for) and goes on in numbered items, each headed by its own first sentence ("三要建立直接联系服务制度。…"). The
index reads every passage with its section's title, so the title's words alone cannot tell the opening
paragraph from the items. Two signals do:

- the passage's own heading counts as one of its sentences for proximity (``knowledge.proximity``): an item's
  heading already is its first sentence; the opening paragraph gains its section's title;
- a question that names a section's title ("企业家政治引领行动要干啥") favours the opening paragraph: its score is
  multiplied by ``1 + INTRO_WEIGHT x`` the share of the question the title holds. An item whose own heading or
  text holds the rest of the question still wins ("…行动里的教育培训怎么搞" -> "二要加强教育培训").

``INTRO_WEIGHT`` (0.3, linear) was chosen among 0.15/0.3/0.45/0.6/1.0, linear and squared, on the seen blind sets
and the tuning halves of the seventh and eighth (``tests/data/README.md``).
"""

from __future__ import annotations

from functools import lru_cache

from knowledge import proximity
from knowledge.coverage import Term, measure
from knowledge.types import Passage

INTRO_WEIGHT = 0.3
# A question that is all title ("保障规范化讲啥") favours the opening paragraph by this much more, over the closing
# paragraph that names every section (0.2, 0.4, 0.7 measured on the seen sets and the tuning halves of qa16/qa17:
# top-1 +2, +3, +3, nothing worse).
TITLE_WEIGHT = 0.4
WHOLE_TITLE = 0.999


def own_text(passage: Passage) -> str:
    """The passage's text, led by its own heading where the text does not already open with it."""
    if not passage.headings:
        return passage.text
    heading = passage.headings[-1]
    return passage.text if passage.text.startswith(heading) else f"{heading}。{passage.text}"


def intro_factor(terms: list[Term], passage: Passage) -> float:
    """What a section's opening paragraph's score is multiplied by for the share of the question its title
    holds (1 for any other passage)."""
    if len(passage.headings) != 1 or not terms:
        return 1.0
    share = measure(terms, passage.headings[0]).share
    return 1 + INTRO_WEIGHT * share + (TITLE_WEIGHT if share >= WHOLE_TITLE else 0.0)


def bonus(terms: list[Term], passage: Passage) -> float:
    """What a candidate's score is multiplied by: proximity over its own text, times ``intro_factor``."""
    headings = passage.headings
    near = proximity.factor_of(terms, _own_view(headings[-1] if headings else None, passage.text))
    if len(headings) != 1 or not terms:
        return near  # times an ``intro_factor`` of 1
    return near * intro_factor(terms, passage)


@lru_cache(maxsize=4096)
def _own_view(heading: str | None, text: str) -> tuple[str, tuple[str, ...]]:
    """``proximity.view`` of ``own_text`` for a passage's last heading and text: keyed by the passage's own strings
    (their hashes kept), not by a text made anew for every question; bounded, like ``view``."""
    if heading is None:
        return proximity.view(text)
    return proximity.view(text if text.startswith(heading) else f"{heading}。{text}")
