"""The torch-only pieces of a run: the app's engine imports them and an exported script embeds this file
verbatim, so both run the same code. Hence it imports only torch, numpy and the standard library.
"""
import hashlib
import math
import numbers
import os
import random
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import init


class ConfigError(ValueError):
    """A setting a learner chose cannot be used: `code` names the sentence that says why, `params` fill it in.

    The sentences live in locales/<language>.json under "err.<code>"; str() is the English one, from
    MESSAGES (the engine loads them, an exported script embeds the ones this file uses)."""

    MESSAGES: dict = {}  # code -> English sentence with {placeholders}

    def __init__(self, code, **params):
        super().__init__(code)
        self.code, self.params = code, params

    def __str__(self):
        try:
            return self.MESSAGES[self.code].format(**self.params)
        except (KeyError, IndexError, ValueError):  # no sentence or a param missing: still say what was wrong
            return f"{self.code} {self.params}"


# ---- activations: the dropdown's names mapped to fresh nn.Module factories ----------------------
LEAKY_SLOPE = 0.01  # PyTorch's own default slope; calculate_gain("leaky_relu") assumes the same value
# Zero-argument factories (not instances) so every layer gets its own module.
ACTIVATIONS = {
    "relu": nn.ReLU,
    "leaky_relu": lambda: nn.LeakyReLU(LEAKY_SLOPE),
    "tanh": nn.Tanh,
    "sigmoid": nn.Sigmoid,
    "linear": nn.Identity,
    "gelu": nn.GELU,
    "selu": nn.SELU,
}

# ---- gains and fans ------------------------------------------------------------------------------
# Parameters of the fixed-number schemes in INIT_SCHEMES; core.lessons.init.gains derives their closed-form std
# from the same names, so the sampler and the formula can never disagree.
UNIFORM_BOUND = 0.1   # "uniform": U(-0.1, 0.1), a typical hand-picked small range
CONSTANT_VALUE = 0.1  # "constant": every weight 0.1
SPARSITY = 0.5        # "sparse": fraction of each column set to zero; 0.9 would zero every
                      # weight of a layer with <= 10 outputs (e.g. a conv with 8 channels)
SPARSE_STD = 0.01     # "sparse": std of the non-zero entries (torch's default, after Martens 2010)
TRUNC_STD = 0.02      # "trunc_normal": N(0, 0.02^2) cut at +-2 std, as in ViT/BERT code
TRUNC_BOUND = 2 * TRUNC_STD

_GAIN_ONE = {"linear", "identity", "sigmoid", "conv1d", "conv2d", "conv3d",
             "conv_transpose1d", "conv_transpose2d", "conv_transpose3d"}


def calculate_gain(nonlinearity, param=None):
    """Recommended std multiplier for an activation; equals torch.nn.init.calculate_gain where torch has one."""
    if nonlinearity in _GAIN_ONE:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    # torch has no gain for gelu; relu's sqrt(2) is the usual approximation (gelu ~ relu for |x| > 1)
    if nonlinearity in ("relu", "gelu"):
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = LEAKY_SLOPE
        elif isinstance(param, bool) or not isinstance(param, (int, float)):
            raise ConfigError("slope_number", value=param)
        else:
            slope = param
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ConfigError("unknown_gain", value=nonlinearity,
                      options="linear, sigmoid, tanh, relu, leaky_relu, gelu, selu")


def fans(weight):
    """(fan_in, fan_out) of a weight as torch computes them: channels times receptive-field size."""
    if weight.dim() < 2:
        raise ConfigError("fans_dims")
    receptive = weight[0][0].numel()
    return weight.shape[1] * receptive, weight.shape[0] * receptive


# ---- initialisation schemes by name, and init_model that applies one to every layer --------------
LAYER_TYPES = (nn.Linear, nn.Conv1d, nn.Conv2d)
# torch's kaiming_* only knows torch's names; gelu borrows relu's gain (see calculate_gain)
_TORCH_NONLINEARITY = {"gelu": "relu", "identity": "linear"}


