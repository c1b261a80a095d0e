"""The seeds panel and its reproducibility lab."""
