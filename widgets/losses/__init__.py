"""The losses panel."""
