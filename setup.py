"""The optional C part of the package (everything else is in pyproject.toml).

``knowledge._scoring`` is the BM25 query loop of ``knowledge.index`` in C. It is optional: where it cannot be
compiled (no C compiler), the install goes on and the index uses its numpy path, which gives the same scores.
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
        )
    ]
)
