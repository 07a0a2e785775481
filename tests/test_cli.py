import shutil
import subprocess

import nncore
from nncore.cli import main


def test_info_command_prints_the_build(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert nncore.__version__ in out and nncore.info()["isa"] in out


def test_nncore_command_is_installed():
    command = shutil.which("nncore")
    assert command, "the nncore command is not on PATH"
    result = subprocess.run([command, "info"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "isa" in result.stdout
