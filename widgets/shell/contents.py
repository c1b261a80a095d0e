"""The contents bar (CSS class tp-contents, a name a teacher's links rely on): the lessons on the path and their
sections, as links to their anchors, in the chosen language; and the page script that honours an anchor in the
address (…/?lesson=lr#lr-schedules), whose element only exists once the widgets have rendered."""
from __future__ import annotations

from html import escape

import ipywidgets as W

from .sections import anchor, section_names


def contents_html(i18n, path: tuple) -> str:
    """The bar's links: each lesson on `path`, its sections beneath it."""
    def link(target, key, css):
        return f'<a class="{css}" href="#{target}">{escape(i18n.t(key))}</a>'

    lessons = "".join(
        f'<li>{link(anchor(lesson), f"lesson.{lesson}.title", "tp-contents-lesson")}<ul>'
        + "".join(f"<li>{link(anchor(lesson, s), f'section.{lesson}.{s}', 'tp-contents-section')}</li>"
                  for s in section_names(lesson))
        + "</ul></li>" for lesson in path)
    return (f'<nav aria-label="{escape(i18n.t("contents.label"))}"><button type="button" class="tp-contents-title">'
            f'{escape(i18n.t("contents.title"))}</button><ul class="tp-contents-lessons">{lessons}</ul></nav>')


class ContentsBar:
    """A translated HTML widget listing the path; `follow(path)` redraws it for another path."""

    def __init__(self, i18n, path: tuple):
        self.path = path
        self.widget = i18n.bind(W.HTML(), "value", lambda t: contents_html(t, self.path))
        self.widget.add_class("tp-contents")
        self._i18n = i18n

    def follow(self, path: tuple) -> None:
        self.path = path
        self.widget.value = contents_html(self._i18n, path)


# Page HTML (rides in page_guard.page_script): the browser jumps to #lr-schedules only if that element exists
# when the page loads, and under Voila it arrives seconds later with the widgets. Jump once it is there, and keep
# it in view while the widgets above it are still rendering (charts, tables), until the learner scrolls, clicks
# or types, or for 20 s.
ANCHOR_JS = """
(() => {
  const id = decodeURIComponent(location.hash.slice(1));
  if (!id) return;
  let moved = false;
  for (const kind of ["wheel", "keydown", "pointerdown", "touchstart"])
    window.addEventListener(kind, () => { moved = true; }, { once: true, capture: true });
  const jump = () => { const target = document.getElementById(id); if (target && !moved) target.scrollIntoView(); };
  const observer = new MutationObserver(jump);
  const start = () => {
    observer.observe(document.body, { childList: true, subtree: true, attributes: true });
    setTimeout(() => observer.disconnect(), 20000);
    jump();
  };
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
"""
