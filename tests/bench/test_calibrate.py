"""``bench.calibrate``: the logistic fit behind ``knowledge.decide``'s model, and the questions it is fitted on."""

from __future__ import annotations

import json

import numpy as np

from bench.calibrate import by_field, consulted, fit, labelled, main, matrix, with_fields
from knowledge.base import KnowledgeBase
from knowledge.decide import FEATURES, FIELD_FEATURES


def test_the_fit_recovers_the_direction_and_the_boundary_of_a_known_model():
    rng = np.random.default_rng(7)
    x = rng.uniform(0, 1, size=(4000, 2))
    p = 1 / (1 + np.exp(-(8 * x[:, 0] - 4)))  # the first feature decides, the second is noise
    y = (rng.uniform(size=len(p)) < p).astype(float)
    model = fit(x, y)
    assert model.weights[0] > 5 and abs(model.weights[1]) < 1
    # The boundary (p = 0.5) lies near x0 = 0.5, in the features' own units.
    assert abs(-(model.intercept + model.weights[1] * 0.5) / model.weights[0] - 0.5) < 0.1


def test_only_questions_the_model_decides_are_fitted_on(tmp_path):
    questions = ["我们只有两名正式党员", "怎么给手机换电池", "党建经费能不能算进企业管理费"]
    path = tmp_path / "qa42_tune.jsonl"
    path.write_text("\n".join(json.dumps({"q": q, "kind": "near"}) for q in questions), encoding="utf-8")
    cases_, names = labelled(KnowledgeBase.default(), [path])
    assert names == ["qa42"] * 3
    assert [consulted(c) for c in cases_] == [False, False, True]  # a numeric rule; nothing found; the model


def test_the_tool_prints_the_weights_and_the_held_out_trade_off(tmp_path, capsys):
    rows = [
        {"q": "党建经费能不能算进企业管理费", "expect": ["企业管理费"]},
        {"q": "书记每个月的补贴有多少", "expect": ["发放周期为1年"]},
        {"q": "党员退休以后还要不要交党费", "kind": "near"},
    ]
    paths = []
    for name, part in (("qa41_in_scope", rows[:2]), ("qa42_tune", rows[2:]), ("qa43_tune", rows)):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in part), encoding="utf-8")
        paths.append(str(path))
    assert main(paths) == 0
    out = capsys.readouterr().out
    assert f"features: {', '.join(FEATURES)}" in out
    assert "WEIGHTS = (" in out and "INTERCEPT = " in out
    assert out.count("held out p>=") == 17


def test_one_set_alone_has_no_held_out_table(tmp_path, capsys):
    path = tmp_path / "qa41_in_scope.jsonl"
    path.write_text(
        json.dumps({"q": "党建经费能不能算进企业管理费", "expect": ["企业管理费"]}, ensure_ascii=False)
    )
    assert main([str(path)]) == 0
    out = capsys.readouterr().out
    assert "at least two sets" in out and "held out p>=" not in out


def test_the_field_model_is_fitted_on_each_half_under_the_others_field(tmp_path):
    """A tuning half never meets its own questions in the field it is judged with."""
    from bench.asked import others_fields

    kb = KnowledgeBase.default()
    halves = {
        "qa41_tune": [("党建经费能不能算进管理费", "企业管理费"), ("书记补贴发几年", "发放周期为1年")],
        "qa42_tune": [
            ("厂里没党员谁来帮忙", "在职党员干部中选派党建工作指导员"),
            ("考核结果挂钩啥", "考核结果与“五星支部”"),
        ],
    }
    for name, rows in halves.items():
        lines = [json.dumps({"q": q, "expect": [e]}, ensure_ascii=False) for q, e in rows]
        (tmp_path / f"{name}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    fields = {path.stem: field for path, _, field in others_fields(kb, tmp_path)}
    assert not fields["qa41_tune"].scores("补贴") and fields["qa41_tune"].scores("帮忙")
    assert not fields["qa42_tune"].scores("帮忙") and fields["qa42_tune"].scores("补贴")
    cases_, names = with_fields(kb, tmp_path)
    kb._asked = None  # the shipped field again, for the other tests
    assert names == ["qa41", "qa41", "qa42", "qa42"]
    used = [c for c in cases_ if by_field(c)]
    assert used
    x, _ = matrix(used, field=True)
    assert x.shape == (len(used), len(FIELD_FEATURES))


def test_the_first_models_table_judges_every_lead_by_the_first_model(monkeypatch, tmp_path, capsys):
    """Leads of the shipped speeches are the field model's in the code; the first model's table must not be."""
    from dataclasses import replace

    import bench.calibrate as calibrate
    from knowledge.decide import DEFAULT

    seen = []
    real = calibrate.outcomes

    def spy(cases_, thresholds):
        seen.extend(thresholds)
        return real(cases_, thresholds)

    monkeypatch.setattr(calibrate, "outcomes", spy)
    rows = [
        {"q": "党建经费能不能算进企业管理费", "expect": ["企业管理费"]},
        {"q": "书记补贴发几年", "kind": "near"},
    ]
    paths = []
    for name in ("qa41_tune", "qa42_tune"):
        path = tmp_path / f"{name}.jsonl"
        path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
        paths.append(str(path))
    assert main(paths) == 0
    assert seen and all(not t.field_model.field for t in seen)
    assert all(t.field_high is None for t in seen)
    assert seen[0] == replace(DEFAULT, field_model=DEFAULT.model, field_high=None)
