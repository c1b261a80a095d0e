"""The loop lab's torch-only pieces: embedded verbatim in an exported script that needs them, like core/plain.py,
so it imports only torch and the standard library."""
import contextlib

import torch
from torch.nn import init

DROPOUT_SEED_OFFSET = 1  # dropout's stream is seeded with seed + 1: not the batch order's stream again


class DropoutStream:
    """The random numbers dropout draws, kept apart from torch's global generator.

    nn.Dropout draws from the global generator; inside `active()` that generator holds this stream's state
    and gets its own state back on leaving, so a run with dropout is a function of its seed and leaves the
    global RNG as it found it. With `enabled` False, `active()` does nothing (a model without dropout).
    """

    def __init__(self, seed, device, enabled=True):
        self.seed, self.device, self.enabled = int(seed), torch.device(device), enabled
        self.cpu_state = torch.Generator().manual_seed(self.seed).get_state()
        self.cuda_state = None

    def active(self):
        """A context inside which dropout draws from this stream (a plain null context when not enabled: a
        run without dropout enters it every step)."""
        return self._drawing() if self.enabled else contextlib.nullcontext()

    @contextlib.contextmanager
    def _drawing(self):
        cuda = self.device.type == "cuda"
        with torch.random.fork_rng(devices=[self.device] if cuda else []):
            torch.set_rng_state(self.cpu_state)
            if cuda and self.cuda_state is None:
                with torch.cuda.device(self.device):
                    torch.cuda.manual_seed(self.seed)
            elif cuda:
                torch.cuda.set_rng_state(self.cuda_state, self.device)
            yield
            self.cpu_state = torch.get_rng_state()
            if cuda:
                self.cuda_state = torch.cuda.get_rng_state(self.device)


def standardise_all_rows(train, *others):
    """The leaky version of standardise: statistics of every row, validation and test included.

    Returns the scaled tensors and the mean and std used, both shaped like one example."""
    rows = torch.cat([train, *others])
    dims = (0, 2, 3) if rows.dim() == 4 else (0,)
    mean = rows.mean(dim=dims, keepdim=True)
    std = rows.std(dim=dims, keepdim=True, unbiased=False)
    std = torch.where(std < 1e-6, torch.ones_like(std), std)
    one = (1, *train.shape[1:])
    mean, std = mean.expand(one)[0].clone(), std.expand(one)[0].clone()
    return [(x - mean) / std for x in (train, *others)], mean, std


def sorted_by_class(x, y):
    """A copy of a split with its rows sorted by label (stable), as data files often come."""
    order = torch.sort(y, stable=True).indices
    return x[order], y[order]


def initialize_weights(model, rules, generator=None):
    """The course's initialize_weights(model), generalised: walk the modules and, for each whose type name has
    a rule, fill weight and bias with torch.nn.init functions drawn from `generator`.

    rules: {"Linear": {"weight": ("kaiming_normal", {"nonlinearity": "relu"}), "bias": ("constant", {"val": 0})}}
    Returns one row per module that got a rule: name, type, what it got, measured weight mean and std.
    """
    rows = []
    for name, module in model.named_modules():
        rule = rules.get(type(module).__name__)
        if rule is None:
            continue
        got = {}
        with torch.no_grad():
            for part in ("weight", "bias"):
                tensor = getattr(module, part, None)
                if part not in rule or tensor is None:
                    continue
                scheme, kwargs = rule[part]
                fill = getattr(init, scheme + "_")
                if scheme not in ("constant", "zeros", "ones", "eye", "dirac"):
                    kwargs = {**kwargs, "generator": generator}  # every draw from the one generator
                fill(tensor, **kwargs)
                got[part] = (scheme, dict(rule[part][1]))
        w = module.weight.detach().float()
        rows.append({"name": name, "type": type(module).__name__, "got": got,
                     "weight_mean": w.mean().item(), "weight_std": w.std().item() if w.numel() > 1 else 0.0})
    return rows
