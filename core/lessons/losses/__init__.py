"""Lesson: losses (formulas from their definitions, stability and gradient demonstrations)."""
