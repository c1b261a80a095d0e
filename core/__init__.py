"""Training Playground core: pure PyTorch and numpy, never UI. `from core import …` is the contract:
everything a panel or a user calls is exported here, grouped by what it is about."""
# the engine: a run's config, the run and its loop, what it produced, its limits, errors and their sentences
from .engine.config import (DEVICES, MAX_LAYERS, MAX_PARAMETERS, MAX_SEED, MAX_STEPS, MAX_VAL_FRACTION, MODELS,
                     OPTIMIZERS, SEED_PARTS, RunConfig)
from .engine.errors import ConfigError, is_out_of_memory, refuse_unknown
from .engine.limits import MAX_BATCH_VALUES, MAX_CLASSES, MAX_CSV_ROWS, MAX_RUNS_AT_ONCE
from .engine.messages import catalogue, error_messages, languages
from .engine.fingerprints import compare, fingerprint
from .engine.history import History
from .engine.stats import HIST_RANGE
from .engine.run import Run, drive, train
from .engine.schedules import SCHEDULES, planned_rates, schedule_lr
# data
from .lessons.train.boundary import decision_grid, input_points
from .data.csv_table import read_csv
from .data.datasets import DATASETS, kfold_indices, load_dataset, make_loader, seed_worker, split_sizes
from .data.toy import TOY_SETS
# devices and GPU experiments
from .engine import devices  # the module too: the GPU panel calls devices.f() so tests can stand in a fake GPU
from .engine.devices import device_info, empty_cache, memory_report, resolve_device, set_memory_fraction
from .lessons.gpu.experiments import atomic_sums, cpu_vs_gpu, generator_streams, no_deterministic_version
# lesson paths: which lessons a page shows
from .lessons.path import LESSONS, lesson_path, present_flag
# lesson: learning rate
from .lessons.lr.sweeps import LR_PRESETS, REGIMES, classify_regime, lr_sweep
from .lessons.lr.finder import RULES, SUGGESTION_DIVISOR, lr_find
from .lessons.lr.band import lr_find_band
from .lessons.lr.grid import MAX_GRID_CELLS, batch_lr_grid
from .lessons.lr.surface import DESCENT_STEPS, SURFACE_PRESETS, descend, linear_data, surface
# lesson: initialisation
from .lessons.init.experiments import MATMUL_DEPTH, MATMUL_WIDTH, conv_stack_stats, deep_matmul, product_moments
from .lessons.init.probe import hist_image, init_report, scale_verdict
from .lessons.init.gains import SYMMETRIC_SCHEMES, expected_std
from .plain import ACTIVATIONS, INIT_SCHEMES, LEAKY_SLOPE, calculate_gain, init_model
from .lessons.init.symmetry import symmetry_demo
# lesson: seeds and reproducibility
from .lessons.seeds.ensemble import MAX_ENSEMBLE_SEEDS, seed_ensemble
from .lessons.seeds.export import export_script
from .lessons.seeds.interference import interference_demo
from .lessons.seeds.knobs import knob_matrix
from .lessons.seeds.repro import audit_under, run_twice, seed_report
from .engine.seeding import audit, seed_everything, seeded
from .lessons.seeds.sequences import GENERATORS, random_sequences
from .engine.checkpoint import STATE_PARTS, load_checkpoint, save_checkpoint
from .lessons.seeds.butterfly import SIGN_BIT, butterfly, float_bits
from .lessons.seeds.divergence import first_divergence
from .lessons.seeds.resume import resume_check
from .lessons.seeds.variance import MAX_SPREAD_SEEDS, outside_range_chance, rate_gap, variance_sources, widest_spread
# lesson: losses
from .lessons.losses.demos import BASE_LOGITS, SCALE_RANGE, check_scale, loss_curves, loss_gradients, scaled_log_softmax
from .lessons.losses.formulas import cross_entropy, log_softmax, log_softmax_naive, logsumexp, mse, nll
# lesson: training
from .lessons.train.crossval import cross_validate, fold_summary
# lesson: the training loop
from .engine.mistakes import LOOP_MISTAKES
from .engine.init_rules import RULE_TYPES, initialize_weights
from .plain import NORMS
from .lessons.loop.closed_forms import UPDATE_RATIO_RULE, expected_initial_loss, softmax_ce_floor
from .lessons.loop.loaders import batch_indices, worker_augmentations
from .lessons.loop.memory import saved_for_backward
from .lessons.loop.effects import mistake_effects
from .lessons.loop.pair import run_with_mistakes
from .lessons.loop.initialize import INIT_RULE_PRESETS, init_rules_report
# exercises: predict, run, check (files in exercises/, answers measured from the learner's run)
from .exercises.measurements import MEASUREMENTS, RESULTS, measure
from .exercises.spec import ACTIONS as EXERCISE_ACTIONS, LESSONS, Exercise, load_exercises
from .exercises.check import ExerciseRecord, answer, config_fingerprint, parse_prediction
from .exercises.run_record import run_summary

