"""Training Playground core: pure PyTorch and numpy, never UI. `from core import …` is the contract."""
from .config import MAX_LAYERS, MAX_PARAMETERS, MAX_STEPS, MODELS, OPTIMIZERS, RunConfig
from .csv_data import read_csv
from .data import DATASETS, kfold_indices, load_dataset, make_loader, seed_worker, split_sizes
from .devices import device_info, empty_cache, memory_report, resolve_device, set_memory_fraction
from .errors import ConfigError, is_out_of_memory, refuse_unknown
from .experiments import conv_stack_stats, deep_matmul, product_moments
from .export import export_script
from .fingerprints import compare, fingerprint
from .history import History
from .gains import expected_std
from .losses import cross_entropy, log_softmax, log_softmax_naive, logsumexp, mse, nll
from .plain import ACTIVATIONS, INIT_SCHEMES, LEAKY_SLOPE, calculate_gain, init_model
from .lr_tools import LR_PRESETS, REGIMES, SUGGESTION_DIVISOR, classify_regime, lr_find, lr_sweep
from .surface import SURFACE_PRESETS, descend, linear_data, surface
from .seeding import audit, seed_everything, seeded
from .training import Run, train

__all__ = [
    "ACTIVATIONS", "LEAKY_SLOPE", "MODELS", "OPTIMIZERS", "RunConfig", "DATASETS", "kfold_indices", "load_dataset",
    "make_loader", "seed_worker", "split_sizes", "device_info", "empty_cache", "memory_report",
    "resolve_device", "set_memory_fraction", "ConfigError", "conv_stack_stats", "deep_matmul",
    "product_moments", "export_script", "compare", "fingerprint", "History", "INIT_SCHEMES", "calculate_gain",
    "expected_std", "init_model", "cross_entropy", "log_softmax", "log_softmax_naive", "logsumexp",
    "mse", "nll", "LR_PRESETS", "SUGGESTION_DIVISOR", "SURFACE_PRESETS", "descend", "linear_data", "surface", "REGIMES", "classify_regime", "lr_find", "lr_sweep", "audit", "seed_everything",
    "seeded", "train", "Run", "is_out_of_memory", "refuse_unknown", "read_csv", "MAX_LAYERS", "MAX_PARAMETERS", "MAX_STEPS",
]
