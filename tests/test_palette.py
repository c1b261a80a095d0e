"""One palette: widget code names its colours from widgets/shell/palette.py and writes no colour literal itself."""
import pathlib
import re

from plotly.colors import hex_to_rgb, qualitative

from widgets.shell import palette

WIDGETS = pathlib.Path(__file__).resolve().parent.parent / "widgets"
# a hex colour, an rgb()/rgba() literal, or a CSS colour word given as a plotly/HTML colour
LITERAL = re.compile(r"#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|rgba?\(\d"
                     r"|color[=:]\s*[\"']?(white|black|red|blue|green|grey|gray)\b")


def test_no_colour_literal_outside_the_palette():
    found = [f"{path.relative_to(WIDGETS)}:{n}: {line.strip()}"
             for path in sorted(WIDGETS.rglob("*.py")) if path.name != "palette.py"
             for n, line in enumerate(path.read_text().splitlines(), 1) if LITERAL.search(line)]
    assert found == []


def test_series_colours_are_plotlys_own_cycle():
    assert set(palette.SERIES) <= {c.lower() for c in qualitative.D3}


def test_rgba_is_the_named_colour_with_alpha():
    assert palette.rgba(palette.BLUE, 0.25) == "rgba({},{},{},0.25)".format(*hex_to_rgb(palette.BLUE))
    assert palette.rgb(palette.ORANGE) == "rgb({},{},{})".format(*hex_to_rgb(palette.ORANGE))
