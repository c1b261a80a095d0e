"""Shared fixtures: one torch thread (below), the repo root on sys.path (core and widgets are imported from the
checkout), a check that every test leaves global state as it found it, one pooled Voila server shared by the
browser test modules, and one headless Chromium per browser test module (a session-wide one would keep
Playwright's event loop running under the tests that use asyncio.run)."""
import os
import random
import sys
from pathlib import Path

# One torch thread in the tests and in every process they start (servers, kernels, exported scripts), as class
# kernels run (class/serve.py --threads=1): two pytest workers share two cores, and with a thread per core each,
# OpenMP's waiting threads spin on cores the other worker needs (three headless modules took 17.4 s of CPU with
# two busy processes beside them, 5.6 s with one thread). Set before torch is imported; a value given wins.
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (imported here only when a browser test asks)."""
    from playwright.sync_api import sync_playwright

    from servers import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="session")
def pooled_voila():
    """`voila app.ipynb` with one kernel kept preheated, as `make app` keeps one, started once for the session
    (a start and its preheated kernel cost about as much CPU as a page; eight modules used to start one each)."""
    from servers import voila

    with voila(pool=1) as srv:
        yield srv


@pytest.fixture(scope="module")
def server(pooled_voila):
    """The shared pooled Voila, for a browser test module that needs nothing more of it (a module that needs
    another server defines its own `server`): the next test's kernel heats while a test uses its page. When
    the module ends, the kernels its pages took are shut down: a page closed by a test does not always free
    its kernel, and leftovers once piled up to twenty kernels before the tests that open ten pages at once."""
    from servers import shut_down_all_but_the_newest_kernel

    yield pooled_voila
    shut_down_all_but_the_newest_kernel(pooled_voila)


# Set by pytest for each test, and by torch itself the first time anything imports torch._inductor.
NOT_OURS = {"PYTEST_CURRENT_TEST", "TORCHINDUCTOR_CACHE_DIR"}


def _global_state() -> dict:
    """What one test may change for the next: the global RNGs, cuDNN and determinism flags, the environment."""
    name, keys, pos, has_gauss, cached = np.random.get_state()
    state = {
        "random": random.getstate(),
        "numpy": (name, keys.tobytes(), pos, has_gauss, cached),
        "torch": torch.get_rng_state().numpy().tobytes(),
        "cudnn.benchmark": torch.backends.cudnn.benchmark,
        "cudnn.deterministic": torch.backends.cudnn.deterministic,
        "deterministic_algorithms": torch.are_deterministic_algorithms_enabled(),
        "os.environ": {k: v for k, v in os.environ.items() if k not in NOT_OURS},
    }
    if torch.cuda.is_available():
        state["torch.cuda"] = [s.numpy().tobytes() for s in torch.cuda.get_rng_state_all()]
    return state


def _restore(state: dict):
    from core.engine.seeding import use_deterministic_algorithms  # torch's own imports torch.compile's machinery

    name, keys, pos, has_gauss, cached = state["numpy"]
    random.setstate(state["random"])
    np.random.set_state((name, np.frombuffer(keys, dtype=np.uint32), pos, has_gauss, cached))
    torch.set_rng_state(torch.frombuffer(bytearray(state["torch"]), dtype=torch.uint8))
    if "torch.cuda" in state:
        torch.cuda.set_rng_state_all([torch.frombuffer(bytearray(s), dtype=torch.uint8) for s in state["torch.cuda"]])
    torch.backends.cudnn.benchmark = state["cudnn.benchmark"]
    torch.backends.cudnn.deterministic = state["cudnn.deterministic"]
    use_deterministic_algorithms(state["deterministic_algorithms"])
    for name in set(os.environ) - set(state["os.environ"]) - NOT_OURS:
        del os.environ[name]
    os.environ.update(state["os.environ"])


def _changes(before: dict, after: dict) -> list:
    changed = []
    for key, value in before.items():
        if key == "os.environ":
            names = sorted(k for k in set(value) | set(after[key]) if value.get(k) != after[key].get(k))
            if names:
                changed.append(f"os.environ ({', '.join(names)})")
        elif after[key] != value:
            flag = isinstance(value, bool)
            changed.append(f"{key} ({value} -> {after[key]})" if flag else f"the {key} RNG state")
    return changed


@pytest.fixture(autouse=True)
def leaves_global_state_as_found(request):
    """Fail a test that leaves an RNG, a cuDNN/determinism flag or the environment changed; restore them for the next.

    Tests that talk to a real server (marked browser or server) are not held to Python's own `random`: the
    client libraries they drive (Playwright, websockets, jupyter_client) draw from it. It is still restored."""
    before = _global_state()
    yield
    changed = _changes(before, _global_state())
    if any(request.node.get_closest_marker(m) for m in ("browser", "server")):
        changed = [c for c in changed if c != "the random RNG state"]
        random.setstate(before["random"])
    if changed:
        _restore(before)
        pytest.fail("this test left global state changed: " + "; ".join(changed)
                    + " (restore it, e.g. with core.seeded, monkeypatch or a try/finally)", pytrace=False)


@pytest.fixture
def global_state_restored():
    """For a test whose subject is global state (seed_everything): whatever it sets is put back after it."""
    state = _global_state()
    yield
    _restore(state)


@pytest.fixture
def torch_rng_restored():
    """For tests that build torch layers, whose default init draws from the global RNG: the RNG is put back."""
    state = torch.get_rng_state()
    yield
    torch.set_rng_state(state)