def _pytorch_default(weight, bias, activation, generator):
    """Exactly nn.Linear/nn.Conv*d.reset_parameters, drawn from `generator`; activation is ignored."""
    with torch.no_grad():
        init.kaiming_uniform_(weight, a=math.sqrt(5), generator=generator)
        if bias is not None:
            fan_in, _ = fans(weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(bias, -bound, bound, generator=generator)


def _kaiming(sampler):
    """Fill with torch's kaiming sampler in fan_in mode for the layer's activation."""
    def fill(w, act, g):
        name = _TORCH_NONLINEARITY.get(act, act)
        slope = LEAKY_SLOPE if name == "leaky_relu" else 0
        sampler(w, a=slope, mode="fan_in", nonlinearity=name, generator=g)
    return fill


def _eye_or_dirac(w, act, g):
    """Identity map: eye_ for a matrix, dirac_ for a conv kernel (each is defined for one only)."""
    if w.dim() == 2:
        init.eye_(w)
    else:
        init.dirac_(w)


def _sparse(w, act, g):
    """Martens' sparse init like torch's sparse_, whose permutations ignore `generator`."""
    w2 = w.view(w.shape[0], -1)  # a conv kernel as its (out, in*k) matrix, sharing storage
    rows, cols = w2.shape
    w2.normal_(0, SPARSE_STD, generator=g)
    # a random permutation per column, as sparse_ does, but drawn from our generator
    zero_rows = torch.rand(rows, cols, generator=g, device=w.device).argsort(dim=0)
    w2.scatter_(0, zero_rows[: math.ceil(SPARSITY * rows)], 0.0)


def _orthogonal(w, act, g):
    """Scaled (semi-)orthogonal matrix over the (out, in*k) view."""
    init.orthogonal_(w, gain=calculate_gain(act), generator=g)


def _weights_only(fill):
    """Turn a weight filler into a scheme; the bias starts at zero, as in every scheme but the default."""
    def scheme(weight, bias, activation, generator):
        with torch.no_grad():
            fill(weight, activation, generator)
            if bias is not None:
                bias.zero_()
    return scheme


INIT_SCHEMES = {
    "pytorch_default": _pytorch_default,
    "zeros": _weights_only(lambda w, act, g: init.zeros_(w)),
    "normal_0.01": _weights_only(lambda w, act, g: init.normal_(w, 0.0, 0.01, generator=g)),
    "xavier_uniform": _weights_only(
        lambda w, act, g: init.xavier_uniform_(w, calculate_gain(act), generator=g)),
    "xavier_normal": _weights_only(
        lambda w, act, g: init.xavier_normal_(w, calculate_gain(act), generator=g)),
    "kaiming_uniform": _weights_only(_kaiming(init.kaiming_uniform_)),
    "kaiming_normal": _weights_only(_kaiming(init.kaiming_normal_)),
    "orthogonal": _weights_only(_orthogonal),
    # the per-layer part of LSUV; init_model then rescales each layer on a data batch
    "lsuv": _weights_only(_orthogonal),
    "uniform": _weights_only(
        lambda w, act, g: init.uniform_(w, -UNIFORM_BOUND, UNIFORM_BOUND, generator=g)),
    "normal": _weights_only(lambda w, act, g: init.normal_(w, 0.0, 1.0, generator=g)),
    "ones": _weights_only(lambda w, act, g: init.ones_(w)),
    "constant": _weights_only(lambda w, act, g: init.constant_(w, CONSTANT_VALUE)),
    "eye": _weights_only(_eye_or_dirac),
    "dirac": _weights_only(_eye_or_dirac),
    "sparse": _weights_only(_sparse),
    "trunc_normal": _weights_only(lambda w, act, g: init.trunc_normal_(
        w, 0.0, TRUNC_STD, -TRUNC_BOUND, TRUNC_BOUND, generator=g)),
}


def _apply(scheme_fn, layer, activation, generator):
    """Run one scheme on a layer, drawing on the generator's device."""
    weight, bias = layer.weight, layer.bias
    if weight.device == generator.device:
        scheme_fn(weight, bias, activation, generator)
        return
    # draw on the generator's device and copy: one seed gives the same weights on CPU and GPU
    w = torch.empty(weight.shape, dtype=weight.dtype, device=generator.device)
    b = None if bias is None else torch.empty(bias.shape, dtype=bias.dtype, device=generator.device)
    scheme_fn(w, b, activation, generator)
    with torch.no_grad():
        weight.copy_(w)
        if bias is not None:
            bias.copy_(b)


def _lsuv_rescale(model, layers, sample, tol=0.05, max_iter=10):
    """Scale each layer in turn so its output std on `sample` is 1 (Mishkin & Matas, LSUV)."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()  # calibrate the deterministic forward pass: no dropout, frozen batch-norm stats
    try:
        for layer in layers:
            seen = {}
            handle = layer.register_forward_hook(
                lambda mod, inp, out: seen.__setitem__("std", out.std().item()))
            try:
                for _ in range(max_iter):
                    with torch.no_grad():
                        model(sample)
                    std = seen.get("std", 1.0)  # a layer the forward pass skips is left alone
                    if abs(std - 1) < tol or not math.isfinite(std) or std == 0:
                        break
                    with torch.no_grad():
                        layer.weight.div_(std)
            finally:
                handle.remove()
    finally:
        for module, mode in modes:
            module.training = mode


def init_model(model, scheme, activation, generator=None, sample=None):
    """Initialise every Linear/Conv1d/Conv2d of `model` in place with a named scheme; return the model."""
    if scheme not in INIT_SCHEMES:
        raise ConfigError("unknown_init", value=scheme, options=", ".join(INIT_SCHEMES))
    calculate_gain(activation)  # an unknown activation fails here, before any weight changes
    if scheme == "lsuv" and sample is None:
        raise ConfigError("lsuv_sample")
    if generator is None:
        # unseeded, yet without drawing from (and so shifting) torch's global RNG stream
        generator = torch.Generator().manual_seed(random.SystemRandom().getrandbits(63))
    layers = [m for m in model.modules() if isinstance(m, LAYER_TYPES)]
    for layer in layers:
        _apply(INIT_SCHEMES[scheme], layer, activation, generator)
    for norm in (m for m in model.modules() if isinstance(m, NORM_TYPES)):
        norm.reset_parameters()  # weight 1, bias 0, running mean 0 and variance 1: no random draw
    if scheme == "lsuv":
        _lsuv_rescale(model, layers, sample)
    return model


# ---- the two model families, as named blocks layer1, ..., out ---------------------------------------
NORMS = {"none": None, "batch": (nn.BatchNorm1d, nn.BatchNorm2d)}  # (for an MLP, for a CNN)
NORM_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d)


def _block(layer, norm, activation, dropout, image):
    """layer [-> batch norm] -> activation [-> dropout]; the plain block is layer -> activation."""
    modules = [layer]
    if NORMS[norm] is not None:
        modules.append(NORMS[norm][image](layer.out_channels if image else layer.out_features))
    modules.append(ACTIVATIONS[activation]())
    if dropout:
        modules.append(nn.Dropout(float(dropout)))
    return nn.Sequential(*modules)


def build_model(model, hidden, activation, input_shape, n_classes, norm="none", dropout=0.0):
    """An MLP or a CNN on torch's current default device; init_model then sets every weight."""
    if model == "cnn":
        # 3x3 convs with stride 2 halve the image each layer, so depth stays cheap on 8x8 and 28x28.
        channels, height, width = input_shape
        blocks = []
        for i, out in enumerate(hidden, 1):
            conv = nn.Conv2d(channels, int(out), kernel_size=3, stride=2, padding=1)
            blocks.append((f"layer{i}", _block(conv, norm, activation, dropout, True)))
            channels, height, width = int(out), (height + 1) // 2, (width + 1) // 2
        blocks.append(("flatten", nn.Flatten()))
        blocks.append(("out", nn.Linear(channels * height * width, n_classes)))
        return nn.Sequential(OrderedDict(blocks))
    blocks = [("flatten", nn.Flatten())]
    width = math.prod(int(s) for s in input_shape)
    for i, out in enumerate(hidden, 1):
        blocks.append((f"layer{i}", _block(nn.Linear(width, int(out)), norm, activation, dropout, False)))
        width = int(out)
    blocks.append(("out", nn.Linear(width, n_classes)))
    return nn.Sequential(OrderedDict(blocks))


# ---- data: tensors, the train/val/test split rule, standardisation -----------------------------------
TEST_FRACTION = 0.15
# third magic byte of an IDX file (MNIST's format) -> element type; IDX stores every element big-endian
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def as_tensors(x, y):
    """numpy inputs (any number type, images shaped (n, 1, h, w)) and labels -> float32 and int64 tensors."""
    return torch.from_numpy(x.astype(np.float32)), torch.from_numpy(y.astype(np.int64))


def parse_idx(raw, path="data"):
    """Parse the bytes of one (already gunzipped) IDX file into a read-only numpy array."""
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in IDX_DTYPES:
        raise ConfigError("damaged_magic", name=os.path.basename(path))
    ndim = raw[3]
    if ndim == 0 or len(raw) < 4 + 4 * ndim:
        raise ConfigError("damaged_header", name=os.path.basename(path))
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(IDX_DTYPES[raw[2]])
    body = raw[4 + 4 * ndim:]
    if len(body) != math.prod(shape) * dtype.itemsize:
        raise ConfigError("damaged_size", name=os.path.basename(path))
    # frombuffer over bytes is already read-only, so a cached copy cannot be mutated
    return np.frombuffer(body, dtype=dtype).reshape(shape)


MAX_VAL_FRACTION = 0.9  # of the rows left after the test split: enough stay to train on


def check_val_fraction(fraction) -> float:
    """The validation fraction as a float, or ConfigError unless it is from 0 to MAX_VAL_FRACTION."""
    if isinstance(fraction, bool) or not isinstance(fraction, numbers.Real):
        raise ConfigError("not_number", what="validation fraction", value=fraction)
    if not 0 <= fraction <= MAX_VAL_FRACTION:
        raise ConfigError("val_range", limit=MAX_VAL_FRACTION)
    return float(fraction)


def counts(n_rest, n_test, val_fraction):
    """(n_train, n_val, n_test), val = round(val_fraction · rest); val may be empty, train/test not."""
    check_val_fraction(val_fraction)
    n_val = round(val_fraction * n_rest)
    n_train = n_rest - n_val
    if min(n_train, n_test) < 1:
        raise ConfigError("val_no_rows", value=val_fraction)
    return n_train, n_val, n_test


def pool_counts(n, val_fraction):
    """Counts for one pool of n rows: test = round(0.15 · n) first, then val from the rest."""
    n_test = round(TEST_FRACTION * n)
    return counts(n - n_test, n_test, val_fraction)


def split_pool(x, y, g, val_fraction):
    """Split one pool of rows with a permutation from generator g into train, val and test pairs."""
    _, n_val, n_test = pool_counts(len(x), val_fraction)
    perm = torch.randperm(len(x), generator=g)
    test, val, train = perm[:n_test], perm[n_test:n_test + n_val], perm[n_test + n_val:]
    return (x[train], y[train]), (x[val], y[val]), (x[test], y[test])


def split_files(x, y, x_test, y_test, g, val_fraction):
    """MNIST-style: the official test file is the test split; val is drawn from the train file."""
    _, n_val, _ = counts(len(x), len(x_test), val_fraction)
    perm = torch.randperm(len(x), generator=g)
    val, train = perm[:n_val], perm[n_val:]
    return (x[train], y[train]), (x[val], y[val]), (x_test, y_test)


def standardise(train, *others):
    """Scale every split by the training split's statistics only, so val/test stay unseen.

    Returns the scaled tensors and the mean and std used, both shaped like one example.
    Tables and toy sets get one mean/std per feature; images one per channel, because a
    pixel that is almost always blank has a tiny std and would blow up in val/test.
    A std below 1e-6 (a constant feature) is treated as 1.
    """
    dims = (0, 2, 3) if train.dim() == 4 else (0,)
    mean = train.mean(dim=dims, keepdim=True)
    std = train.std(dim=dims, keepdim=True, unbiased=False)  # population std: 1 row gives 0, not NaN
    std = torch.where(std < 1e-6, torch.ones_like(std), std)
    one = (1, *train.shape[1:])
    mean, std = mean.expand(one)[0].clone(), std.expand(one)[0].clone()
    return [(x - mean) / std for x in (train, *others)], mean, std


# ---- evaluation and fingerprints ---------------------------------------------------------------------
EVAL_ROWS = 1024  # rows per forward pass when evaluating: bounds a CNN's activations on MNIST's 10,000 test images


def evaluate(model, x, y, device, train_mode=False, with_grad=False, softmax=False):
    """(mean cross-entropy, accuracy) of `model` on a split in eval mode under no_grad; (None, None) for an empty
    split. The flags make the loop lab's mistakes: train mode, gradients kept, softmax before the loss."""
    if len(y) == 0:
        return None, None
    model.train(train_mode)
    loss, correct = 0.0, 0
    with torch.set_grad_enabled(with_grad):
        for start in range(0, len(y), EVAL_ROWS):
            yb = y[start:start + EVAL_ROWS].to(device)
            logits = model(x[start:start + EVAL_ROWS].to(device))
            scores = F.softmax(logits, dim=1) if softmax else logits
            loss += F.cross_entropy(scores, yb, reduction="sum").item()
            correct += (logits.argmax(1) == yb).sum().item()
    return loss / len(y), correct / len(y)


def tensor_bytes(t):
    """A tensor's dtype, shape and values as bytes, the same from any device."""
    t = t.detach().to("cpu").contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: hash its bits
        t = t.view(torch.int16)
    return str(t.dtype).encode() + str(tuple(t.shape)).encode() + t.numpy().tobytes()


def module_digest(model):
    """Hex SHA-256 over a module's state_dict, names and tensors in order."""
    h = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        h.update(name.encode())
        h.update(tensor_bytes(tensor))
    return h.hexdigest()


def run_digest(weights_digest, train_loss, val_loss, val_acc):
    """A run's fingerprint: SHA-256 over its final weights' digest and every recorded loss and accuracy."""
    h = hashlib.sha256(weights_digest.encode())
    for series in (train_loss, val_loss, val_acc):
        h.update(np.asarray([math.nan if v is None else v for v in series], dtype=np.float64).tobytes())
    return h.hexdigest()
