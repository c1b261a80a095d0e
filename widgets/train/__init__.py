"""The training panel: controls, live figures, run information."""
