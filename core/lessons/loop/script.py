"""The exported script's model, init and loop, written for one config: each mistake it asks for stands on its
own line, marked with a comment, so the script shows the bug it reproduces."""
from __future__ import annotations

from ...engine.config import RunConfig
from ...engine.messages import catalogue
from ...engine.mistakes import LOOP_MISTAKES

# why each mistake is one (the comment on its line): the English catalogue's "loop.why.<key>"
WHY = {key: catalogue("en")[f"loop.why.{key}"] for key in LOOP_MISTAKES}


# Checkpoints at an epoch's end: the next epoch's order is then all in order_gen's state.
RESUME = '''\
# ---- save and resume: `python {filename} --save` stops after epoch SAVE_EPOCH and writes CHECKPOINT
# (plain tensors and dicts); `python {filename} --resume` loads it (torch.load with weights_only=True: no
# code runs) into this fresh model, optimizer and generator, and goes on: the fingerprint is the same
CHECKPOINT, SAVE_EPOCH = "checkpoint.pt", {save_epoch}
start_epoch = 0
if "--resume" in sys.argv:
    state = torch.load(CHECKPOINT, map_location=DEVICE, weights_only=True)
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])  # momentum buffers, Adam's moments and step counts
    order_gen.set_state(state["order_gen"])  # without it the next epoch would replay epoch 0's order
{dropout_load}    train_loss, val_loss, val_acc, start_epoch = state["train_loss"], state["val_loss"], state["val_acc"], state["epoch"]

'''
SAVE = '''\
    if "--save" in sys.argv and epoch + 1 == SAVE_EPOCH:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "order_gen": order_gen.get_state(),
                    "epoch": epoch + 1, "train_loss": train_loss, "val_loss": val_loss, "val_acc": val_acc DROPOUT_STATE}, CHECKPOINT)
        print(f"saved {CHECKPOINT} after epoch {SAVE_EPOCH}: run again with --resume")
        sys.exit(0)
'''
# a run with dropout also carries dropout's own stream (core/plain_loop.py's DropoutStream) across the break
DROPOUT_LOAD = '    dropout.cpu_state, dropout.cuda_state = state["dropout_cpu"], state["dropout_cuda"]\n'
DROPOUT_STATE = ',\n                    "dropout_cpu": dropout.cpu_state, "dropout_cuda": dropout.cuda_state'


def checkpoint_blocks(save_epoch, filename, dropout) -> tuple:
    """The --resume block (before the loop) and the --save block (after each epoch's validation)."""
    resume = RESUME.format(save_epoch=int(save_epoch), filename=filename, dropout_load=DROPOUT_LOAD if dropout else "")
    return resume.rstrip("\n"), SAVE.replace(" DROPOUT_STATE", DROPOUT_STATE if dropout else "").rstrip("\n")


def _marks(keys) -> str:
    """One comment naming every mistake on a line, each with its reason."""
    return "  # " + "; ".join(f"MISTAKE {key}: {WHY[key]}" for key in keys) if keys else ""


def needs_loop_pieces(cfg: RunConfig) -> bool:
    """Whether the script must embed core/plain_loop.py."""
    return bool(cfg.dropout) or cfg.init_rules is not None or bool(
        {"leaky_normalisation", "no_shuffle"} & set(cfg.mistakes))


