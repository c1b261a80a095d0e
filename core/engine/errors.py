"""The one exception a learner sees (a setting that cannot be used), and how to recognise running out of memory."""
from ..plain import ConfigError  # defined there: the exported script raises it too

__all__ = ["ConfigError", "is_out_of_memory", "refuse_unknown"]


def refuse_unknown(data: dict, known) -> None:
    """Pasted or shared settings may only name `known` keys: anything else is a ConfigError naming them."""
    unknown = sorted(set(data) - set(known))
    if unknown:
        names = ", ".join(map(str, unknown))
        raise ConfigError("unknown_settings", names=names)


# What allocators say when memory runs out: PyTorch's CPU and CUDA allocators, C++'s operator new
# (a kernel under an address-space cap), and Python's MemoryError.
_OUT_OF_MEMORY = ("out of memory", "can't allocate memory", "not enough memory", "bad_alloc")


def is_out_of_memory(exc: BaseException) -> bool:
    """True when `exc` says memory ran out (the run was too big for this machine), not that the code is wrong."""
    if isinstance(exc, MemoryError):
        return True
    return isinstance(exc, RuntimeError) and any(text in str(exc).lower() for text in _OUT_OF_MEMORY)
