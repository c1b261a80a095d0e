"""GPU reproducibility experiments: real checks where CUDA exists, honest 'not available' answers elsewhere."""
import pytest
import torch

from core import RunConfig
from core.lessons.gpu.experiments import atomic_sums, cpu_vs_gpu, generator_streams, no_deterministic_version

CUDA = torch.cuda.is_available()
needs_cuda = pytest.mark.skipif(not CUDA, reason="needs a CUDA GPU; this machine has none")


@pytest.mark.skipif(CUDA, reason="this machine has a GPU: the CUDA tests below run instead")
def test_without_a_gpu_every_experiment_says_so():
    assert generator_streams()["cuda"] is None and len(generator_streams()["cpu"]) == 5
    assert cpu_vs_gpu(RunConfig(epochs=1)) == {"available": False}
    assert atomic_sums() == {"available": False}
    assert no_deterministic_version() == {"available": False}


@needs_cuda
def test_cpu_and_cuda_generators_differ_but_cpu_draws_moved_to_the_gpu_match():
    streams = generator_streams(seed=0)
    assert streams["cuda"] != streams["cpu"] and streams["cuda_from_cpu"] == streams["cpu"]


@needs_cuda
def test_cpu_and_gpu_runs_start_from_the_same_weights():
    result = cpu_vs_gpu(RunConfig(epochs=1), steps=20)
    assert result["same_init"] and len(result["max_param_diff"]) == 21


@needs_cuda
def test_deterministic_algorithms_make_index_add_sums_agree():
    assert atomic_sums(repeats=3, deterministic=True)["identical"]
    refused = no_deterministic_version()
    assert refused["error"] is None or "deterministic" in refused["error"]
