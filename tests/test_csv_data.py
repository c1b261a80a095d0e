"""A learner's CSV file: the happy path and a helpful ConfigError for each kind of bad file."""
import numpy as np
import pytest
import torch

from core.data.csv_table import read_csv
from core.data.datasets import load_dataset, split_sizes
from core.engine.errors import ConfigError


def _write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _table(n=20):
    """Columns id, a, Label (named in another case, not last), b (constant); string labels."""
    rows = ["id,a,Label,b"] + [f"{i},{i * 0.5},{'cat' if i % 3 else 'ant'},{7}" for i in range(n)]
    return "\n".join(rows) + "\n"


def test_happy_path_with_string_labels(tmp_path):
    x, y, names = read_csv(_write(tmp_path, _table()))
    assert names == ("ant", "cat")  # sorted, so the mapping does not depend on row order
    assert x.dtype == np.float32 and x.shape == (20, 3) and y.dtype == np.int64
    assert y.tolist() == [0 if i % 3 == 0 else 1 for i in range(20)]
    assert x[4].tolist() == [4.0, 2.0, 7.0]  # the label column is taken out wherever it stands


def test_integer_labels_sort_numerically_and_last_column_is_the_label(tmp_path):
    text = "f,g,kind\n" + "".join(f"{i},{-i},{[2, 10, 3][i % 3]}\n" for i in range(12))
    _, y, names = read_csv(_write(tmp_path, text))
    assert names == ("2", "3", "10")
    assert y[:3].tolist() == [0, 2, 1]


def test_load_dataset_from_csv_splits_every_row_once(tmp_path):
    path = _write(tmp_path, _table(40))
    b = load_dataset(str(path), seed=0)
    assert split_sizes(str(path)) is None
    assert b.n_classes == 2 and b.class_names == ("ant", "cat") and b.input_shape == (3,)
    assert (len(b.train), len(b.val), len(b.test)) == (27, 7, 6)
    ids = torch.cat([(s.tensors[0] * b.feature_std + b.feature_mean)[:, 0] for s in (b.train, b.val, b.test)])
    assert sorted(ids.round().long().tolist()) == list(range(40))
    # the constant column b has std 0, treated as 1: it becomes all zeros, not NaN
    assert b.feature_std[2] == 1 and torch.all(b.train.tensors[0][:, 2] == 0)


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("\n\n", "is empty"),
    ("a,b,label\n", "header but no rows"),
    ("label\n" + "1\n" * 12, "at least one feature column"),
    ("a,b,label\n" + "1,2,x\n" * 5 + "1,x\n" + "1,2,y\n" * 6, "row 7 has 2 values but the header has 3"),
    ("x,label\n1,a\n2,b\nhello,a\n" + "3,b\n" * 9, "column 'x' row 4 is not a number"),
    ("x,label\n1,a\n\n2,b\n,a\n" + "3,b\n" * 9, "column 'x' row 5 is not a number"),
    ("x,label\n1,a\nnan,b\n" + "3,b\n" * 9, "column 'x' row 3 is not a number"),
    ("x,label\n1,a\n2,\n" + "3,b\n" * 9, "column 'label' row 3 is empty"),
    ("x,label\n" + "1,a\n" * 12, "only one class"),
    ("x,label\n" + "1,a\n2,b\n" * 4, "has 8 rows; it needs at least 10"),
])
def test_bad_files_are_config_errors_that_say_why(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError, match=message):
        load_dataset(str(path), seed=0)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_dataset(str(tmp_path / "nowhere.csv"), seed=0)


def test_binary_file_is_a_config_error(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(b"\xff\xfe\x00\x81" * 50)
    with pytest.raises(ConfigError, match="cannot be read as text"):
        read_csv(path)


def test_byte_order_mark_and_spaces_are_tolerated(tmp_path):
    text = "\ufeff a , LABEL \n" + "".join(f" {i} , {'yes' if i % 2 else 'no'} \n" for i in range(10))
    path = tmp_path / "table.csv"
    path.write_text(text, encoding="utf-8")
    x, y, names = read_csv(path)
    assert names == ("no", "yes") and x[:, 0].tolist() == list(range(10))
