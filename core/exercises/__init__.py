"""Exercises: predict, run, check. Files in exercises/ say what to ask; measurements say what the run answers."""
