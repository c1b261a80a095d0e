"""Seeding every generator, scoped seeding that restores state, and an audit of what is left."""
from __future__ import annotations

import contextlib
import os
import random
import sys
from dataclasses import dataclass, field

import numpy as np
import torch

from .checks import check_seed
from .limits import MAX_SEED
from .messages import catalogue


def fresh_seed() -> int:
    """A seed from the operating system (0..MAX_SEED): unseeded really differs run to run, global RNGs untouched."""
    return random.SystemRandom().randint(0, MAX_SEED)


def resolve_seed(seed) -> int:
    """The seed to use: the one given (checked against the one seed range), or a fresh one for None."""
    return fresh_seed() if seed is None else check_seed(seed)


@dataclass(frozen=True)
class SeedReport:
    """What seed_everything set, and what it could not."""

    seed: int
    seeded: tuple
    flags: dict
    notes: tuple = field(default_factory=tuple)


def seed_everything(seed: int, deterministic: bool = False) -> SeedReport:
    """Seed python, numpy, torch (and CUDA when present); with deterministic, fix cuDNN and algorithms."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)  # also seeds every CUDA device's generator
    seeded = ["random", "numpy", "torch"]
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
        seeded.append("torch.cuda (all devices)")
    if deterministic:
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
        torch.backends.cudnn.deterministic = True
        torch.backends.cudnn.benchmark = False
        use_deterministic_algorithms(True)
    notes = [catalogue()["seeds.hashseed"].format(value=os.environ.get("PYTHONHASHSEED", "unset"))]
    flags = {
        "cudnn.deterministic": torch.backends.cudnn.deterministic,
        "cudnn.benchmark": torch.backends.cudnn.benchmark,
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
    }
    return SeedReport(seed, tuple(seeded), flags, tuple(notes))


@contextlib.contextmanager
def seeded(seed: int):
    """Seed python/numpy/torch/CUDA inside the block and restore all their states on exit."""
    py_state, np_state, torch_state = random.getstate(), np.random.get_state(), torch.get_rng_state()
    cuda_states = torch.cuda.get_rng_state_all() if torch.cuda.is_available() else None
    try:
        random.seed(seed)
        np.random.seed(seed % 2**32)
        torch.manual_seed(seed)
        yield seed
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)
        torch.set_rng_state(torch_state)
        if cuda_states is not None:
            torch.cuda.set_rng_state_all(cuda_states)


@dataclass(frozen=True)
class Finding:
    """One remaining source of nondeterminism: what it is, how bad, and the fix (its sentences in locales/)."""

    name: str
    severity: str  # "warning" (breaks reproducibility here) or "info"
    code: str = ""  # the fix as the line a learner types; "" where the fix is a sentence ("seeds.fix.<name>")
    params: dict = field(default_factory=dict)  # what the message's {placeholders} say

    @property
    def message(self) -> str:
        """What could differ, in English."""
        return catalogue()[f"seeds.audit.{self.name}"].format(**self.params)

    @property
    def fix(self) -> str:
        """The line to type, or the English sentence that says what to do."""
        return self.code or catalogue()[f"seeds.fix.{self.name}"]


def audit() -> list:
    """Findings about what could still make two runs with the same seed differ."""
    findings = []
    if torch.backends.cudnn.benchmark:
        findings.append(Finding("cudnn.benchmark", "warning", "torch.backends.cudnn.benchmark = False"))
    if not torch.backends.cudnn.deterministic and torch.cuda.is_available():
        findings.append(Finding("cudnn.deterministic", "warning", "torch.backends.cudnn.deterministic = True"))
    if not torch.are_deterministic_algorithms_enabled():
        severity = "warning" if torch.cuda.is_available() else "info"
        findings.append(Finding("deterministic_algorithms", severity, "torch.use_deterministic_algorithms(True)"))
    if "PYTHONHASHSEED" not in os.environ:
        findings.append(Finding("PYTHONHASHSEED", "info"))
    if torch.cuda.is_available() and os.environ.get("CUBLAS_WORKSPACE_CONFIG") is None:
        findings.append(Finding("CUBLAS_WORKSPACE_CONFIG", "warning", "CUBLAS_WORKSPACE_CONFIG=:4096:8"))
    findings.append(Finding("threads", "info", params={"threads": torch.get_num_threads()}))
    return findings


def use_deterministic_algorithms(on: bool) -> None:
    """torch.use_deterministic_algorithms(on), without importing torch.compile's machinery.

    Since torch 2.x the public function also sets torch._inductor's `deterministic` option, which
    imports torch._dynamo and sympy (~70 MB and ~1 s in a learner's kernel, torch 2.13) although this
    app never compiles. When inductor is not loaded, the flag that eager PyTorch reads is set directly;
    torch.are_deterministic_algorithms_enabled() reports it either way.
    """
    if "torch._inductor.config" in sys.modules or not hasattr(torch._C, "_set_deterministic_algorithms"):
        torch.use_deterministic_algorithms(on)
    else:
        torch._C._set_deterministic_algorithms(bool(on))


class deterministic_mode:
    """Within the block, use deterministic algorithms and cuDNN settings when `on`; restore after."""

    def __init__(self, on: bool):
        self.on = on

    def __enter__(self):
        if self.on:
            self.saved = (torch.are_deterministic_algorithms_enabled(), torch.backends.cudnn.deterministic,
                          torch.backends.cudnn.benchmark, os.environ.get("CUBLAS_WORKSPACE_CONFIG"))
            # cuBLAS refuses deterministic mode on CUDA without a fixed workspace size.
            os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
            use_deterministic_algorithms(True)
            torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False
        return self

    def __exit__(self, *exc):
        if self.on:
            algorithms, cudnn_det, cudnn_bench, workspace = self.saved
            use_deterministic_algorithms(algorithms)
            torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = cudnn_det, cudnn_bench
            if workspace is None:  # only the mode needs it: torch checks it at each cuBLAS call made under the mode
                os.environ.pop("CUBLAS_WORKSPACE_CONFIG", None)
        return False


@contextlib.contextmanager
def cudnn_flags(benchmark=None, deterministic=None):
    """Set cuDNN's benchmark / deterministic flags inside the block (None leaves one alone); restore after."""
    saved = torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic
    try:
        if benchmark is not None:
            torch.backends.cudnn.benchmark = bool(benchmark)
        if deterministic is not None:
            torch.backends.cudnn.deterministic = bool(deterministic)
        yield
    finally:
        torch.backends.cudnn.benchmark, torch.backends.cudnn.deterministic = saved
