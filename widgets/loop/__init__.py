"""Panel 7 — the training loop: its classic mistakes switched on line by line and run beside the correct loop."""
