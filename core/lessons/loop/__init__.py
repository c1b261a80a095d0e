"""Lesson: the training loop (its classic mistakes, health gauges, initialize_weights, the DataLoader lab)."""
