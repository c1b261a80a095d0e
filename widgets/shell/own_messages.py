"""anywidget models that take their own messages (assets/take_messages.js says why): their JavaScript module
begins with `takeMessages`, and each is created with its own id (`view_id`), by which the browser finds it."""
from __future__ import annotations

import pathlib
import uuid

TAKE_MESSAGES_JS = (pathlib.Path(__file__).resolve().parent / "assets" / "take_messages.js").read_text(encoding="utf-8")


def with_take_messages(esm: str) -> str:
    """A model's JavaScript module with `takeMessages(model)` defined before it."""
    return TAKE_MESSAGES_JS + esm


def own_ids() -> dict:
    """The keyword arguments that give a new model its own id, also as `view_id` (a trait the model declares)."""
    own_id = uuid.uuid4().hex
    return {"model_id": own_id, "view_id": own_id}
