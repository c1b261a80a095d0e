"""The single-user server's share of voila.json (the image puts this folder on JUPYTER_CONFIG_PATH).

Voila as a server extension (/voila/render/app.ipynb on JupyterHub) reads only the VoilaConfiguration
section of voila.json; the executor's settings, the kernels' transport and the page's headers belong to the
server, so they are taken from the same file here: the dashboard's settings stay written once.
"""
import json
from pathlib import Path

c = get_config()  # noqa: F821 (given by the config loader)
voila = json.loads((Path.cwd() / "voila.json").read_text())  # the server's root, as for Voila itself
for name, value in voila["VoilaExecutor"].items():
    setattr(c.VoilaExecutor, name, value)
for name, value in voila["KernelManager"].items():
    setattr(c.KernelManager, name, value)
c.ServerApp.tornado_settings = {"headers": voila["Voila"]["tornado_settings"]["headers"]}
