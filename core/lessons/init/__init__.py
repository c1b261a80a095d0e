"""Lesson: initialisation (per-layer scale at init, closed-form gains, the course's experiments, zero-init symmetry)."""
