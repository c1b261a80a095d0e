"""What validation without torch.no_grad() costs: the tensors autograd keeps for a backward that never comes."""
import torch

from ...plain import EVAL_ROWS, evaluate


def saved_for_backward(model, x, y, device="cpu", with_grad=True) -> dict:
    """Evaluate one split (up to EVAL_ROWS rows) with or without gradients; the same loss and accuracy,
    and the bytes of every tensor autograd saved for backward (0 under no_grad)."""
    saved = {"bytes": 0, "tensors": 0}

    def pack(t):
        saved["bytes"] += t.numel() * t.element_size()
        saved["tensors"] += 1
        return t

    x, y = x[:EVAL_ROWS], y[:EVAL_ROWS]
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss, acc = evaluate(model, x, y, device, with_grad=with_grad)
    return {"loss": loss, "accuracy": acc, **saved}
