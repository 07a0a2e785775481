"""Every example script runs to the end with --quick and writes the pictures it promises."""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.py"))
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The files each example writes into --out; an example missing here fails the test below,
# so a new script cannot slip in untested.
OUTPUTS = {
    "computational_graph.py": ["computational_graph.png"],
    "data_augmentation.py": ["augmentation_grid.png"],
    "dropout.py": ["dropout.png"],
    "learning_rate.py": ["learning_rate.png"],
    "logistic_regression.py": ["logistic_regression.png"],
    "lstm_mnist.py": ["lstm_mnist_curves.png", "lstm_mnist_steps.png"],
    "mnist_mlp.py": ["mnist_mlp_curves.png"],
    "lenet.py": ["lenet_curves.png", "lenet_filters.png"],
    "conv_kernels.py": ["conv_kernels.png"],
    "neuron.py": ["activations.png"],
    "optimizers.py": ["optimizers.png"],
    "perceptron.py": ["perceptron_rules.png"],
    "sine_regression.py": ["sine_regression.png"],
    "tensor_basics.py": [],
    "xor.py": ["xor.png"],
}
PLOTTING = {name for name, files in OUTPUTS.items()
            if files and name != "data_augmentation.py"}  # that one writes with nncore.images


def test_every_example_is_listed():
    assert sorted(p.name for p in EXAMPLES) == sorted(OUTPUTS)


def test_the_readme_maps_every_example():
    readme = (EXAMPLES_DIR / "README.md").read_text()
    missing = [p.name for p in EXAMPLES if f"`{p.name}`" not in readme]
    assert not missing, f"examples/README.md does not mention {missing}"


@pytest.mark.parametrize("script", EXAMPLES, ids=lambda p: p.name)
def test_example_runs_quickly_and_writes_its_pictures(script, tmp_path):
    if script.name in PLOTTING:
        pytest.importorskip("matplotlib")
    out = tmp_path / "out"
    # Offline: the examples must run on what ships with nncore, never on a download.
    env = dict(os.environ, NNCORE_OFFLINE="1", MPLBACKEND="Agg")
    result = subprocess.run([sys.executable, str(script), "--quick", "--out", str(out)],
                            capture_output=True, text=True, timeout=120, env=env,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip()
    for name in OUTPUTS[script.name]:
        path = out / name
        assert path.is_file(), f"{script.name} did not write {name}:\n{result.stdout}"
        assert path.read_bytes()[:8] == PNG_SIGNATURE
        from nncore.images import read_image
        image = read_image(path)   # decodes the whole file: checksums, filters, size
        assert image.ndim == 2 and min(image.shape) >= 50
        assert image.std() > 0     # not a blank canvas
    if not OUTPUTS[script.name]:
        assert not out.exists() or not any(out.iterdir())


def test_an_example_writes_to_its_default_folder_when_no_out_is_given(tmp_path):
    # --out defaults to examples/output/ next to the script: check through a copy, so
    # the test leaves the source tree untouched.
    copy = tmp_path / "computational_graph.py"
    copy.write_text((EXAMPLES_DIR / "computational_graph.py").read_text())
    pytest.importorskip("matplotlib")
    result = subprocess.run([sys.executable, str(copy)], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "output" / "computational_graph.png").is_file()


def test_pngs_from_matplotlib_read_back_as_the_same_pixels(tmp_path):
    # The PNG check above relies on nncore.images decoding matplotlib's RGBA output.
    pytest.importorskip("matplotlib")
    import matplotlib.image
    from matplotlib.figure import Figure
    from nncore.images import read_image
    figure = Figure(figsize=(1, 1), dpi=40)
    figure.patch.set_facecolor("black")
    figure.savefig(tmp_path / "black.png")
    image = read_image(tmp_path / "black.png")
    assert image.shape == (40, 40) and np.all(image == 0)
    assert matplotlib.image.imread(tmp_path / "black.png").shape[:2] == (40, 40)
