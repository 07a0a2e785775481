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


def _isolated(monkeypatch, tmp_path):
    # No downloads and no real home directory: `nncore train` must fall back to the
    # sample that ships inside the package.
    monkeypatch.setenv("NNCORE_OFFLINE", "1")
    monkeypatch.delenv("NNCORE_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)


def test_train_evaluate_predict_offline(monkeypatch, tmp_path, capsys):
    import numpy as np
    from nncore.datasets import mnist
    from nncore.images import write_png
    from nncore.models import load_model
    _isolated(monkeypatch, tmp_path)
    assert main(["train", "--epochs", "2", "--threads", "1", "--verbose", "2",
                 "--out", "run"]) == 0
    out = capsys.readouterr().out
    assert "shipped 10k sample" in out and "Epoch 2/2" in out
    accuracy = float(out.split("test accuracy: ")[1].split()[0])
    assert accuracy > 0.85
    assert "true\\pred" in out
    model_file = tmp_path / "run" / "mlp-mnist.nncore"
    assert model_file.exists()
    assert (tmp_path / "run" / "training-curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    assert main(["evaluate", str(model_file)]) == 0
    assert f"test accuracy: {accuracy:.4f}" in capsys.readouterr().out

    (_, _), (x_test, y_test) = mnist.load_sample()
    paths = []
    for i in range(20):
        # Dark ink on white paper, three times larger: what a user would draw.
        image = 255 - np.kron(x_test[i], np.ones((3, 3), np.uint8))
        paths.append(str(tmp_path / f"digit{i}.png"))
        write_png(paths[-1], image)
    assert main(["predict", str(model_file), *paths]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    predicted = [int(line.split(": ")[1].split()[0]) for line in lines]
    # The drawn copies are classified exactly like the originals, and mostly right.
    direct = load_model(model_file).predict(x_test[:20], verbose=0).argmax(1)
    assert predicted == direct.tolist()
    assert sum(p == int(t) for p, t in zip(predicted, y_test[:20])) >= 16


def test_train_fashion_mnist_offline_says_where_to_put_files(monkeypatch, tmp_path, capsys):
    _isolated(monkeypatch, tmp_path)
    assert main(["train", "--dataset", "fashion-mnist", "--epochs", "1"]) == 2
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte" in err and "NNCORE_DATA" in err


def test_info_lists_plugins_with_their_distributions(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    assert "layers" in out and "nncore-example-python" in out.replace("_", "-")
