"""The exported script's model, init and loop, written for one config: each mistake it asks for stands on its
own line, marked with a comment, so the script shows the bug it reproduces."""
from __future__ import annotations

import re

from ...engine.messages import catalogue
from ...engine.mistakes import LOOP_MISTAKES

# why each mistake is one (the comment on its line): the English catalogue's "loop.why.<key>"
WHY = {key: catalogue("en")[f"loop.why.{key}"] for key in LOOP_MISTAKES}

# The loop as the exported script shows it. The left column says when a line is written: "+x" only with x,
# "-x" only without it (x: a mistake's key, or dropout / rules / resume); an empty column, always. On the
# right, {mark:keys} becomes the comment that names those of the mistakes the run makes, and {name} a piece
# of code the run chooses (see loop_code).
LOOP = '''\
                       (x_train, y_train), (x_val, y_val), (x_test, y_test) = splits
-leaky_normalisation   (x_train, x_val, x_test), _, _ = standardise(x_train, x_val, x_test)  # by the training split's statistics
+leaky_normalisation   (x_train, x_val, x_test), _, _ = standardise_all_rows(x_train, x_val, x_test){mark:leaky_normalisation}
+no_shuffle            x_train, y_train = sorted_by_class(x_train, y_train){mark:no_shuffle}

                       # ---- model and init: every random number of the init from one generator seeded with SEED ----------
                       model = build_model(MODEL, HIDDEN, ACTIVATION, tuple(x_train.shape[1:]), N_CLASSES, NORM, DROPOUT)
                       init_gen = torch.Generator().manual_seed(SEED)
                       init_model(model, INIT, ACTIVATION, generator=init_gen, sample=x_train[:256])
+rules                 initialize_weights(model, INIT_RULES, generator=init_gen)  # then the rules by module type
                       model = model.to(DEVICE)
                       optimizer = {optimizer}
+dropout               dropout = DropoutStream(SEED + DROPOUT_SEED_OFFSET, DEVICE)  # dropout's own random stream

                       # ---- the loop: train() / zero_grad / forward / loss / backward / step; validate under no_grad --------
                       order_gen = torch.Generator().manual_seed(SEED)
                       x_train, y_train = x_train.to(DEVICE), y_train.to(DEVICE)
                       train_loss, val_loss, val_acc = [], [], []
                       diverged = False
+resume                {resume}
-resume                for epoch in range(EPOCHS):
+resume                for epoch in range(start_epoch, EPOCHS):
-no_shuffle                perm = torch.randperm(len(y_train), generator=order_gen).to(DEVICE)
+no_shuffle                perm = torch.arange(len(y_train), device=DEVICE){mark:no_shuffle}
                           for idx in perm.split(BATCH_SIZE):
                               model.train()
-dropout                       loss = F.cross_entropy({logits}, y_train[idx]{reduction}){mark:softmax_then_ce,sum_reduction}
+dropout                       with dropout.active():
+dropout                           loss = F.cross_entropy({logits}, y_train[idx]{reduction}){mark:softmax_then_ce,sum_reduction}
                               train_loss.append(loss.item())
                               if not math.isfinite(train_loss[-1]):
                                   diverged = True  # a non-finite loss ends the run: it is a result, not an error
                                   break
-no_zero_grad                  optimizer.zero_grad(set_to_none=True)
+no_zero_grad                  # optimizer.zero_grad(set_to_none=True){mark:no_zero_grad}
                               loss.backward()
                               optimizer.step()
                           if diverged:
                               break
-dropout                   loss_value, accuracy = evaluate(model, x_val, y_val, DEVICE{evaluate}){mark:evaluate}
+dropout                   with dropout.active():
+dropout                       loss_value, accuracy = evaluate(model, x_val, y_val, DEVICE{evaluate}){mark:evaluate}
                           val_loss.append(loss_value)
                           val_acc.append(accuracy)
+resume                {save}

                       if not diverged:
-dropout                   test_loss, test_acc = evaluate(model, x_test, y_test, DEVICE{evaluate}){mark:evaluate}
+dropout                   with dropout.active():
+dropout                       test_loss, test_acc = evaluate(model, x_test, y_test, DEVICE{evaluate}){mark:evaluate}
                           print(f"test accuracy {test_acc:.4f}")
                       print(f"steps {len(train_loss)}, final loss {train_loss[-1]:.6g}, val acc {val_acc}")
                       print(run_digest(module_digest(model), train_loss, val_loss, val_acc))  # the fingerprint: SHA-256 of weights and losses
'''
CODE_COLUMN = 23  # where the code starts on each line of LOOP
# evaluate()'s switch for each mistake it can make, in the order of its arguments
EVALUATE_FLAGS = {"no_eval_mode": "train_mode=True", "eval_with_grad": "with_grad=True", "softmax_then_ce": "softmax=True"}

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


def needs_loop_pieces(cfg) -> bool:
    """Whether the script must embed core/plain_loop.py."""
    return bool(cfg.dropout) or cfg.init_rules is not None or bool(
        {"leaky_normalisation", "no_shuffle"} & set(cfg.mistakes))


def render(template: str, switches: set, pieces: dict, mark_groups: dict) -> str:
    """The template's lines whose condition holds, code column only, with {mark:…} and {name} filled in."""
    def fill(match):
        name = match.group(1)
        if name.startswith("mark:"):
            keys = mark_groups.get(name[5:], name[5:].split(","))
            return _marks([key for key in keys if key in switches])
        return pieces[name]

    field = re.compile(r"\{(mark:[\w,]+|" + "|".join(pieces) + r")\}")  # not the script's own f-string fields
    lines = []
    for line in template.splitlines():
        condition, code = line[:CODE_COLUMN].strip(), line[CODE_COLUMN:]
        if condition and (condition[1:] in switches) != (condition[0] == "+"):
            continue
        lines.append(field.sub(fill, code))
    return "\n".join(lines) + "\n"


def loop_code(cfg, optimizer: str, save_epoch=None, filename="reproduce.py") -> str:
    """The script from the splits to the fingerprint: standardise, model, init, loop, validation, test; with
    save_epoch, the --save / --resume blocks that checkpoint after that epoch."""
    mistakes = set(cfg.mistakes)
    switches = mistakes | {name for name, on in (("dropout", bool(cfg.dropout)), ("rules", cfg.init_rules is not None),
                                                 ("resume", save_epoch is not None)) if on}
    resume, save = checkpoint_blocks(save_epoch, filename, bool(cfg.dropout)) if save_epoch is not None else ("", "")
    pieces = {"optimizer": optimizer, "resume": resume, "save": save,
              "logits": ("F.softmax(model(x_train[idx]), dim=1)" if "softmax_then_ce" in mistakes
                         else "model(x_train[idx])"),
              "reduction": ', reduction="sum"' if "sum_reduction" in mistakes else "",
              "evaluate": "".join(f", {flag}" for key, flag in EVALUATE_FLAGS.items() if key in mistakes)}
    return render(LOOP, switches, pieces, {"evaluate": tuple(EVALUATE_FLAGS)})
