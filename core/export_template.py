'''The script export_script() writes: plain PyTorch that reproduces one train(cfg) run bit for bit.

$ placeholders are filled by core.export; everything else is the script verbatim.
'''

SCRIPT = r'''#!/usr/bin/env python3
"""Reproduce a Training Playground run with plain PyTorch and numpy: $summary

Run it from the app's folder (it reads core/assets/digits.npz for the digits data set):
    python $filename
Its last line is the run's fingerprint; the app showed $expected
"""
import gzip
import hashlib
import math
import os
from collections import OrderedDict

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

SEED = $seed
DATASET = $dataset
VAL_FRACTION = $val_fraction
HIDDEN = $hidden
LR = $lr
BATCH_SIZE = $batch_size
EPOCHS = $epochs
DEVICE = torch.device($device)
if $deterministic:
    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.deterministic, torch.backends.cudnn.benchmark = True, False

# ---- data: one generator seeded with SEED draws the split (and the toy points) ----------------
$toy_source

def load_data(g):
    if DATASET == "digits":
        here = os.path.dirname(os.path.abspath(__file__))
        path = next(p for p in (os.path.join(here, "core", "assets", "digits.npz"),
                                os.path.join("core", "assets", "digits.npz")) if os.path.exists(p))
        with np.load(path) as f:
            x = torch.from_numpy(f["images"].astype(np.float32)).unsqueeze(1)
            y = torch.from_numpy(f["labels"].astype(np.int64))
        return split_pool(x, y, g)
    if DATASET in TOY_SETS:
        return split_pool(*make_toy(DATASET, g), g)
    folder = os.path.join(os.environ.get("TP_DATA_DIR") or os.path.expanduser("~/.cache/training-playground"), DATASET)
    read = lambda name: read_idx(os.path.join(folder, name))
    x, y = read("train-images-idx3-ubyte.gz"), read("train-labels-idx1-ubyte.gz")
    x_test, y_test = read("t10k-images-idx3-ubyte.gz"), read("t10k-labels-idx1-ubyte.gz")
    images = lambda a: torch.from_numpy(a.astype(np.float32)).unsqueeze(1)
    labels = lambda a: torch.from_numpy(a.astype(np.int64))
    x, y, x_test, y_test = images(x), labels(y), images(x_test), labels(y_test)
    n_val = round(VAL_FRACTION * len(x))
    perm = torch.randperm(len(x), generator=g)
    val, train = perm[:n_val], perm[n_val:]
    return (x[train], y[train]), (x[val], y[val]), (x_test, y_test)


def read_idx(path):
    raw = gzip.open(path).read()
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def split_pool(x, y, g):
    n_test = round(0.15 * len(x))
    n_val = round(VAL_FRACTION * (len(x) - n_test))
    perm = torch.randperm(len(x), generator=g)
    test, val, train = perm[:n_test], perm[n_test:n_test + n_val], perm[n_test + n_val:]
    return (x[train], y[train]), (x[val], y[val]), (x[test], y[test])


def standardise(train, *others):
    # statistics of the training split only; images get one mean/std per channel
    dims = (0, 2, 3) if train.dim() == 4 else (0,)
    mean = train.mean(dim=dims, keepdim=True)
    std = train.std(dim=dims, keepdim=True, unbiased=False)
    std = torch.where(std < 1e-6, torch.ones_like(std), std)
    one = (1, *train.shape[1:])
    mean, std = mean.expand(one)[0].clone(), std.expand(one)[0].clone()
    return [(x - mean) / std for x in (train, *others)]


(x_train, y_train), (x_val, y_val), (x_test, y_test) = load_data(torch.Generator().manual_seed(SEED))
x_train, x_val, x_test = standardise(x_train, x_val, x_test)
n_classes = 2 if DATASET in TOY_SETS else 10

# ---- model: named blocks layer1, layer2, ..., out ---------------------------------------------
def activation():
    return $activation


def build_model(input_shape):
    blocks = []
$model_code
    return nn.Sequential(OrderedDict(blocks))


model = build_model(tuple(x_train.shape[1:]))

# ---- initialisation: "$init", every random number from one generator seeded with SEED --------
init_gen = torch.Generator().manual_seed(SEED)


def init_layer(weight, bias, g):
$init_code


with torch.no_grad():
    layers = [m for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv1d, nn.Conv2d))]
    for layer in layers:
        init_layer(layer.weight, layer.bias, init_gen)
$lsuv_code
model = model.to(DEVICE)
optimizer = $optimizer

# ---- the loop: train() / zero_grad / forward / loss / backward / step; validate under no_grad --
order_gen = torch.Generator().manual_seed(SEED)
x_train, y_train = x_train.to(DEVICE), y_train.to(DEVICE)
train_loss, val_loss, val_acc = [], [], []


@torch.no_grad()
def evaluate(x, y):
    if len(y) == 0:
        return None, None
    model.eval()
    loss, correct = 0.0, 0
    for start in range(0, len(y), 1024):  # in chunks of 1024 rows, as the app does (bounds memory)
        yb = y[start:start + 1024].to(DEVICE)
        logits = model(x[start:start + 1024].to(DEVICE))
        loss += F.cross_entropy(logits, yb, reduction="sum").item()
        correct += (logits.argmax(1) == yb).sum().item()
    return loss / len(y), correct / len(y)


diverged = False
for epoch in range(EPOCHS):
    perm = torch.randperm(len(y_train), generator=order_gen).to(DEVICE)
    for idx in perm.split(BATCH_SIZE):
        model.train()
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
        train_loss.append(loss.item())
        if not math.isfinite(train_loss[-1]):
            diverged = True  # a non-finite loss ends the run: it is a result, not an error
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    if diverged:
        break
    loss_value, accuracy = evaluate(x_val, y_val)
    val_loss.append(loss_value)
    val_acc.append(accuracy)

if not diverged:
    test_loss, test_acc = evaluate(x_test, y_test)
    print(f"test accuracy {test_acc:.4f}")
print(f"steps {len(train_loss)}, final loss {train_loss[-1]:.6g}, val acc {val_acc}")


# ---- fingerprint: SHA-256 over the final weights, then over it and every recorded loss ---------
def tensor_bytes(t):
    t = t.detach().to("cpu").contiguous()
    return str(t.dtype).encode() + str(tuple(t.shape)).encode() + t.numpy().tobytes()


weights = hashlib.sha256()
for name, tensor in model.state_dict().items():
    weights.update(name.encode())
    weights.update(tensor_bytes(tensor))
run = hashlib.sha256(weights.hexdigest().encode())
for series in (train_loss, val_loss, val_acc):
    run.update(np.asarray([math.nan if v is None else v for v in series], dtype=np.float64).tobytes())
print(run.hexdigest())
'''
