"""The engine: a run's config and limits, the Run and its one loop, models, optimizers, statistics, fingerprints, seeding, devices."""
