from pathlib import Path

import pytest

from training import compare, evaluate, train

FAST = ["--input-size", "32", "--in-chans", "1", "--batch-size", "16", "--threads", "1", "--epochs", "1"]


def _run(data: Path, out: Path, *extra: str) -> tuple[Path, dict]:
    run = train.main(["--data", str(data), *FAST, *extra, "--out", str(out)])
    return run, evaluate.main(["--checkpoint", str(run / "best.pt")])


def test_compare_tables_real_runs_and_names_differences(learnable_dir: Path, tmp_path: Path) -> None:
    a, metrics_a = _run(learnable_dir, tmp_path / "a", "--model", "a_mobilenet", "--lr", "1e-3")
    b, _ = _run(learnable_dir, tmp_path / "b", "--model", "mobilenet_v3_small", "--lr", "1e-3")
    text = compare.main([str(a), str(b), "--out", str(tmp_path / "cmp" / "table")])
    lines = text.splitlines()
    row_a = next(line for line in lines if line.startswith("| A-MobileNet |"))
    row_b = next(line for line in lines if line.startswith("| MobileNetV3-small |"))
    assert "| 88.11 |" in row_a and "| 73.24 |" in row_b
    assert f"**{100 * metrics_a['test']['accuracy']:.2f}**" in row_a
    assert "| 3,422,240 |" in row_a  # grey-input A-MobileNet, 8 classes: Table 1 plus the head
    assert "not like for like" not in text  # only the model differs
    assert (tmp_path / "cmp" / "table.md").read_text() == text
    assert (tmp_path / "cmp" / "table-curves.png").stat().st_size > 0

    c, _ = _run(learnable_dir, tmp_path / "c", "--model", "mobilenet_v1", "--lr", "3e-4")
    text = compare.main([str(a), str(c)])
    assert "not like for like" in text and "- `lr`: 0.001, 0.0003" in text


def test_compare_refuses_a_run_that_was_not_evaluated(learnable_dir: Path, tmp_path: Path) -> None:
    run = train.main(["--data", str(learnable_dir), *FAST, "--out", str(tmp_path / "raw")])
    with pytest.raises(SystemExit, match=r"eval/metrics.json: missing"):
        compare.main([str(run)])
