"""The app's one palette: every chart and message names a colour by what it shows, not by its hex code.

The series colours are plotly's own default cycle (D3 category10), so a curve keeps the colour a learner
knows from any other plotly chart; the text colours are dark enough to read on white (WCAG AA).
"""

# plotly's default series colours
BLUE = "#1f77b4"
ORANGE = "#ff7f0e"
GREEN = "#2ca02c"
RED = "#d62728"
PURPLE = "#9467bd"
BROWN = "#8c564b"
PINK = "#e377c2"
GREY = "#7f7f7f"
WHITE = "#ffffff"
BLACK = "#000000"

# the colours curves take in turn where a chart shows several runs side by side
SERIES = (BLUE, GREEN, ORANGE, RED, PURPLE, BROWN, PINK)

# a learning-rate regime (core.REGIMES), as the LR panel's preset curves and the teacher's page draw it
REGIME_COLOURS = {"too_small": BLUE, "good": GREEN, "too_large": ORANGE, "diverged": RED}

# text and marks that carry a verdict
OK = "#1b5e20"          # dark green: same, passed
ERROR = "#b00020"       # dark red: differs, failed, wrong
TEXT = "#333333"        # a neutral status line
MUTED = "#555555"       # notes and reference lines that should not compete with the data
NEUTRAL = "#9e9e9e"     # the "before" bar, an unhit box
HIT_FILL = "#fdecea"    # the box that was hit
CALM_FILL = "#f5f5f5"   # a box that was not
WARNING_FILL = "#fff4e5"  # the banner that says panels are missing
INK = "#24292f"         # body text on such a banner

# a parameter's path across a loss surface: brighter than RED so it stands out on the heat map
PATH = "#ff4136"

# the two classes of a 2-D toy set, the ends of plotly's RdBu scale so points match the boundary heat map
CLASS_0 = "#2166ac"
CLASS_1 = "#b2182b"

TRANSPARENT = "rgba(0,0,0,0)"


def rgb(colour: str) -> str:
    """'#1f77b4' → 'rgb(31,119,180)'."""
    return f"rgb({_channels(colour)})"


def rgba(colour: str, alpha: float) -> str:
    """'#1f77b4', 0.25 → 'rgba(31,119,180,0.25)': a see-through fill of a named colour."""
    return f"rgba({_channels(colour)},{alpha})"


def _channels(colour: str) -> str:
    hex_digits = colour.lstrip("#")
    return ",".join(str(int(hex_digits[i:i + 2], 16)) for i in (0, 2, 4))
