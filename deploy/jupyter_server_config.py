"""The single-user server's share of voila.json (the image puts this folder on JUPYTER_CONFIG_PATH).

Voila as a server extension (/voila/render/app.ipynb on JupyterHub) reads voila.json's VoilaConfiguration section
only from its working directory (a learner's home, not the app's folder); the executor's settings, the kernels'
transport and the page's headers belong to the server. So all of them are taken from the same file here: the
dashboard's settings stay written once.
"""
import json
from pathlib import Path

c = get_config()  # noqa: F821 (given by the config loader)
# beside this file's folder: deploy/ in the repository, config/ in the image (deploy/Dockerfile), whatever the cwd
voila = json.loads((Path(__file__).resolve().parents[1] / "voila.json").read_text())
for name, value in voila["VoilaExecutor"].items():
    setattr(c.VoilaExecutor, name, value)
for name, value in voila["KernelManager"].items():
    setattr(c.KernelManager, name, value)
c.ServerApp.tornado_settings = {"headers": voila["Voila"]["tornado_settings"]["headers"]}
# the files Voila may hand out (the page's plotly.js): the extension reads voila.json only in its cwd
c.VoilaConfiguration.file_allowlist = voila["VoilaConfiguration"]["file_allowlist"]
