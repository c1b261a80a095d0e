"""This kernel's uploaded CSV: checked before it touches the disk, named by a handle, removed with the kernel.

A learner may train on a file they uploaded, never on a path they type: shared settings and page URLs
carry the handle `upload:<name>`, which only resolves to the upload held by this kernel.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import unicodedata

from core import ConfigError, read_csv

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # under Tornado's 10 MiB websocket frame, which would drop the file silently
MAX_NAME = 80  # characters kept of an uploaded file's name
HANDLE = "upload:"


def clean_name(name) -> str:
    """A file name safe to show and to write: no folders, control characters or NULs, not too long."""
    base = os.path.basename(str(name).replace("\\", "/"))
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C").strip(" .")
    stem, ext = os.path.splitext(base)
    if ext.lower() != ".csv":
        raise ConfigError("csv_name")
    return (stem[:MAX_NAME - 4] or "upload") + ".csv"


def checked_content(content) -> bytes:
    """The upload's bytes, refused unless bytes-like and within the size limit (before anything is written)."""
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise ConfigError("upload_not_file")
    refuse_size(memoryview(content).nbytes)
    return bytes(content)


def refuse_size(size: int) -> None:
    """A ConfigError for a file over the limit (the browser reports sizes it refused before sending)."""
    if size > MAX_UPLOAD_BYTES:
        raise ConfigError("upload_too_big", size=size / 2**20, limit=MAX_UPLOAD_BYTES // 2**20)


class Uploads:
    """The one CSV this kernel holds, in a folder of its own that is removed when the kernel exits."""

    def __init__(self):
        self.folder = None
        self.path = None  # the current upload's file, or None
        self.name = None
        self.replaced = {}  # path of an upload a newer one replaced -> its handle, still shown by handle

    def store(self, name, content):
        """Check, write and read back an upload -> (path, read_csv's result); on failure nothing is left on disk."""
        name, data = clean_name(name), checked_content(content)
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="tp-upload-")
            atexit.register(shutil.rmtree, self.folder, True)
        slot = tempfile.mkdtemp(dir=self.folder)  # a fresh slot: a bad file never replaces the good one
        path = os.path.join(slot, name)
        try:
            with open(path, "wb") as f:
                f.write(data)
            parsed = read_csv(path)  # a malformed file is refused here, with core's message
        except BaseException:
            shutil.rmtree(slot, ignore_errors=True)
            raise
        if self.path is not None:
            shutil.rmtree(os.path.dirname(self.path), ignore_errors=True)
            self.replaced[self.path] = self.handle()
        self.path, self.name = path, name
        return path, parsed

    def handle(self) -> str:
        return HANDLE + self.name

    def shareable(self, dataset: str) -> str:
        """What settings show for `dataset`: the handle instead of this kernel's file path (a replaced upload's
        too: a panel may still hold it, and its handle then says what it was without naming the server's folder)."""
        if self.path is not None and dataset == self.path:
            return self.handle()
        return self.replaced.get(dataset, dataset)

    def resolve(self, dataset, names) -> str:
        """A data set a learner typed or pasted: a built-in name, or this kernel's upload by its handle."""
        if isinstance(dataset, str) and dataset in names:
            return dataset
        if isinstance(dataset, str) and dataset.startswith(HANDLE):
            if self.path is not None and dataset == self.handle():
                return self.path
            raise ConfigError("upload_missing")
        raise ConfigError("dataset_by_name", options=", ".join(names))


UPLOADS = Uploads()  # this kernel's
