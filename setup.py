"""The optional C part of the package (everything else is in pyproject.toml).

``knowledge._scoring`` is the BM25 query loop of ``knowledge.index`` in C, and ``knowledge._evidence`` the loops that
measure what each candidate passage holds of a question (``knowledge.coverage``, ``knowledge.proximity``). Both are
optional: where they cannot be compiled (no C compiler), the install goes on and the Python and numpy paths, which
give the same results, are used.
``-ffp-contract=off``: a fused multiply-add would round once where numpy rounds twice.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "knowledge._scoring",
            ["knowledge/_scoring.c"],
            extra_compile_args=["-O3", "-ffp-contract=off"],
            optional=True,
        ),
        Extension(
            "knowledge._evidence",
            ["knowledge/_evidence.c"],
            extra_compile_args=["-O3", "-ffp-contract=off"],
            optional=True,
        ),
    ]
)
