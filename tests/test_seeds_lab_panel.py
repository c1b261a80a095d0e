"""Seeds panel, lab and export sections, driven headlessly."""
import pytest

from core import catalogue, train
from core.lessons.seeds.knobs import KNOBS
from widgets.shell.app import App
from widgets.shell.page_a11y import mark


@pytest.fixture(scope="module")
def panel():
    app = App()
    p = app.panel("seeds")
    p.base = p.base.replace(epochs=1, hidden=(16,), batch_size=64)
    p.seed.value = "3"
    return p


def test_knob_matrix_table_shows_every_row_with_verdicts(panel):
    panel.lab.knobs_button.click()
    rows = panel.lab.rows
    assert panel.status.text == "Knob matrix done."
    table = panel.lab.knobs_table.value
    for row in rows:
        assert row.name in table and row.fingerprints[0][:8] in table
    assert table.count(mark("yes") + "yes") >= 2 * sum(r.seeded for r in rows)


def test_seed_noise_bands_bracket_their_means(panel):
    panel.lab.n_seeds.value = 3
    panel.lab.lr_a.value, panel.lab.lr_b.value = "0.1", "0.01"
    panel.lab.band_button.click()
    for k in range(2):
        low, high, mean = panel.lab.band_fig.data[3 * k:3 * k + 3]
        assert len(mean.y) == panel.lab.ensembles[k].runs[0].steps
        assert all(lo <= m <= hi for lo, m, hi in zip(low.y, mean.y, high.y))
    assert "lr=0.01" in panel.lab.band_fig.data[5].name
    panel.lab.lr_b.value = "fast"
    panel.lab.band_button.click()
    assert "must be a number" in panel.status.text


def test_interference_table_says_which_pair_is_reproducible(panel):
    panel.lab.inter_button.click()
    demo = panel.lab.interference
    assert not demo.shared_reproducible and demo.private_reproducible
    assert panel.lab.inter_table.value.count("NOT reproducible") == 1


def test_the_bands_legend_keeps_its_rates_after_another_section_redraws(panel):
    panel.lab.n_seeds.value = 2
    panel.lab.lr_a.value, panel.lab.lr_b.value = "0.1", "0.01"
    panel.lab.band_button.click()
    names = [trace.name for trace in panel.lab.band_fig.data]
    assert "lr=0.1 (n=2)" in names[2] and "lr=0.01" in names[4] and "lr=0.01 (n=2)" in names[5]
    panel.lab.inter_button.click()  # "Share a generator?" redraws the lab
    assert [trace.name for trace in panel.lab.band_fig.data] == names


def test_export_shows_a_script_with_the_runs_fingerprint(panel):
    panel.export.button.click()
    expected = train(panel.config()).fingerprint
    assert panel.export.expected == expected
    assert expected in panel.export.links.value and "download='reproduce.py'" in panel.export.links.value
    assert "import core" not in panel.export.text.value and "SEED = 3" in panel.export.text.value


def test_export_refuses_an_unseeded_run_in_both_languages(panel):
    panel.seed.value = ""
    try:
        panel.export.button.click()
        assert "fully seeded" in panel.status.text
        panel.i18n.lang = "zh"
        assert "完全设定种子" in panel.status.text
    finally:
        panel.i18n.lang = "en"
        panel.seed.value = "3"


def test_gpu_section_explains_itself_without_a_gpu(panel, monkeypatch):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU: the live section runs instead (see the GPU tests)")
    assert "No GPU here" in panel.export.gpu_result.value
    assert panel.export.gpu_button.layout.display == "none"


def test_gpu_results_are_shown_with_the_device_they_were_measured_on(panel):
    fake = {"device": "NVIDIA H100",
            "streams": {"cpu": [1.5, -0.2], "cuda": [0.3, 0.9], "cuda_from_cpu": [1.5, -0.2]},
            "cpu_vs_gpu": {"available": True, "same_init": True, "max_param_diff": [0.0, 1e-7, 3e-6]},
            "atomic": {"fingerprints": ["a", "b", "c"]}, "atomic_deterministic": {"fingerprints": ["d", "d"]},
            "refuses": {"op": "torch.histc (CUDA)", "error": "histc_cuda does not have a deterministic implementation"}}
    saved, panel.export.live = panel.export.live, fake
    try:
        panel.export.render()
        text = panel.export.gpu_result.value
    finally:
        panel.export.live = saved
        panel.export.render()
    assert "Measured now on NVIDIA H100" in text
    assert "3 distinct sums" in text and "deterministic algorithms: 1" in text and "3e-06" in text


def test_every_knob_row_has_a_chinese_name():
    for name in KNOBS:
        english, chinese = (catalogue(lang)[f"lab.knob.{name}"] for lang in ("en", "zh"))
        assert english == name and chinese and chinese != name
