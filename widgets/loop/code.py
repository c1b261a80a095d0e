"""The loop as the course writes it, a switch beside each line that a mistake touches (part of panel 7)."""
from __future__ import annotations

import ipywidgets as W

from core import LOOP_MISTAKES


# the course's loop, line by line, with the mistakes each line can carry
LINES = (
    ("x_train = (x_train - train_mean) / train_std", ("leaky_normalisation",)),
    ("loader = DataLoader(train_set, batch_size, shuffle=True)", ("no_shuffle",)),
    ("model.train()", ()),
    ("for x, y in loader:", ()),
    ("    optimizer.zero_grad()", ("no_zero_grad",)),
    ("    loss = F.cross_entropy(model(x), y)", ("softmax_then_ce", "sum_reduction")),
    ("    loss.backward(); optimizer.step()", ()),
    ("model.eval()", ("no_eval_mode",)),
    ("with torch.no_grad(): evaluate(model, val_set)", ("eval_with_grad",)),
)
assert {key for _, keys in LINES for key in keys} == set(LOOP_MISTAKES)  # every mistake has its line


class LoopCode:
    """The code lines and one checkbox per mistake (`switches`: key -> Checkbox)."""

    def __init__(self, panel):
        self.switches = {}
        rows = []
        for line, keys in LINES:
            boxes = []
            for key in keys:
                box = panel.label(W.Checkbox(value=False, indent=False, layout=W.Layout(width="auto")),
                                  LOOP_MISTAKES[key])
                box.add_class(f"tp-loop-mistake-{key}")
                self.switches[key] = box
                boxes.append(box)
            code = W.HTML(f"<code style='white-space:pre'>{line}</code>",
                          layout=W.Layout(width="36em", min_width="36em"))
            rows.append(W.HBox([code, *boxes]))
        self.widget = W.VBox(rows)

    @property
    def mistakes(self) -> tuple:
        """The switched-on mistakes, in the registry's order."""
        return tuple(key for key in LOOP_MISTAKES if self.switches[key].value)

    @mistakes.setter
    def mistakes(self, keys):
        for key, box in self.switches.items():
            box.value = key in keys
