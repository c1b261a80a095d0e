"""What one run may ask for: the choices a learner picks from and the range of each number, defined once.

A leaf (it imports nothing): the config, the seeding, the data loaders and every panel read these, so none
of them has to import another to learn a limit.
"""

MODELS = ("mlp", "cnn")
DEVICES = ("cpu", "cuda", "auto")
SEED_PARTS = ("init", "order", "split")  # weights, batch order, train/val/test split
MAX_WIDTH = 4096
MAX_LR = 1e6
MAX_EPOCHS = 1000
MAX_STATS_EVERY = 100_000
MAX_SEED = 2**32 - 1  # numpy's seeds are 32-bit; every seed in the app (given or fresh) lies in 0..MAX_SEED
# Work one run may ask for (a class server holds thirty learners): measured peaks in docs/serving.md, "Security".
MAX_LAYERS = 8  # hidden layers
MAX_PARAMETERS = 5_000_000  # weights and biases of the whole model
MAX_STEPS = 100_000  # optimizer steps in one run (epochs x batches per epoch)
MAX_BATCH_VALUES = 10_000_000  # layer outputs one training batch holds for its backward pass (40 MB of float32)
MAX_CLASSES = 100  # classes in a CSV's label column (each is an output unit)
MAX_CSV_ROWS = 100_000  # rows of a CSV: reading one costs memory per row before any other limit applies
MAX_RUNS_AT_ONCE = 4  # runs one kernel (one learner's page) trains at the same time, over all its panels
