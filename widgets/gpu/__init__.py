"""The GPU panel."""
