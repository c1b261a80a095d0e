"""The initialisation panel and its sections."""
