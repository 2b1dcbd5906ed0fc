"""`make demo` tells the whole story and ends with the concept invoice as the sandbox holds
it: run the script itself on a throw-away data directory and free ports."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.processes import ROOT, free_port

pytestmark = pytest.mark.e2e


def test_make_demo_ends_with_one_concept_invoice(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "ROMPSLOMP_API_URL")},
        "DATA_DIR": str(tmp_path / "data"),
        "SIMON_API_PORT": str(free_port()),
        "SYNC_WORKER_PORT": str(free_port()),
        "SANDBOX_PORT": str(free_port()),
    }
    done = subprocess.run(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    output = done.stdout
    assert done.returncode == 0, output + done.stderr
    assert "7. Concept invoice in Rompslomp" in output
    lines = re.findall(r"^\s+([\d.]+) ×\s+([\d.]+)\s+(.+)$", output, flags=re.MULTILINE)
    assert [(q, p) for q, p, _ in lines] == [
        ("1.0", "0.0"),  # the work description as the first line
        ("1.0", "0.0"),  # the form's meter reading, marked `on_invoice`
        ("2.0", "62.5"),  # 120 min work
        ("0.25", "55.0"),  # 15 min travel
        ("4.0", "1.45"),
        ("1.5", "2.35"),
        ("1.0", "45.0"),  # the call-out fee
    ]
    assert [text for _, _, text in lines][:2] == [
        "CV-ketel onderhoud en vervangen expansievat",
        "Meterstand: 12345",
    ]
    assert "status concept" in output
    assert re.search(r"description   Werkbon \d{4}-\d{5}, werkadres ", output)
    assert re.search(r"description   .*, object: CV-ketel Remeha Tzerra 24$", output, re.M)
    assert re.search(r"work-order PDF for the customer: .*werkbon-\d{4}-\d{5}\.pdf", output)
