"""The wheel installs one top-level package, `nowan`, and its CLI runs anywhere.

Why: top-level packages named `model`, `proofs` or `reports` collide with PyPI packages of those
names and with a `model.py` in the user's working folder. These tests build the real wheel,
install it into a fresh virtual environment and run the CLI from a folder holding a `model.py`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import tomllib
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TOPS = ("model", "attacks", "proofs", "reports")


def _declared() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_package_list_matches_the_folders() -> None:
    on_disk = sorted("nowan." + str(p.parent.relative_to(ROOT)).replace(os.sep, ".")
                     for top in TOPS for p in (ROOT / top).rglob("__init__.py")
                     if "__pycache__" not in p.parts)
    assert sorted(_declared()["packages"]) == on_disk


def test_package_dir_maps_each_folder_under_nowan() -> None:
    assert _declared()["package-dir"] == {f"nowan.{t}": t for t in TOPS}


def test_license_file_matches_the_declared_licence() -> None:
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "Apache-2.0"
    assert "Apache License" in (ROOT / "LICENSE").read_text()


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                    "-q", "-w", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    return next(out.glob("nowan-*.whl"))


def test_wheel_has_one_top_level_package(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"nowan"}
    # data the CLI reads at run time is shipped
    assert "nowan/model/data/assumptions.yaml" in names
    assert any(n.startswith("nowan/reports/templates/") for n in names)
    assert any(n.startswith("nowan/model/channels/") and n.endswith(".yaml") for n in names)


def test_wheel_cli_runs_from_a_folder_with_a_model_py(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    site = Path(subprocess.run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # Dependencies come from this environment's site-packages as a plain path entry: its .pth
    # files (the editable install of nowan among them) are not processed, so only the wheel
    # provides `nowan`.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "-q",
                    str(wheel)], check=True, capture_output=True, timeout=300)
    work = tmp_path / "work"
    work.mkdir()
    (work / "model.py").write_text("raise SystemExit('the user model.py was imported')\n")
    (work / "reports.py").write_text("raise SystemExit('the user reports.py was imported')\n")
    nowan = env_dir / "bin" / "nowan"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    r = subprocess.run([str(nowan), "--version"], cwd=work, capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    r = subprocess.run([str(nowan), "risk", "--channels", "utrn-keypad", "--json"], cwd=work,
                       capture_output=True, text=True, env=env, timeout=120)
    assert r.returncode == 0, r.stderr
    loc = subprocess.run([str(py), "-c", "import nowan.model, sys; print(nowan.model.__file__)"],
                         cwd=work, capture_output=True, text=True, env=env, timeout=60)
    assert str(env_dir) in loc.stdout, loc.stdout + loc.stderr
