"""GPU reproducibility experiments: CPU vs CUDA generator streams, CPU vs GPU runs, atomic-add sums."""
from __future__ import annotations

import torch

from ...engine.config import RunConfig
from ...engine.fingerprints import fingerprint
from ...engine.run import Run, drive
from ...engine.seeding import deterministic_mode

def generator_streams(seed: int = 0, n: int = 5) -> dict:
    """Same seed on the CPU and the CUDA generator: different numbers; drawn on CPU then moved: equal."""
    cpu = torch.randn(n, generator=torch.Generator().manual_seed(seed))
    result = {"cpu": cpu.tolist(), "cuda": None, "cuda_from_cpu": None}
    if torch.cuda.is_available():
        cuda = torch.randn(n, generator=torch.Generator("cuda").manual_seed(seed), device="cuda")
        result["cuda"] = cuda.cpu().tolist()
        result["cuda_from_cpu"] = cpu.to("cuda").cpu().tolist()
    return result


def cpu_vs_gpu(cfg: RunConfig, steps: int = 50) -> dict:
    """Train cfg on CPU and on CUDA in lockstep; the largest parameter difference after each step."""
    if not torch.cuda.is_available():
        return {"available": False}
    diffs = []

    def gap(_record=None):
        diffs.append(_max_diff(cpu_run.model, gpu_run.model))

    with Run(cfg.replace(device="cpu")) as cpu_run, Run(cfg.replace(device="cuda"), [gap]) as gpu_run:
        gap()  # step 0: the init, drawn on the CPU for both
        drive([cpu_run, gpu_run], limit=steps)  # the GPU run steps second: `gap` sees both after each step
    return {"available": True, "max_param_diff": diffs,
            "same_init": diffs[0] == 0.0, "device": torch.cuda.get_device_name(0)}


def _max_diff(a, b) -> float:
    return max((pa.detach().cpu() - pb.detach().cpu()).abs().max().item()
               for pa, pb in zip(a.parameters(), b.parameters()))


def atomic_sums(repeats: int = 5, n: int = 1_000_000, bins: int = 10, deterministic: bool = False) -> dict:
    """index_add_ of the same float32 values `repeats` times: fingerprints of the sums, and whether they agree."""
    if not torch.cuda.is_available():
        return {"available": False}
    g = torch.Generator("cuda").manual_seed(0)
    values = torch.randn(n, device="cuda", generator=g)
    index = torch.randint(0, bins, (n,), device="cuda", generator=g)
    prints = []
    with deterministic_mode(deterministic):
        for _ in range(repeats):
            out = torch.zeros(bins, device="cuda").index_add_(0, index, values)
            prints.append(fingerprint(out))
    return {"available": True, "deterministic": deterministic, "fingerprints": prints,
            "identical": len(set(prints)) == 1}


def no_deterministic_version() -> dict:
    """An op with no deterministic CUDA kernel under use_deterministic_algorithms(True): the error it raises."""
    if not torch.cuda.is_available():
        return {"available": False}
    with deterministic_mode(True):
        try:
            torch.histc(torch.rand(100, device="cuda"), bins=10)
        except RuntimeError as err:
            return {"available": True, "op": "torch.histc (CUDA)", "error": str(err).splitlines()[0]}
    return {"available": True, "op": "torch.histc (CUDA)", "error": None}