__all__ = [
    "DEVICES", "MAX_LAYERS", "MAX_PARAMETERS", "MAX_SEED", "MAX_STEPS", "MAX_VAL_FRACTION", "MODELS", "OPTIMIZERS",
    "SEED_PARTS", "RunConfig", "MAX_BATCH_VALUES", "MAX_CLASSES", "MAX_CSV_ROWS", "MAX_RUNS_AT_ONCE",
    "ConfigError", "is_out_of_memory", "refuse_unknown", "compare", "fingerprint", "History",
    "catalogue", "error_messages", "languages",
    "HIST_RANGE", "Run", "drive", "train", "SCHEDULES", "schedule_lr", "planned_rates",
    "decision_grid", "input_points", "read_csv", "DATASETS", "kfold_indices", "load_dataset", "make_loader",
    "seed_worker", "split_sizes", "TOY_SETS",
    "devices", "device_info", "empty_cache", "memory_report", "resolve_device", "set_memory_fraction",
    "atomic_sums", "cpu_vs_gpu", "generator_streams", "no_deterministic_version",
    "LESSONS", "lesson_path", "present_flag",
    "LR_PRESETS", "SUGGESTION_DIVISOR", "REGIMES", "classify_regime", "lr_find", "lr_sweep", "RULES", "lr_find_band", "batch_lr_grid", "MAX_GRID_CELLS", "SURFACE_PRESETS",
    "DESCENT_STEPS", "descend",
    "linear_data", "surface",
    "ACTIVATIONS", "LEAKY_SLOPE", "MATMUL_DEPTH", "MATMUL_WIDTH",
    "conv_stack_stats", "deep_matmul", "product_moments", "hist_image",
    "init_report", "scale_verdict", "INIT_SCHEMES", "calculate_gain", "SYMMETRIC_SCHEMES", "expected_std",
    "init_model",
    "symmetry_demo",
    "MAX_ENSEMBLE_SEEDS", "MAX_SPREAD_SEEDS", "seed_ensemble", "export_script", "interference_demo", "knob_matrix", "audit_under", "run_twice",
    "seed_report", "audit", "seed_everything", "seeded", "GENERATORS", "random_sequences",
    "STATE_PARTS", "load_checkpoint", "save_checkpoint", "SIGN_BIT", "butterfly", "float_bits",
    "first_divergence",
    "rate_gap", "resume_check", "variance_sources", "widest_spread", "outside_range_chance",
    "BASE_LOGITS", "SCALE_RANGE", "check_scale", "loss_curves", "loss_gradients", "scaled_log_softmax",
    "cross_entropy", "log_softmax", "log_softmax_naive", "logsumexp", "mse", "nll",
    "cross_validate", "fold_summary",
    "LOOP_MISTAKES", "RULE_TYPES", "initialize_weights", "NORMS", "UPDATE_RATIO_RULE", "expected_initial_loss",
    "softmax_ce_floor", "batch_indices", "worker_augmentations", "saved_for_backward",
    "mistake_effects", "run_with_mistakes", "INIT_RULE_PRESETS", "init_rules_report",
    "MEASUREMENTS", "RESULTS", "measure", "EXERCISE_ACTIONS", "LESSONS", "Exercise", "load_exercises",
    "ExerciseRecord", "answer", "config_fingerprint", "parse_prediction", "run_summary",
]
