"""Which device runs the work, what it is, and its memory: sensible answers without a GPU too."""
from __future__ import annotations

import torch

from .errors import ConfigError


def resolve_device(name: str) -> torch.device:
    """'auto' -> cuda when available else cpu; 'cuda' without a GPU is a ConfigError."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("no_gpu")
    return torch.device(name)


def device_info() -> dict:
    """Torch version, CUDA availability and, per GPU, its name, capability and total memory."""
    info = {
        "torch": torch.__version__,
        "cuda_available": torch.cuda.is_available(),
        "cuda_version": torch.version.cuda,
        "cudnn_version": torch.backends.cudnn.version() if torch.backends.cudnn.is_available() else None,
        "device_count": torch.cuda.device_count() if torch.cuda.is_available() else 0,
        "cpu_threads": torch.get_num_threads(),
        "gpus": [],
    }
    for i in range(info["device_count"]):
        props = torch.cuda.get_device_properties(i)
        info["gpus"].append({
            "index": i,
            "name": props.name,
            "capability": f"{props.major}.{props.minor}",
            "total_mb": props.total_memory / 2**20,
            "multiprocessors": props.multi_processor_count,
        })
    return info


def memory_report(device: int = 0) -> dict:
    """Allocated / reserved / peak / total MB on one GPU; all zero with available=False on a CPU."""
    if not torch.cuda.is_available():
        return {"available": False, "allocated_mb": 0.0, "reserved_mb": 0.0, "peak_mb": 0.0,
                "total_mb": 0.0, "free_mb": 0.0}
    free, total = torch.cuda.mem_get_info(device)
    return {
        "available": True,
        "allocated_mb": torch.cuda.memory_allocated(device) / 2**20,
        "reserved_mb": torch.cuda.memory_reserved(device) / 2**20,
        "peak_mb": torch.cuda.max_memory_allocated(device) / 2**20,
        "total_mb": total / 2**20,
        "free_mb": free / 2**20,
    }


def empty_cache() -> dict:
    """Release cached, unused GPU blocks to the driver; returns reserved MB before and after."""
    before = memory_report()["reserved_mb"]
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return {"reserved_before_mb": before, "reserved_after_mb": memory_report()["reserved_mb"]}


def set_memory_fraction(fraction: float, device: int = 0) -> bool:
    """Cap this process at `fraction` of the GPU's memory; False (nothing done) without a GPU."""
    if isinstance(fraction, bool) or not isinstance(fraction, (int, float)) or not 0 < fraction <= 1:
        raise ConfigError("memory_fraction")
    if not torch.cuda.is_available():
        return False
    torch.cuda.set_per_process_memory_fraction(float(fraction), device)
    return True


def try_allocate(megabytes: float, device: int = 0) -> str:
    """Allocate a block on the GPU and free it; returns 'ok' or the out-of-memory message torch gave."""
    if not torch.cuda.is_available():
        return "no GPU"
    try:
        block = torch.empty(int(megabytes * 2**20), dtype=torch.uint8, device=f"cuda:{device}")
        del block
        return "ok"
    except torch.cuda.OutOfMemoryError as err:
        return str(err).splitlines()[0]
    finally:
        torch.cuda.empty_cache()
