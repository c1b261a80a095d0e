"""The optional display name a learner gives the teacher's view: a text box in the page's header, there only
when this kernel has a class record channel (record_channel.py). Stored by the server as text, never HTML."""
from __future__ import annotations

import ipywidgets as W

from core import ConfigError

from .record_channel import NAME_CHARS


class NameBox:
    """Attributes: widget (the row), text (the box; Enter or leaving it sends the name)."""

    def __init__(self, i18n, status, channel):
        self.channel, self.status = channel, status
        self.text = W.Text(continuous_update=False, style={"description_width": "initial"},
                           layout=W.Layout(width="auto", max_width="36em"))  # a name, not a paragraph
        i18n.bind(self.text, "description", "record.name")
        i18n.bind(self.text, "placeholder", "record.name_placeholder")
        self.text.add_class("tp-record-name")
        self.text.observe(status.guard(self._changed), "value")
        self.widget = self.text

    def _changed(self, change):
        name = " ".join(str(change["new"]).split())
        if len(name) > NAME_CHARS:
            raise ConfigError("record_name", chars=NAME_CHARS)
        self.channel.name(name)
        self.status.show("record.name_saved" if name else "record.name_cleared", "ok", name=name)
