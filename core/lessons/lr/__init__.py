"""Lesson: the learning rate (sweeps, the LR finder, regimes, the two-parameter loss surface)."""
