"""The DataLoader lab: the sample indices of every batch, coloured by class, per epoch; and the worker-augmentation
pitfall measured with and without seed_worker (part of panel 7)."""
from __future__ import annotations

import ipywidgets as W
import plotly.graph_objects as go

from core import batch_indices, worker_augmentations

from ..shell.figures import figure, hint_until_drawn, widget_of


N, BATCH, EPOCHS, CLASSES = 24, 6, 2, 4
LABELS = [i * CLASSES // N for i in range(N)]  # sorted by class, as files often are


class LoaderLab:
    """Controls shuffle, seeded, show, workers; figure grid (a heatmap of classes, indices as text); result."""

    def __init__(self, panel):
        self.panel = panel
        self.shuffle = panel.label(W.Checkbox(value=True, indent=False), "loop.dl.shuffle")
        self.seeded = panel.label(W.Checkbox(value=True, indent=False), "loop.dl.seeded")
        self.show_button = panel.button("loop.dl.show", "tp-loop-dl-show")
        self.workers = panel.button("loop.dl.workers", "tp-loop-dl-workers")
        panel.on_click(self.show_button, self.show)
        panel.on_click(self.workers, self.measure)
        self.grid = figure([go.Heatmap(z=[], text=[], texttemplate="%{text}", colorscale="Viridis", showscale=False,
                                       zmin=0, zmax=CLASSES - 1)], height=320,
                           yaxis=dict(autorange="reversed"), xaxis=dict(visible=False))
        self.batches = self.reports = None
        self.result = W.HTML()
        panel.i18n.call(lambda _: self.render())
        self.widget = W.VBox([
                              panel.label(W.HTML(), "loop.dl.help", "value"),
                              W.HBox([self.shuffle, self.seeded, self.show_button]), widget_of(self.grid),
                              self.workers, self.result])

    def show(self):
        """Draw the batches a DataLoader serves with the chosen shuffle and generator."""
        self.batches = batch_indices(N, BATCH, EPOCHS, shuffle=self.shuffle.value,
                                     seed=0 if self.seeded.value else None)
        self.render()

    def measure(self):
        """Serve a dataset that draws a NumPy augmentation per item, with and without seed_worker."""
        self.reports = [worker_augmentations(seed_workers=False), worker_augmentations(seed_workers=True)]
        self.render()

    def render(self):
        t = self.panel.t
        if self.batches:
            rows = [(e, b, batch) for e, epoch in enumerate(self.batches, 1) for b, batch in enumerate(epoch, 1)]
            with self.grid.batch_update():
                self.grid.data[0].z = [[LABELS[i] for i in batch] for _, _, batch in rows]
                self.grid.data[0].text = [[str(i) for i in batch] for _, _, batch in rows]
                self.grid.data[0].y = [t("loop.dl.batch", epoch=e, batch=b) for e, b, _ in rows]
        hint_until_drawn(self.grid, t("chart.hint", button=t("loop.dl.show")))
        self.grid.layout.xaxis.visible = False  # the grid's columns are positions in a batch, not a scale
        if self.reports:
            lines = [t("loop.dl.result", how=t(key), w0=r["draws"][0][0], w1=r["draws"][0][1],
                       same=t("loop.dl.yes" if r["same_across_workers"] else "loop.dl.no"),
                       repeat=t("loop.dl.yes" if r["same_across_epochs"] else "loop.dl.no"))
                     for key, r in zip(("loop.dl.plain", "loop.dl.fixed"), self.reports)]
            self.result.value = "<br>".join(lines) + "<br>" + t("loop.dl.version", version=self.reports[0]["torch"])