def loop_code(cfg: RunConfig, optimizer: str, save_epoch=None, filename="reproduce.py") -> str:
    """The script from the splits to the fingerprint: standardise, model, init, loop, validation, test; with
    save_epoch, the --save / --resume blocks that checkpoint after that epoch."""
    m = set(cfg.mistakes)
    dropout = bool(cfg.dropout)
    lines = ["(x_train, y_train), (x_val, y_val), (x_test, y_test) = splits"]
    if "leaky_normalisation" in m:
        lines.append("(x_train, x_val, x_test), _, _ = standardise_all_rows(x_train, x_val, x_test)"
                     + _marks(["leaky_normalisation"]))
    else:
        lines.append("(x_train, x_val, x_test), _, _ = standardise(x_train, x_val, x_test)"
                     "  # by the training split's statistics")
    if "no_shuffle" in m:
        lines.append("x_train, y_train = sorted_by_class(x_train, y_train)" + _marks(["no_shuffle"]))
    lines += ["", "# ---- model and init: every random number of the init from one generator seeded with SEED ----------",
              "model = build_model(MODEL, HIDDEN, ACTIVATION, tuple(x_train.shape[1:]), N_CLASSES, NORM, DROPOUT)",
              "init_gen = torch.Generator().manual_seed(SEED)",
              "init_model(model, INIT, ACTIVATION, generator=init_gen, sample=x_train[:256])"]
    if cfg.init_rules is not None:
        lines.append("initialize_weights(model, INIT_RULES, generator=init_gen)  # then the rules by module type")
    lines += ["model = model.to(DEVICE)", f"optimizer = {optimizer}"]
    if dropout:
        lines.append("dropout = DropoutStream(SEED + DROPOUT_SEED_OFFSET, DEVICE)  # dropout's own random stream")
    loss = "model(x_train[idx])"
    if "softmax_then_ce" in m:
        loss = f"F.softmax({loss}, dim=1)"
    loss = f"F.cross_entropy({loss}, y_train[idx]" + (', reduction="sum")' if "sum_reduction" in m else ")")
    loss += _marks([key for key in ("softmax_then_ce", "sum_reduction") if key in m])
    order = ("perm = torch.arange(len(y_train), device=DEVICE)" + _marks(["no_shuffle"]) if "no_shuffle" in m
             else "perm = torch.randperm(len(y_train), generator=order_gen).to(DEVICE)")
    zero = ("# optimizer.zero_grad(set_to_none=True)" + _marks(["no_zero_grad"]) if "no_zero_grad" in m
            else "optimizer.zero_grad(set_to_none=True)")
    flags = [("no_eval_mode", "train_mode=True"), ("eval_with_grad", "with_grad=True"),
             ("softmax_then_ce", "softmax=True")]
    extra = "".join(f", {arg}" for key, arg in flags if key in m)
    marks = _marks([key for key, _ in flags if key in m])
    lines += ["", "# ---- the loop: train() / zero_grad / forward / loss / backward / step; validate under no_grad --------",
              "order_gen = torch.Generator().manual_seed(SEED)",
              "x_train, y_train = x_train.to(DEVICE), y_train.to(DEVICE)",
              "train_loss, val_loss, val_acc = [], [], []", "diverged = False"]
    resume, save = checkpoint_blocks(save_epoch, filename, dropout) if save_epoch is not None else ("", "")
    if resume:
        lines.append(resume)
    lines += ["for epoch in range(start_epoch, EPOCHS):" if resume else "for epoch in range(EPOCHS):", f"    {order}", "    for idx in perm.split(BATCH_SIZE):",
              "        model.train()"]
    if dropout:
        lines += ["        with dropout.active():", f"            loss = {loss}"]
    else:
        lines.append(f"        loss = {loss}")
    lines += ["        train_loss.append(loss.item())", "        if not math.isfinite(train_loss[-1]):",
              "            diverged = True  # a non-finite loss ends the run: it is a result, not an error",
              "            break", f"        {zero}", "        loss.backward()", "        optimizer.step()",
              "    if diverged:", "        break"]
    evaluate = "evaluate(model, x_{split}, y_{split}, DEVICE" + extra + ")"
    if dropout:
        lines += ["    with dropout.active():",
                  f"        loss_value, accuracy = {evaluate.format(split='val')}" + marks]
    else:
        lines.append(f"    loss_value, accuracy = {evaluate.format(split='val')}" + marks)
    lines += ["    val_loss.append(loss_value)", "    val_acc.append(accuracy)"] + ([save] if save else [])
    lines += ["", "if not diverged:"]
    if dropout:
        lines += ["    with dropout.active():", f"        test_loss, test_acc = {evaluate.format(split='test')}"]
    else:
        lines.append(f"    test_loss, test_acc = {evaluate.format(split='test')}")
    lines += ['    print(f"test accuracy {test_acc:.4f}")',
              'print(f"steps {len(train_loss)}, final loss {train_loss[-1]:.6g}, val acc {val_acc}")',
              "print(run_digest(module_digest(model), train_loss, val_loss, val_acc))"
              "  # the fingerprint: SHA-256 of weights and losses"]
    return "\n".join(lines) + "\n"
