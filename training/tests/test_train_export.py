import json
from pathlib import Path

import numpy as np
import pytest
import torch

from training import evaluate, export, train
from training.engine import torch_load
from training.factory.optim import lr_factor
from training.models import create_model

from .conftest import ferplus_dir

FAST = ["--input-size", "32", "--in-chans", "1", "--lr", "1e-3", "--batch-size", "16", "--threads", "1"]


def test_train_resume_evaluate_export(learnable_dir: Path, tmp_path: Path) -> None:
    common = ["--data", str(learnable_dir), *FAST]
    run_a = train.main([*common, "--epochs", "2", "--out", str(tmp_path / "a")])
    for name in ("args.json", "log.csv", "log.json", "curve.png", "best.pt", "last.pt"):
        assert (run_a / name).is_file(), name
    log = json.loads((run_a / "log.json").read_text())
    assert [row["epoch"] for row in log] == [1, 2]

    # 1 epoch, then resume for the 2nd: the same weights and centers as 2 epochs straight
    train.main([*common, "--epochs", "1", "--out", str(tmp_path / "b")])
    run_b = train.main(
        [*common, "--epochs", "2", "--out", str(tmp_path / "b"), "--resume", str(tmp_path / "b/last.pt")]
    )
    a, b = torch_load(run_a / "last.pt"), torch_load(run_b / "last.pt")
    (first,) = b["meta"]["earlier_commands"]  # the command of the first epoch, kept for the card
    assert "--epochs 1 " in first and "--resume" not in first and "--resume" in b["meta"]["command"]
    for key in a["model"]:
        assert torch.equal(a["model"][key], b["model"][key]), key
    assert torch.equal(a["criterion"]["center.centers"], b["criterion"]["center.centers"])
    assert a["criterion"]["center.centers"].abs().sum() > 0  # the centers moved

    metrics = evaluate.main(["--checkpoint", str(run_a / "best.pt"), "--out", str(tmp_path / "eval")])
    assert (tmp_path / "eval" / "metrics.json").is_file()
    assert (tmp_path / "eval" / "confusion_test.png").is_file()
    assert (tmp_path / "eval" / "reliability_test.png").is_file()
    assert metrics["temperature"] > 0
    assert metrics["test"]["images"] == 32 and 0 <= metrics["test"]["accuracy"] <= 1
    assert len(metrics["test"]["confusion_matrix"]) == 8
    flipped = evaluate.main(["--checkpoint", str(run_a / "best.pt"), "--tta", "hflip"])
    assert flipped["tta"] == "hflip" and (run_a / "eval-hflip" / "metrics.json").is_file()
    assert flipped["test"]["images"] == 32

    pytest.importorskip("onnxruntime")  # export needs onnx + onnxruntime (not in Debian's python3 packages)
    card = export.main(
        [
            "--checkpoint",
            str(run_a / "best.pt"),
            "--metrics",
            str(tmp_path / "eval/metrics.json"),
            "--out",
            str(tmp_path / "models" / "tiny"),
            "--fixtures",
            str(tmp_path / "fx.json"),
        ]
    )
    assert (tmp_path / "models" / "tiny.onnx").is_file()
    saved = json.loads((tmp_path / "models" / "tiny.json").read_text())
    assert saved == json.loads(json.dumps(card))
    assert saved["input"] == {
        "name": "input",
        "shape": ["N", 1, 32, 32],
        "dtype": "float32",
        "layout": "NCHW",
        "colour": "grey",
        "size": 32,
    }
    assert saved["classes"][0] == "neutral" and len(saved["classes"]) == 8
    assert saved["temperature"] == metrics["temperature"]
    assert saved["preprocessing"]["crop"]["margin"] == 0.09
    assert saved["export"]["parity_max_abs_diff"] < 1e-4
    assert any("224" in d for d in saved["deviations_from_paper"])
    assert saved["training"]["command"].startswith("python -m training.train")
    fx = json.loads((tmp_path / "fx.json").read_text())
    assert fx["input_shape"] == [5, 1, 32, 32] and len(fx["inputs"][0]) == 32 * 32
    assert np.abs(np.array(fx["logits_onnxruntime"]) - np.array(fx["logits_torch"])).max() < 1e-4


