"""Writes app.ipynb: short bilingual lessons and one cell per panel; no logic lives in the notebook.
Run from the repo root: .venv/bin/python tools/make_notebook.py"""
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from widgets.shell.page_guard import page_script  # noqa: E402

LESSONS = [
    ("# Training Playground · 训练游乐场\n"
     "Move a control, press a button, and watch **real PyTorch** train: learning rate, weight initialisation, "
     "random seeds and reproducibility, losses and the training loop.\n\n"
     "调节控件、按下按钮，观看**真实的 PyTorch** 训练过程：学习率、权重初始化、随机种子与可复现性、损失函数和训练循环。",
     "from widgets.shell.app import App\n\napp = App()\napp"),
    ("## 1 · Learning rate · 学习率\n"
     "Too small crawls, about right converges, too large bounces, far too large flies off to inf/NaN. "
     "The same network trains four times; only the learning rate differs.\n\n"
     "太小则爬行，合适则收敛，太大则震荡，过大则损失飞向 inf/NaN。同一个网络训练四次，只有学习率不同。",
     "app.lr"),
    ("## 2 · Initialisation · 权重初始化\n"
     "Multiply by a random matrix a hundred times: std 1 overflows by layer ~28, 0.01 vanishes, 1/√n holds "
     "(√(2/n) with ReLU). PyTorch's default `kaiming_uniform_(a=√5)` gives std 1/√(3·fan_in) and shrinks the "
     "signal layer by layer; zero init makes every hidden unit identical.\n\n"
     "连乘一百次随机矩阵：标准差为 1 时约第 28 层溢出，0.01 时消失，1/√n 时保持稳定（ReLU 需 √(2/n)）。"
     "PyTorch 默认的 `kaiming_uniform_(a=√5)` 使标准差为 1/√(3·fan_in)，信号逐层缩小；全零初始化使所有隐藏单元完全相同。",
     "app.init"),
    ("## 3 · Seeds & reproducibility · 随机种子与可复现性\n"
     "Same seed, same run — bit for bit. Run twice and compare fingerprints; leave one part unseeded and "
     "find the first step where the runs part ways. `PYTHONHASHSEED` only acts when Python starts.\n\n"
     "相同的种子，逐位相同的运行。运行两次并比较指纹；让某一部分不设种子，找出两次运行第一次分歧的步数。"
     "`PYTHONHASHSEED` 只在 Python 启动时生效。",
     "app.seeds"),
    ("## 4 · Training loop · 训练循环\n"
     "`model.train()`, `zero_grad`, forward, loss, `backward`, `step`; validate under `no_grad` in "
     "`model.eval()`. Play, Stop, Step one batch at a time, or cross-validate with k folds.\n\n"
     "`model.train()`、`zero_grad`、前向、损失、`backward`、`step`；在 `model.eval()` 和 `no_grad` 下验证。"
     "可以播放、停止、逐批单步执行，或用 k 折交叉验证。",
     "app.train"),
    ("## 5 · Losses · 损失函数\n"
     "Cross-entropy = log_softmax + nll. The naive `log(exp(x)/Σexp)` overflows (`exp(1000) = inf`); "
     "the log-sum-exp trick does not. MSE's gradient vanishes when a classifier is confidently wrong.\n\n"
     "交叉熵 = log_softmax + nll。朴素的 `log(exp(x)/Σexp)` 会溢出（`exp(1000) = inf`），log-sum-exp 技巧不会。"
     "分类器自信地犯错时，MSE 的梯度会消失。",
     "app.losses"),
    ("## 6 · GPU\n"
     "Which device, how much memory is in use and reserved, `empty_cache`, and the out-of-memory error a "
     "memory fraction produces.\n\n"
     "使用哪个设备、显存的占用与保留量、`empty_cache`，以及设置显存比例后产生的显存不足错误。",
     "app.gpu"),
    ("## 7 · The loop's classic mistakes · 训练循环的经典错误\n"
     "Forget `zero_grad`, validate in train mode or without `no_grad`, skip shuffling, put a softmax before the "
     "loss, leak validation statistics, sum instead of average: switch one on beside its line and run it next to "
     "the correct loop. Then `initialize_weights` by module type, and what a DataLoader really serves.\n\n"
     "忘记 `zero_grad`、在训练模式下或不用 `no_grad` 验证、不打乱数据、在损失前加 softmax、泄露验证集统计量、"
     "用求和代替平均：在对应代码行旁打开一个错误，与正确的循环并排运行。然后按模块类型 `initialize_weights`，"
     "再看看 DataLoader 实际给出的批次。",
     "app.loop"),
]


def main(path="app.ipynb"):
    cells = []
    for lesson, code in LESSONS:
        cells += [new_markdown_cell(lesson), new_code_cell(code)]
    # The page's own script rides in the first Markdown cell: Voila writes it into the page before its JavaScript.
    cells[0].source += "\n\n" + page_script()
    # Last, so that a kernel from Voila's preheated pool builds everything before it waits for its page.
    cells.append(new_code_cell("app.apply_page_settings()  # settings in the page URL, e.g. ?lr=0.05&lang=zh"))
    nb = new_notebook(cells=cells, metadata={
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    })
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids keep the file's diff quiet when it is regenerated
    nbformat.write(nb, path)


if __name__ == "__main__":
    main()
