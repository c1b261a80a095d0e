"""The bench's per-learner memory: private memory is Private_Clean + Private_Dirty of smaps_rollup, PSS its Pss."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from bench_kernel import rollup_mb  # noqa: E402
from measures import MEASURES  # noqa: E402

# a real /proc/self/smaps_rollup (Linux 6.x), cut after the fields the bench reads and their neighbours
ROLLUP = """55bf1bedf000-7ffe07e31000 ---p 00000000 00:00 0                          [rollup]
Rss:                1728 kB
Pss:                 253 kB
Pss_Dirty:           116 kB
Shared_Clean:       1572 kB
Shared_Dirty:          0 kB
Private_Clean:        40 kB
Private_Dirty:       116 kB
Referenced:         1728 kB
Swap:                  0 kB
"""


def test_private_is_clean_plus_dirty_private_pages_and_pss_is_pss_in_mb():
    mb = rollup_mb(ROLLUP)
    assert mb == {"rss": 1728 / 1024, "pss": 253 / 1024, "private": (40 + 116) / 1024}
    # what the kernel guarantees: resident = shared + private, and the fair share lies between the two
    assert mb["rss"] == (1572 + 0) / 1024 + mb["private"] and mb["private"] <= mb["pss"] <= mb["rss"]


def test_the_private_memory_goal_is_defined_once_in_the_measures():
    assert MEASURES["kernel_private_mb"].goal == ("<=", 120.0)
    assert MEASURES["kernel_private_mb"].part == MEASURES["kernel_pss_mb"].part == "kernel"
