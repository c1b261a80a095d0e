"""A learner reaches nothing beyond their own kernel: data sets by name, uploads checked before they touch
the disk, bounded work per run. Each test replays a probe from the security review through the real path
(page URL, pasted settings, the FileUpload widget's comm state)."""
import json
import os
import tempfile
from pathlib import Path

import pytest

from core import MAX_CLASSES, MAX_LAYERS, MAX_PARAMETERS, MAX_STEPS, ConfigError, Run, RunConfig, catalogue, train
from widgets.shell import uploads
from widgets.shell.app import App

PANELS_WITH_A_DATASET = ("lr", "seeds", "train")


@pytest.fixture
def kernel_uploads(monkeypatch, tmp_path):
    """A fresh upload store whose folders go under tmp_path, so a test can see everything written."""
    store = uploads.Uploads()
    monkeypatch.setattr(uploads, "UPLOADS", store)
    monkeypatch.setattr("widgets.shell.settings.UPLOADS", store)
    monkeypatch.setattr("widgets.train.controls.UPLOADS", store)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return store


def _files(folder):
    return sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)


def _csv_bytes(rows=40):
    lines = ["x1,x2,label"] + [f"{i % 7}.5,{i % 3}.25,{i % 2}" for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


def _comm_upload(panel, name, content):
    """What the browser sends: the FileUpload's `value` in a comm update, through its deserializer."""
    panel.controls.upload.set_state({"value": [{"name": name, "type": "text/csv", "size": 1,
                                                "last_modified": 0, "content": content}]})


@pytest.mark.parametrize("panel", PANELS_WITH_A_DATASET)
def test_pasted_settings_cannot_name_a_file_on_the_server(panel, tmp_path, kernel_uploads):
    secret = tmp_path / "grades.csv"
    secret.write_text("student,grade\nAlice Smith,1\n")
    app = App("")
    p = app.panel(panel)
    answers = []
    for path in (str(secret), "/etc/passwd.csv", "../../" + str(secret)):
        p.share_text.value = json.dumps({"dataset": path})
        p.share_apply.click()
        answers.append(app.status.text)
    assert answers[0] == answers[1] == answers[2]  # existence cannot be probed
    assert "by name" in answers[0] and "Alice" not in answers[0] and "grades" not in answers[0]
    assert p.settings()["dataset"] == "digits"


def test_a_dataset_path_in_the_page_url_is_refused_and_the_page_works(tmp_path, kernel_uploads):
    secret = tmp_path / "grades.csv"
    secret.write_text("student,grade\nAlice Smith,1\n")
    app = App(f"dataset={secret}&seed=3")
    train = app.train
    assert train.controls.dataset.value == "digits" and "by name" in app.status.text
    assert app.lr.base.dataset == "digits" and app.seeds.base.dataset == "digits"


def test_another_kernels_upload_handle_resolves_to_nothing(kernel_uploads):
    app = App("")
    p = app.train
    p.share_text.value = json.dumps({"dataset": "upload:my-private-data.csv"})
    p.share_apply.click()
    assert "No such CSV was uploaded" in app.status.text and p.controls.dataset.value == "digits"


def test_an_own_upload_is_shared_by_handle_and_taken_back_in_the_same_kernel(kernel_uploads):
    app = App("")
    p = app.train
    _comm_upload(p, "mine.csv", memoryview(_csv_bytes()))
    path = p.controls.dataset.value
    assert os.path.isfile(path) and app.status.kind == "ok"
    for name in PANELS_WITH_A_DATASET:
        panel = app.panel(name)
        if name != "train":
            panel.share_text.value = json.dumps({"dataset": "upload:mine.csv"})
            panel.share_apply.click()
        assert panel.settings()["dataset"] == "upload:mine.csv"
        assert path not in json.dumps(panel.settings())


def test_an_integer_as_upload_content_is_refused_before_anything_is_written(kernel_uploads, tmp_path):
    app = App("")
    _comm_upload(app.train, "big.csv", 1_500_000_000)  # bytes(1_500_000_000) would be 1.5 GB of zeros
    assert app.status.kind == "error" and "not a file" in app.status.text
    assert _files(tmp_path) == []


def test_a_file_over_the_limit_is_refused_before_anything_is_written(kernel_uploads, tmp_path):
    app = App("")
    _comm_upload(app.train, "big.csv", memoryview(b"1" * (uploads.MAX_UPLOAD_BYTES + 1)))
    assert app.status.kind == "error" and "at most 5 MB" in app.status.text
    assert _files(tmp_path) == []
    assert "5 MB" in app.train.controls.upload_limit.value  # said before uploading, too


@pytest.mark.parametrize("name, stored", [
    ("a\x00b.csv", "ab.csv"),
    ("a\nb.csv", "ab.csv"),
    ("x" * 300 + ".csv", "x" * (uploads.MAX_NAME - 4) + ".csv"),
    ("../../etc/evil.csv", "evil.csv"),
    ("C:\\Users\\me\\data.csv", "data.csv"),
])
def test_upload_names_are_cleaned(kernel_uploads, tmp_path, name, stored):
    app = App("")
    _comm_upload(app.train, name, memoryview(_csv_bytes()))
    assert app.status.kind == "ok", app.status.text
    assert [os.path.basename(f) for f in _files(tmp_path)] == [stored]
    assert app.train.settings()["dataset"] == "upload:" + stored


def test_failed_uploads_leave_nothing_and_a_new_upload_replaces_the_old(kernel_uploads, tmp_path):
    app = App("")
    p = app.train
    _comm_upload(p, "good.csv", memoryview(_csv_bytes()))
    first = p.controls.dataset.value
    _comm_upload(p, "bad.csv", memoryview(b"x1,label\nnot a number,1\n"))
    assert app.status.kind == "error" and _files(tmp_path) == [os.path.relpath(first, tmp_path)]
    _comm_upload(p, "second.csv", memoryview(_csv_bytes(30)))
    assert [os.path.basename(f) for f in _files(tmp_path)] == ["second.csv"]


def test_a_deeply_nested_url_value_leaves_a_working_page():
    app = App("hidden=" + "[" * 3000 + "&seed=5")  # json.loads raises RecursionError on this
    assert app.train.controls.hidden.value == "64" and app.status.kind == "error"
    app.train.share_text.value = json.dumps({"seed": 5})
    app.train.share_apply.click()
    assert app.train.controls.seed.value == "5" and app.status.kind == "ok"


@pytest.mark.parametrize("changes, code", [
    (dict(hidden=(8,) * (MAX_LAYERS + 1)), "too_many_layers"),
    (dict(hidden=(4096, 4096), dataset="mnist"), "too_many_parameters"),
    (dict(epochs=1000, batch_size=1), "too_many_steps"),
])
def test_runs_bigger_than_one_learners_share_are_refused(changes, code):
    with pytest.raises(ConfigError) as refused:
        RunConfig(**changes).validate()
    assert refused.value.code == code


def test_the_work_limits_sit_just_above_the_largest_run_they_allow():
    RunConfig(hidden=(8,) * MAX_LAYERS).validate()
    RunConfig(epochs=MAX_STEPS // 1222, batch_size=1).validate()  # digits: 1,222 training rows, one per batch
    with pytest.raises(ConfigError):
        RunConfig(epochs=MAX_STEPS // 1222 + 1, batch_size=1).validate()
    # one hidden layer of width w on digits has 64w + w + 10w + 10 parameters
    widest = (MAX_PARAMETERS - 10) // 75
    RunConfig(hidden=(min(widest, 4096),)).validate()


@pytest.mark.parametrize("code", ["too_many_layers", "too_many_parameters", "too_many_steps", "dataset_by_name",
                                  "upload_missing", "upload_not_file", "upload_too_big", "csv_name",
                                  "too_many_classes", "too_many_batch_values", "too_many_runs", "csv_too_many_rows",
                                  "matmul_width"])
def test_every_new_refusal_has_a_message_in_both_languages(code):
    english, chinese = (catalogue(lang)[f"err.{code}"] for lang in ("en", "zh"))
    assert english and chinese and english != chinese


def test_an_unexpected_error_is_logged_to_a_file_not_to_stderr(capsys):
    from widgets.shell.status import log_file

    app = App("")
    app.status.guard(lambda: 1 / 0)()
    assert app.status.kind == "error" and "Traceback" not in app.status.text
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and "ZeroDivisionError" not in captured.err
    with open(log_file(), encoding="utf-8") as f:
        assert "ZeroDivisionError" in f.read()


def test_in_class_mode_what_python_writes_to_stderr_goes_to_the_log_file(tmp_path):
    """The class server's kernels set TP_STDERR=log: a warning (with its server path) lands in the log
    file, and nothing reaches the process's stderr, which ipykernel would forward to the page."""
    import subprocess
    import sys

    code = ("import widgets.shell.status, warnings, sys; warnings.warn('a warning from the kernel'); "
            "print('to stderr', file=sys.stderr); print(widgets.shell.status.log_file())")
    env = {**os.environ, "TP_STDERR": "log", "TP_LOG_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parent.parent, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stderr == ""
    log = Path(done.stdout.strip()).read_text(encoding="utf-8")
    assert "a warning from the kernel" in log and "to stderr" in log


def _table(rows, labels=2, width=2):
    """A CSV of `rows` rows, `width` feature columns and `labels` distinct labels, as bytes."""
    lines = [",".join(f"x{i}" for i in range(width)) + ",label"]
    lines += [",".join(f"{(r * (i + 3)) % 11}.5" for i in range(width)) + f",c{r % labels}" for r in range(rows)]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("table, changes, code", [
    (dict(rows=300), dict(hidden=(4096, 4096)), "too_many_parameters"),  # 2 columns: the width is not the limit
    (dict(rows=300), dict(batch_size=1, epochs=1000), "too_many_steps"),
    (dict(rows=300, labels=MAX_CLASSES + 1), dict(hidden=(8,)), "too_many_classes"),
    (dict(rows=4000), dict(hidden=(4096, 1000), batch_size=2400), "too_many_batch_values"),
])
def test_a_csv_run_beyond_the_limits_is_refused_once_the_file_is_read(table, changes, code, tmp_path):
    """Issue 23.2: validate() cannot know a CSV's sizes; Run checks them once the file is read, with the
    same limits as a built-in data set, before any model memory is taken."""
    path = tmp_path / "t.csv"
    path.write_bytes(_table(**table))
    cfg = RunConfig(dataset=str(path), **changes).validate()  # accepted: the sizes are not known yet
    with pytest.raises(ConfigError) as refused:
        Run(cfg)
    assert refused.value.code == code


def test_a_csv_run_within_the_limits_trains():
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "t.csv"
        path.write_bytes(_table(300, labels=MAX_CLASSES))
        assert train(RunConfig(dataset=str(path), hidden=(8,), epochs=1)).fingerprint


def test_a_huge_csv_run_through_the_upload_comm_is_refused_with_a_short_message(kernel_uploads):
    app = App("")
    p = app.train
    _comm_upload(p, "wide.csv", memoryview(_table(300)))
    p.controls.hidden.value = "4096, 4096"
    p.play.click()
    assert app.status.kind == "error" and "parameters" in app.status.text and "Traceback" not in app.status.text
    assert p.current is None


def test_a_replaced_upload_is_shown_and_refused_by_its_handle_never_by_a_path(kernel_uploads, tmp_path):
    """Issue 23.6: upload mine.csv, take it into Seeds by handle, upload second.csv: Seeds' settings show the
    stale handle, and its run is refused naming the file, never the server's folder."""
    app = App("")
    _comm_upload(app.train, "mine.csv", memoryview(_csv_bytes()))
    app.seeds.share_text.value = json.dumps({"dataset": "upload:mine.csv"})
    app.seeds.share_apply.click()
    _comm_upload(app.train, "second.csv", memoryview(_csv_bytes(30)))
    assert app.seeds.settings()["dataset"] == "upload:mine.csv"
    assert str(tmp_path) not in json.dumps(app.seeds.settings())
    app.seeds.run.click()
    assert app.status.kind == "error" and "mine.csv" in app.status.text and str(tmp_path) not in app.status.text
    assert app.train.settings()["dataset"] == "upload:second.csv"


def test_a_csv_longer_than_the_row_limit_is_refused_while_it_is_read(tmp_path):
    from core import MAX_CSV_ROWS, read_csv

    path = tmp_path / "long.csv"
    path.write_bytes(_table(MAX_CSV_ROWS + 1))
    with pytest.raises(ConfigError) as refused:
        read_csv(path)
    assert refused.value.code == "csv_too_many_rows"
    path.write_bytes(_table(MAX_CSV_ROWS))
    assert len(read_csv(path)[1]) == MAX_CSV_ROWS
