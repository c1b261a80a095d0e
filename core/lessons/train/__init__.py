"""Lesson: training a model (decision boundary, cross-validation)."""
