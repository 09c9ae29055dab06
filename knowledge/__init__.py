"""The knowledge layer: corpus ingestion, segmentation, index, answers and the rules the speeches set.

Never imports ``telegram``.
"""

from knowledge.types import Hit, Passage

__all__ = ["Hit", "KnowledgeBase", "Passage"]


def __getattr__(name: str):
    # KnowledgeBase pulls in jieba and numpy; import it on first use, not when knowledge.types is wanted.
    if name == "KnowledgeBase":
        from knowledge.base import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(name)
