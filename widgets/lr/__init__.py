"""The learning-rate panel and its sections."""
