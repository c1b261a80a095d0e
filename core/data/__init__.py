"""Data: load_dataset and what it is made of (toy sets, the bundled digits, MNIST files, a learner's CSV, splits, folds, loaders)."""
