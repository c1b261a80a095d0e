"""What `make bench` measures: each figure's meaning and goal, written once (bench/run.py prints the verdicts,
bench/report.py writes them into docs/performance.md)."""
from __future__ import annotations

from typing import NamedTuple


class Measure(NamedTuple):
    part: str  # the bench/run.py part that measures it
    what: str
    goal: tuple | None = None  # ("<=" or ">=", bound)
    unit: str = ""


FORKED_CLASS = 4  # forked kernels `bench/run.py kernel` measures together: a small class

MEASURES = {
    "overhead_ratio": Measure("overhead", "`core.train` with live statistics and a streaming callback ÷ a bare "
                              "PyTorch loop (torch.optim.SGD)", ("<=", 1.10)),
    "overhead_ratio_same_optimizer": Measure("overhead", "the same ÷ a bare loop with core's own SGD (the cost "
                                             "of statistics and health gauges alone)", ("<=", 1.10)),
    "sweep_seconds": Measure("sweep", "the LR panel's four presets (2 epochs each) through the panel",
                             ("<=", 1.5), "s"),
    "sweep_ratio": Measure("sweep", "the same ÷ four bare loops", ("<=", 1.2)),
    "tti_cold_s": Measure("browser", "navigation → first plot drawn, fresh `voila app.ipynb`", unit="s"),
    "tti_preheated_s": Measure("browser", "the same with a preheated kernel (`make app`, `make class`)", unit="s"),
    "tti_cold_ratio": Measure("browser", "the dashboard's first plot ÷ that of `bench/one_cell.ipynb` (torch "
                              "imported, one plotly figure) on the same Voila, cold", ("<=", 1.0)),
    "tti_preheated_ratio": Measure("browser", "the same, preheated", ("<=", 1.0)),
    "tti_lesson_lr_s": Measure("paths", "navigation → the LR lesson's first plot on `?lesson=lr` (the other six "
                               "lessons never built), fresh `voila app.ipynb`, cold; median of 3", unit="s"),
    "tti_full_page_s": Measure("paths", "the same on the whole page, alternately on the same server", unit="s"),
    "tti_lesson_lr_vs_full": Measure("paths", "`?lesson=lr`'s first plot ÷ the whole page's (the whole page too "
                                     "builds only its first lesson before its first plot: panel_slot.py)", ("<=", 0.8)),
    "tti_full_page_built_s": Measure("paths", "navigation → every lesson of the whole page built "
                                     "(body[data-tp-panels=built]), same pages, median", unit="s"),
    "kernel_rss_mb": Measure("kernel", "one learner's kernel after using every panel once", ("<=", 350.0), "MB"),
    "kernel_private_mb": Measure("kernel", "what one learner alone costs: Private_Clean + Private_Dirty of its "
                                 "kernel (`/proc/<pid>/smaps_rollup`) after the learning-rate lesson; the kernel "
                                 f"`make class` serves, forked from the zygote, beside {FORKED_CLASS - 1} others", ("<=", 120.0),
                                 "MB"),
    "kernel_pss_mb": Measure("kernel", "the same kernel's PSS: private memory plus its share of the pages it "
                             "shares with other processes", unit="MB"),
    "kernel_lesson_rss_mb": Measure("kernel", "the same kernel's resident memory, shared pages counted in full",
                                    unit="MB"),
    "kernel_fresh_private_mb": Measure("kernel", "`kernel_private_mb` for a kernel started afresh "
                                       "(`make class FORK=off`)", unit="MB"),
    "kernel_fresh_pss_mb": Measure("kernel", "its PSS", unit="MB"),
    "zygote_private_mb": Measure("kernel", "the zygote's own private memory, paid once per class server", unit="MB"),
    "forked_class_total_mb": Measure("kernel", f"the zygote and {FORKED_CLASS} forked kernels after the learning-rate "
                                     "lesson, all together (sum of PSS)", unit="MB"),
    "class_30_warm_seats_ready_s": Measure("class_30_warm", "`make class` for 30: server start → its line "
                                           "\"class: 30 seats ready\" (30 kernels preheated, the notebook run)",
                                           unit="s"),
    "class_30_warm_page_ready_p50_s": Measure("class_30_warm", "30 learners arriving at once once the class is "
                                              "warm: page requested → every lesson's widgets live, median", unit="s"),
    "class_30_warm_page_ready_p95_s": Measure("class_30_warm", "the same, p95", ("<=", 10.0), "s"),
    "class_30_warm_first_lesson_p95_s": Measure("class_30_warm", "the same: page requested → the first lesson's "
                                                "widgets live (the others follow: panel_slot.py), p95", unit="s"),
    "class_30_cold_page_ready_p50_s": Measure("class_30_cold", "30 learners at once, nothing warmed (no pool): "
                                              "page requested → every lesson's widgets live, median", unit="s"),
    "class_30_cold_page_ready_p95_s": Measure("class_30_cold", "the same, p95", ("<=", 45.0), "s"),
    "class_30_cold_first_lesson_p95_s": Measure("class_30_cold", "the same: page requested → the first lesson's "
                                                "widgets live, p95", unit="s"),
    "class_30_first_update_p95_s": Measure("class_30_warm", "30 warm learners click the LR panel's Run at once: "
                                           "click → first plot update, p95", ("<=", 0.5), "s"),
    "class_30_finished_p95_s": Measure("class_30_warm", "the same: click → the four runs listed, p95",
                                       ("<=", 6.0), "s"),
    "class_30_kernel_cpu_per_click_s": Measure("class_30_warm", "the same: CPU seconds a click costs its kernel, "
                                               "click → the four runs listed, median (holds when the machine is "
                                               "busy)", unit="s"),
    "class_30_server_cpu_per_click_s": Measure("class_30_warm", "the same: the server's CPU seconds relaying the "
                                               "class's clicks and updates, per learner", unit="s"),
    "class_30_total_mb": Measure("class_30_warm", "the whole class's memory with 30 warm learners after their runs: "
                                 "PSS of the server and every kernel, summed (shared pages counted once)",
                                 ("<=", 5120.0), "MB"),
    "update_hz_200": Measure("live", "LR-panel redraws per second in the 3 s before Stop, `?epochs=200`",
                             (">=", 10.0), "Hz"),
    "update_hz_1000": Measure("live", "the same at `?epochs=1000` (Stop after 60 s)", (">=", 10.0), "Hz"),
    "stop_latency_s_200": Measure("live", "Stop click → the page says *Stopped*, `?epochs=200`", ("<=", 0.2), "s"),
    "stop_latency_s_1000": Measure("live", "the same at `?epochs=1000`", ("<=", 0.2), "s"),
    "update_bytes_late_vs_early": Measure("live", "bytes/s the page receives in the 10 s before Stop of the "
                                          "1,000-epoch run ÷ in its first 10 s", ("<=", 1.2)),
    "stop_latency_busy_s": Measure("live", "the same Stop (LR and Training panels, worse of the two) while two "
                                   "other processes train on both cores", ("<=", 0.5), "s"),
    "wall_vs_train_busy": Measure("live", "a 30-epoch Training-panel run, Play → result on the page ÷ the "
                                  "training time it reports, cores busy", ("<=", 2.0)),
    "cuda_instrumented_vs_bare": Measure("cuda", "CNN steps per second on a CUDA GPU, `core.train` ÷ a bare loop",
                                         (">=", 0.9)),
}


def verdict(key: str, value: float) -> str:
    """'≤ 1.1 met' / '≥ 10 NOT met' / '' where the figure has no goal."""
    measure = MEASURES.get(key)
    if measure is None or measure.goal is None:
        return ""
    op, bound = measure.goal
    met = value <= bound if op == "<=" else value >= bound
    return f"{'≤' if op == '<=' else '≥'} {bound:g} {'met' if met else 'NOT met'}"
