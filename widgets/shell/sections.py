"""A lesson's page structure: its heading and text, then its sections, each under a heading with an anchor
(`#lr`, `#lr-schedules`: a teacher's links rely on them) and ending with a link to what comes next on the path.
The section titles live in the catalogues as "section.<lesson>.<section>", in page order: the contents bar
lists them from there, before any panel is built."""
from __future__ import annotations

from html import escape

import ipywidgets as W

from core import LESSONS, catalogue


def section_names(lesson: str) -> tuple:
    """The lesson's section names in page order, as the catalogue lists their titles."""
    prefix = f"section.{lesson}."
    return tuple(key[len(prefix):] for key in catalogue() if key.startswith(prefix))


def anchor(lesson: str, section: str | None = None) -> str:
    """The element id a link jumps to: the lesson's name, or <lesson>-<section>."""
    return lesson if section is None else f"{lesson}-{section}"


def onward(path: tuple, lesson: str, section: str | None):
    """(anchor, catalogue key of its title) of what follows `section` of `lesson` on `path`; None at its end."""
    names = section_names(lesson)
    later = names[names.index(section) + 1:] if section in names else names
    if later:
        return anchor(lesson, later[0]), f"section.{lesson}.{later[0]}"
    following = [name for name in path if LESSONS.index(name) > LESSONS.index(lesson)]
    return (anchor(following[0]), f"lesson.{following[0]}.title") if following else None


def lesson_opening(panel) -> list:
    """The lesson's heading (anchor = its name) and its text, in the chosen language only."""
    heading = panel.i18n.bind(W.HTML(), "value", lambda i18n: (
        f'<h2 class="tp-lesson-heading" id="{anchor(panel.name)}">{escape(i18n.t(f"lesson.{panel.name}.title"))}</h2>'))
    text = panel.label(W.HTML(), f"lesson.{panel.name}.text", "value")
    text.add_class("tp-lesson-text")
    return [heading, text]


def next_link(panel, section: str) -> W.HTML:
    """The link at a section's end; it follows the path (ctx.path) and the language."""
    def html(i18n):
        target = onward(panel.ctx.path, panel.name, section)
        if target is None:
            return f'<p class="tp-next">{escape(i18n.t("contents.end"))}</p>'
        return (f'<p class="tp-next"><a href="#{target[0]}">'
                f'{escape(i18n.t("contents.next", title=i18n.t(target[1])))}</a></p>')
    return panel.i18n.bind(W.HTML(), "value", html)


def section_box(panel, section: str, children) -> W.VBox:
    """One section: a heading with its anchor, the section's widgets, and the link onward."""
    if section not in section_names(panel.name):
        raise KeyError(f"section.{panel.name}.{section} has no title in the catalogues")
    heading = panel.i18n.bind(W.HTML(), "value", lambda i18n: (
        f'<h3 class="tp-section-heading" id="{anchor(panel.name, section)}">'
        f'{escape(i18n.t(f"section.{panel.name}.{section}"))}</h3>'))
    box = W.VBox([heading, *children, next_link(panel, section)], layout=W.Layout(width="100%"))
    box.add_class("tp-section")
    return box
