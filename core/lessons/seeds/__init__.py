"""Lesson: seeds and reproducibility (run twice, knob matrix, ensembles, interference, sequences, script export)."""
