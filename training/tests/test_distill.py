import hashlib
import json
from pathlib import Path

import pytest
import torch

from training import evaluate, export, train
from training.distill import distillation_kl
from training.engine import torch_load

FAST = ["--in-chans", "1", "--lr", "1e-3", "--batch-size", "16", "--threads", "1"]


def test_distillation_term_is_zero_on_agreement_and_pulls_towards_the_teacher() -> None:
    torch.manual_seed(0)
    teacher = torch.randn(6, 8)
    assert float(distillation_kl(teacher.clone(), teacher, 2.0)) == pytest.approx(0.0, abs=1e-6)
    student = torch.zeros(6, 8, requires_grad=True)
    loss = distillation_kl(student, teacher, 2.0)
    p_t = torch.softmax(teacher / 2.0, dim=1)
    manual = (p_t * (p_t.log() - torch.log_softmax(student / 2.0, dim=1))).sum(1).mean() * 4.0
    assert float(loss.detach()) == pytest.approx(float(manual.detach()), rel=1e-5)
    loss.backward()
    # one step down the gradient moves the student's distribution towards the teacher's
    stepped = (student - 1.0 * student.grad).detach()
    assert float(distillation_kl(stepped, teacher, 2.0)) < float(loss)


def test_a_student_learns_from_an_exported_teacher_and_its_card_says_so(learnable_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    common = ["--data", str(learnable_dir), *FAST]
    run_t = train.main([*common, "--input-size", "32", "--epochs", "1", "--out", str(tmp_path / "teacher")])
    metrics = evaluate.main(["--checkpoint", str(run_t / "best.pt"), "--out", str(tmp_path / "teval")])
    assert metrics["temperature"] > 0
    export.main(["--checkpoint", str(run_t / "best.pt"), "--out", str(tmp_path / "models" / "teacher")])
    card = tmp_path / "models" / "teacher.json"

    # The low-power student: narrower and smaller in input than its teacher.
    args = [
        *common,
        "--input-size",
        "24",
        "--width",
        "0.5",
        "--epochs",
        "1",
        "--teacher",
        str(card),
        "--distill-weight",
        "0.5",
    ]
    run_s = train.main([*args, "--out", str(tmp_path / "student")])
    ck = torch_load(run_s / "best.pt")
    teacher = ck["meta"]["teacher"]
    onnx_bytes = (tmp_path / "models" / "teacher.onnx").read_bytes()
    assert teacher["sha256"] == hashlib.sha256(onnx_bytes).hexdigest()
    assert teacher["input_size"] == 32 and teacher["weight"] == 0.5 and teacher["temperature"] == 2.0
    (row,) = json.loads((run_s / "log.json").read_text())
    assert row["train_distill"] > 0  # a random student disagrees with its teacher
    own = row["train_ce"] + 0.003 * row["train_center"]
    assert row["train_loss"] == pytest.approx(0.5 * row["train_distill"] + 0.5 * own, rel=1e-3)

    student_card = export.main(["--checkpoint", str(run_s / "best.pt"), "--out", str(tmp_path / "models" / "student")])
    assert student_card["input"]["size"] == 24
    assert student_card["architecture"]["width"] == 0.5
    teacher_card = json.loads(card.read_text())
    assert student_card["architecture"]["parameters"] < teacher_card["architecture"]["parameters"] / 3
    assert student_card["training"]["teacher"]["sha256"] == teacher["sha256"]
    assert any(d.startswith("distilled from the exported model") for d in student_card["deviations_from_paper"])


def test_a_run_starts_as_exactly_the_exported_model_it_fine_tunes(learnable_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnx")
    common = ["--data", str(learnable_dir), *FAST, "--input-size", "32", "--epochs", "1"]
    run_t = train.main([*common, "--out", str(tmp_path / "shipped")])
    export.main(["--checkpoint", str(run_t / "best.pt"), "--out", str(tmp_path / "models" / "shipped")])
    card = tmp_path / "models" / "shipped.json"

    run = train.main([*common, "--init-from", str(card), "--class-weight", "anger=2", "--out", str(tmp_path / "tuned")])
    init = torch_load(run / "best.pt")["meta"]["init"]
    shipped_bytes = (tmp_path / "models" / "shipped.onnx").read_bytes()
    assert init["init"] == "exported" and init["sha256"] == hashlib.sha256(shipped_bytes).hexdigest()
    # BN folded into the convs by the export, unfolded here: the same function as the file
    assert init["max_logit_difference"] < 1e-4
    tuned = export.main(["--checkpoint", str(run / "best.pt"), "--out", str(tmp_path / "models" / "tuned")])
    assert tuned["training"]["init"]["name"] == "shipped"
    deviations = " ".join(tuned["deviations_from_paper"])
    assert "fine-tuned from the exported model" in deviations and "anger=2" in deviations

    with pytest.raises(SystemExit, match="--init-from .*this network"):
        train.main([*common, "--init-from", str(card), "--width", "0.5", "--out", str(tmp_path / "narrow")])
    with pytest.raises(SystemExit, match="choose one"):
        train.main([*common, "--init-from", str(card), "--init", "faceres", "--out", str(tmp_path / "both")])


def test_a_teacher_that_cannot_teach_stops_the_run_with_a_plain_message(learnable_dir: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime")
    common = ["--data", str(learnable_dir), *FAST, "--input-size", "24", "--epochs", "1"]
    with pytest.raises(SystemExit, match="cannot be read"):
        train.main([*common, "--teacher", str(tmp_path / "missing.json"), "--out", str(tmp_path / "a")])
    bad = tmp_path / "other.json"
    bad.write_text(
        json.dumps(
            {
                "file": "other.onnx",
                "input": {"size": 32, "shape": ["N", 1, 32, 32], "colour": "grey"},
                "classes": ["cat", "dog"],
                "preprocessing": {"mean": [0.5], "std": [0.5]},
            }
        )
    )
    with pytest.raises(SystemExit, match="has classes"):
        train.main([*common, "--teacher", str(bad), "--out", str(tmp_path / "b")])
    outside = tmp_path / "outside.json"
    outside.write_text(json.dumps(json.loads(bad.read_text()) | {"file": "../x.onnx"}))
    with pytest.raises(SystemExit, match="outside its folder"):
        train.main([*common, "--teacher", str(outside), "--out", str(tmp_path / "c")])
