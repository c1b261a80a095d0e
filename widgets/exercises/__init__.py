"""Exercises at the top of each lesson: predict, run, check (files in exercises/, measurements in core)."""