def _random_model() -> torch.nn.Module:
    """A random-weight model whose eval-mode logits are of order 1 (BN statistics from one batch)."""
    model = create_model("a_mobilenet", 8, 1)
    for m in model.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = 1.0
    with torch.no_grad():
        model.train()(torch.rand(16, 1, 32, 32) * 2 - 1)
    torch.nn.init.normal_(model.classifier.weight, std=0.1)  # logits of a few units, like a trained model
    return model.eval()


def test_export_parity_tiny_random_model(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    torch.manual_seed(0)
    model = _random_model()
    assert model(torch.rand(2, 1, 32, 32)).abs().max() > 0.1
    path = tmp_path / "m.onnx"
    export.export_onnx(model, path, 1, 32)
    assert export.parity_check(model, path, 1, 32) < 1e-4
    import onnxruntime as ort

    sess = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    assert [i.name for i in sess.get_inputs()] == ["input"]
    assert [o.name for o in sess.get_outputs()] == ["logits"]
    out = sess.run(None, {"input": np.zeros((3, 1, 32, 32), np.float32)})[0]
    assert out.shape == (3, 8)  # dynamic batch
    other = _random_model()  # different random weights
    with pytest.raises(RuntimeError, match="parity check FAILED"):
        export.parity_check(other, path, 1, 32)


@pytest.mark.skipif(ferplus_dir() is None, reason="FERPLUS_DIR not set")
def test_short_training_on_ferplus_subset_loss_falls(tmp_path: Path) -> None:
    run = train.main(
        [
            "--data",
            ferplus_dir(),
            "--limit",
            "1024",
            "--limit-valid",
            "256",
            "--epochs",
            "3",
            "--input-size",
            "48",
            "--in-chans",
            "1",
            "--lr",
            "1e-3",
            "--balance-fraction",
            "0",
            "--out",
            str(tmp_path / "run"),
        ]
    )
    log = json.loads((run / "log.json").read_text())
    print([(r["train_ce"], r["valid_loss"], r["valid_acc"]) for r in log])
    assert log[-1]["train_ce"] < log[0]["train_ce"]


def test_learning_rate_warms_up_per_step_then_follows_the_cosine() -> None:
    f = [lr_factor(s, steps_per_epoch=10, epochs=4, warmup_epochs=1, cosine=True) for s in range(40)]
    assert f[0] == pytest.approx(0.1 * (0.5 * (1 + np.cos(0)))) and f[9] < 1 and f[9] > f[4] > f[0]
    assert f[20] == pytest.approx(0.5) and f[39] < 0.01  # halfway down the cosine at half of the steps
    flat = [lr_factor(s, 10, 4, 0.5, cosine=False) for s in range(40)]
    assert flat[4] == 1.0 and flat[39] == 1.0 and flat[0] == pytest.approx(0.2)


def test_int8_quantisation_is_measured_against_the_float_model(learnable_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    from training import quantize

    torch.manual_seed(0)
    model = _random_model()
    export.export_onnx(model, tmp_path / "m.onnx", 1, 32)
    card = {
        "file": "m.onnx",
        "input": {"colour": "grey", "size": 32},
        "preprocessing": {"mean": [0.5], "std": [0.5]},
        "classes": ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"],
    }
    (tmp_path / "m.json").write_text(json.dumps(card))
    out = quantize.main(
        [
            *["--card", str(tmp_path / "m.json"), "--out", str(tmp_path / "q.onnx"), "--data", str(learnable_dir)],
            *["--calibration", "16", "--results", str(tmp_path / "q.json"), "--posed-dir", ""],
        ]
    )
    assert (tmp_path / "q.onnx").is_file() and out["int8_bytes"] < out["float_bytes"] / 2
    assert out["test_float"]["images"] == 32 and out["test_int8"]["images"] == 32
    assert out["ship_int8"] == (out["test_accuracy_drop"] <= 0.003)
    assert json.loads((tmp_path / "q.json").read_text())["test_accuracy_drop"] == out["test_accuracy_drop"]
