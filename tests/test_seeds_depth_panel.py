"""Seeds panel, issue 16's sections driven headlessly: spread sources, butterfly, first divergence, resume."""
import pytest

from core import butterfly, catalogue, first_divergence, resume_check, train
from widgets.shell.app import App


@pytest.fixture(scope="module")
def panel():
    app = App()
    p = app.panel("seeds")
    p.base = p.base.replace(epochs=1, hidden=(8,), batch_size=128, stats_every=1000)  # 10 steps
    p.seed.value = "3"
    return p


def test_spread_bars_span_each_sources_seeds_with_a_dot_per_seed(panel):
    panel.sources.n_seeds.value = 2
    panel.sources.button.click()
    rows = panel.sources.rows
    assert panel.status.text == "Spread measured."
    assert [r.source for r in rows] == ["init", "order", "split", "all"]
    bars, dots = panel.sources.fig.data
    assert list(bars.x) == ["weights init", "batch order", "data split", "all together"]
    assert list(bars.base) == [min(r.final_val_acc) for r in rows]
    assert list(dots.y) == [a for r in rows for a in r.final_val_acc]
    everything = rows[-1]
    assert everything.runs[0].fingerprint == train(panel.config().replace(seed=4)).fingerprint
    widest = max(rows, key=lambda r: r.range)  # the conclusion follows the chart's widest bar, not "all" alone
    sentence = panel.sources.sentence.value
    assert f"over {widest.range:.1%} here (the widest bar: {list(bars.x)[rows.index(widest)]}, 2 seeds)" in sentence
    assert "with probability 2/(2+1) = 67%" in sentence


def test_butterfly_draws_the_distance_from_one_ulp_and_marks_the_flipped_bit(panel):
    panel.butterfly.bit.value = 0
    panel.butterfly.button.click()
    result = panel.butterfly.result
    assert panel.status.text == "The twins have trained."
    trace = panel.butterfly.fig.data[0]
    assert list(trace.y) == result.abs_distance and trace.y[0] == abs(result.flip.after - result.flip.before)
    assert panel.butterfly.fig.layout.yaxis.type == "log"
    assert result.original.fingerprint == butterfly(panel.config()).original.fingerprint
    bits = panel.butterfly.bits.value
    last = result.flip.bits_before[-1]
    assert result.flip.bits_before[:-1] in bits and f">{last}</b>" in bits


def test_first_divergence_shows_step_layer_and_pass_on_the_layer_diagram(panel):
    panel.parts["init"].value = False
    try:
        panel.divergence.button.click()
    finally:
        panel.parts["init"].value = True
    d = panel.divergence.result
    assert (d.step, d.layer, d.kind) == (0, "layer1", "weights")
    assert "the weights of layer1, before the step" in panel.divergence.diagram.value
    panel.divergence.flip.value = True
    panel.divergence.button.click()
    d = panel.divergence.result
    assert (d.step, d.kind) == (0, "weights")
    assert d == first_divergence(panel.config(), panel.config(), flip=(None, None, 0))
    panel.divergence.flip.value = False
    panel.divergence.button.click()
    assert panel.divergence.result.step is None and "never part" in panel.divergence.diagram.value


def test_resume_overlays_curves_and_names_what_was_not_saved(panel):
    panel.resume.at.value = "5"
    panel.resume.button.click()
    r = panel.resume.result
    assert r.identical and "IDENTICAL" in panel.resume.verdict.value
    straight, resumed = panel.resume.fig.data
    assert list(resumed.x) == list(range(5, 10)) and list(resumed.y) == list(straight.y)[5:]
    panel.resume.keep["position"].value = False
    panel.resume.button.click()
    r = panel.resume.result
    again = resume_check(panel.config(), 5, ("model", "optimizer", "generators"))
    assert not r.identical and (r.first_diff_step, r.missing) == (again.first_diff_step, ("position",))
    assert r.resumed.fingerprint == again.resumed.fingerprint
    assert f"DIFFERENT from step {r.first_diff_step}" in panel.resume.verdict.value
    assert "Not saved: position in the epoch" in panel.resume.verdict.value
    panel.resume.keep["position"].value = True


def test_bad_resume_step_is_a_short_message_not_a_traceback(panel):
    panel.resume.at.value = "500"
    panel.resume.button.click()
    assert "Save at a step from 1 to 9" in panel.status.text
    panel.resume.at.value = "5"


def test_section_settings_round_trip(panel):
    panel.butterfly.bit.value, panel.resume.keep["optimizer"].value = 7, False
    shared = panel.settings()
    assert shared["butterfly_bit"] == 7 and "optimizer" not in shared["resume_keep"]
    panel.butterfly.bit.value, panel.resume.keep["optimizer"].value = 0, True
    panel.apply_settings(shared)
    assert panel.butterfly.bit.value == 7 and not panel.resume.keep["optimizer"].value
    panel.apply_settings({**shared, "butterfly_bit": 0, "resume_keep": list(shared["resume_keep"]) + ["optimizer"]})


def test_every_new_message_has_both_languages():
    english, chinese = catalogue("en"), catalogue("zh")
    for key, text in english.items():
        if key.split(".")[0] in ("sources", "butterfly", "divergence", "resume"):
            assert text and chinese[key], key


def test_export_can_include_the_save_and_resume_step(panel):
    panel.base = panel.base.replace(epochs=2)
    try:
        panel.export.resume.value = True
        panel.export.button.click()
        script = panel.export.text.value
        assert panel.status.text.startswith("Script ready"), panel.status.text
        assert 'if "--resume" in sys.argv:' in script and 'SAVE_EPOCH = "checkpoint.pt", 1' in script
        assert panel.export.expected in script
        panel.export.resume.value = False
        panel.export.button.click()
        assert "--resume" not in panel.export.text.value
    finally:
        panel.base = panel.base.replace(epochs=1)
