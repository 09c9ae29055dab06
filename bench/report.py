"""The tables ``bench.retrieval`` prints: figures per setting and system, ratios to the peers, the targets."""

from __future__ import annotations

Row = tuple[str, str, dict]  # (setting, label, the worker's result)

PEER_LABELS = ("bm25s", "tantivy", "bm25okapi")
P99_TARGET_MS = 5.0


def print_all(rows: list[Row], details: bool = False) -> None:
    print()
    print_table(rows)
    print(
        "\ntop1/top3: an expected phrase in the first / any of the first 3 texts; hl1: in ours' first highlight;"
        "\nnone: dev questions without any hit (ours refuses when the speeches hold no answer);"
        "\ntok: query analysis (ours) or tokenising (peers); score: BM25 and the top k; p50..mean: the whole call"
        "\n(ours: KnowledgeBase.search; peers: tok + score), wall ms; cpu: the thread's CPU ms of the whole call;"
        "\n1st: p50 of each question's first call (before it, nothing of that question was cached or compiled);"
        "\nbuild: files -> searchable index (warm: load from cache; peers: tokenising + indexing);"
        "\nRSS+: RSS growth across the build; RSS: after the queries; peak: the worker's maximum RSS."
    )
    if details:
        print_details(rows)
    print_ratios(rows)
    print_targets(rows)


def print_table(rows: list[Row]) -> None:
    header = (
        f"{'setting':<10} {'system':<12} {'pass.':>6} {'top1':>6} {'top3':>6} {'hl1':>6} {'none':>4} "
        f"{'tok':>6} {'score':>6} {'p50':>6} {'p95':>6} {'p99':>6} {'mean':>6} {'cpu50':>6} {'cpu99':>6} {'1st':>6} "
        f"{'build s':>7} {'RSS+MB':>6} {'RSS MB':>6} {'peakMB':>6}"
    )
    print(header)
    print("-" * len(header))
    for setting, label, r in rows:
        n = r["questions"]
        hl1 = f"{r['hl1']}/{n}" if label.startswith("ours") else "-"
        print(
            f"{setting:<10} {label:<12} {r['passages']:>6} {r['top1']:>3}/{n:<2} {r['top3']:>3}/{n:<2} {hl1:>6} "
            f"{r['unanswered']:>4} {r['tok_p50']:>6.3f} {r['score_p50']:>6.3f} {r['p50']:>6.3f} {r['p95']:>6.3f} "
            f"{r['p99']:>6.3f} {r['mean']:>6.3f} {r['cpu_p50']:>6.3f} {r['cpu_p99']:>6.3f} {r['first_p50']:>6.3f} "
            f"{r['build_s']:>7.2f} "
            f"{r['rss_delta_mb']:>6.0f} {r['rss_mb']:>6.0f} {r['peak_mb']:>6.0f}"
        )
    tokenizers = sorted({r["tokenizer"] for _, _, r in rows})
    print(f"(latencies in ms, p50 unless named; tokenizer: {', '.join(tokenizers)})")


def print_details(rows: list[Row]) -> None:
    """Per question and system: 1 = in top-1, 3 = in top-3 only, . = missed."""
    from bench.common import load_questions

    labels = [
        f"{s.strip('+ MB')[:6]}/{label.split()[0][:5]}{'-w' if 'warm' in label else ''}"
        for s, label, _ in rows
    ]
    print("\nper question (1: top-1, 3: top-3 only, .: missed)")
    print("  " + " ".join(f"{lab:>12}" for lab in labels) + "  question")
    for i, item in enumerate(load_questions()):
        marks = []
        for _, _, r in rows:
            t1, t3, _hl = r["per_question"][i]
            marks.append("1" if t1 else "3" if t3 else ".")
        print("  " + " ".join(f"{m:>12}" for m in marks) + f"  {item['q']}")


def _settings(rows: list[Row]) -> list[str]:
    return list(dict.fromkeys(s for s, _, _ in rows))


def print_ratios(rows: list[Row]) -> None:
    """Each peer's p50 over ours (>1: ours is faster), for the whole call and for scoring alone."""
    by = {(s, label): r for s, label, r in rows}
    print("\nspeed ratio, peer / ours (>1: ours is faster); whole call p50 (scoring alone p50)")
    print(f"  {'setting':<10} {'ours':<12} " + " ".join(f"{p:>18}" for p in PEER_LABELS) + "   best peer")
    for setting in _settings(rows):
        peers = {p: by[(setting, p)] for p in PEER_LABELS if (setting, p) in by}
        for label in ("ours", "ours (cold)", "ours (warm)"):
            ours = by.get((setting, label))
            if ours is None:
                continue
            cells = [
                f"{r['p50'] / ours['p50']:>8.2f}x ({r['score_p50'] / ours['score_p50']:>5.2f}x)"
                for r in peers.values()
            ]
            best = min(peers, key=lambda p: peers[p]["p50"])
            ratio = peers[best]["p50"] / ours["p50"]
            print(
                f"  {setting:<10} {label:<12} "
                + " ".join(f"{c:>18}" for c in cells)
                + f"   {best} {ratio:.2f}x"
            )


def print_targets(rows: list[Row]) -> None:
    by = {(s, label): r for s, label, r in rows}
    print("\ntargets (bench/README.md):")
    checks = []
    for setting in _settings(rows)[1:]:
        bm25s, base = by.get((setting, "bm25s")), by.get((setting, "bm25okapi"))
        for label in ("ours (cold)", "ours (warm)"):
            ours = by[(setting, label)]
            if bm25s is not None:
                checks.append(
                    (
                        f"{setting} {label}: whole call p50 <= bm25s tok+score p50",
                        f"{ours['p50']:.3f} vs {bm25s['p50']:.3f} ms",
                        ours["p50"] <= bm25s["p50"],
                    )
                )
            checks.append(
                (f"{setting} {label}: p99 < {P99_TARGET_MS:g} ms", f"{ours['p99']:.2f} ms", ours["p99"] < 5)
            )
        if base is not None:
            ours = by[(setting, "ours (cold)")]
            for key in ("top1", "top3"):
                checks.append(
                    (
                        f"{setting} accuracy {key} >= bm25okapi",
                        f"{ours[key]} vs {base[key]}",
                        ours[key] >= base[key],
                    )
                )
    for name, value, met in checks:
        print(f"  {name:<52} {value:<22} {'met' if met else 'NOT met'}")
