"""Option labels for the controls that offer core's names (optimizers, init schemes, activations, dropout, batch
norm): the value stays core's name, the label is the catalogue's text for it, so a Chinese page glosses the torch
name ("kaiming_normal" with its meaning) where an English page keeps the name the course uses."""
from __future__ import annotations


def option_pairs(t, kind: str, values) -> list:
    """(label, value) pairs: the label is the catalogue's `option.<kind>.<value>`."""
    return [(t(f"option.{kind}.{value}"), value) for value in values]


def dropout_pairs(t, values) -> list:
    """(label, value) pairs for dropout probabilities: 0 says it is off, the others are the number."""
    return [(t("option.dropout.off") if value == 0 else f"{value:g}", value) for value in values]


def relabel(widget, pairs, panel=None) -> None:
    """New labels for a dropdown's or toggle's options, its value kept. ipywidgets resets the value when options
    are set; meanwhile `panel.applying` is set, so the panel's observers skip the passing change."""
    value = widget.value
    was = getattr(panel, "applying", False)
    if panel is not None:
        panel.applying = True
    try:
        widget.options = pairs
        if value in [v for _, v in pairs]:
            widget.value = value
    finally:
        if panel is not None:
            panel.applying = was
