"""Lesson: the GPU (generator streams, CPU vs GPU runs, atomic-add sums)."""
