"""Hostile options on every subcommand: one line on stderr, exit 2, nothing written."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from nowan.reports.cli import cli


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def one_line_exit_2(r) -> str:
    assert r.exit_code == 2, r.output
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("nowan: error:"), r.output
    assert "Traceback" not in r.output and "\x1b" not in r.output
    return lines[0]


CHANNEL_COMMANDS = [("risk",), ("prove",), ("assess", "--budget", "0")]


@pytest.mark.parametrize("cmd", CHANNEL_COMMANDS)
@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "UTRN", "a/b", "x\x1b[2J"])
def test_channel_ids_are_ids_not_paths(cmd: tuple[str, ...], bad: str, tmp_path: Path) -> None:
    extra = ("--out", str(tmp_path / "o")) if cmd[0] == "assess" else ()
    line = one_line_exit_2(run(*cmd, *extra, "--channels", bad))
    assert "--channels" in line and "channel id" in line


@pytest.mark.parametrize("cmd", CHANNEL_COMMANDS + [("fuzz", "--budget", "1")])
@pytest.mark.parametrize("empty", ["", ",", " , "])
def test_an_empty_channel_list_is_an_error(cmd: tuple[str, ...], empty: str, tmp_path: Path) -> None:
    extra = ("--out", str(tmp_path / "o")) if cmd[0] == "assess" else ()
    one_line_exit_2(run(*cmd, *extra, "--channels", empty))


@pytest.mark.parametrize("value", ["nan", "NaN", "inf", "-0.1", "1.5"])
def test_assume_share_rejects_non_finite_and_out_of_range(value: str) -> None:
    line = one_line_exit_2(run("risk", "--channels", "utrn-keypad", "--assume", f"nowan.share={value}"))
    assert "nowan.share" in line


@pytest.mark.parametrize("out", ["/dev/null", "{tmp}/file.txt/out", "{tmp}/" + "x" * 300])
def test_assess_out_must_be_usable_before_the_run(out: str, tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    line = one_line_exit_2(run("assess", "--channels", "utrn-keypad", "--budget", "0",
                               "--out", out.format(tmp=tmp_path)))
    assert "--out" in line


@pytest.mark.parametrize("counter", ["٣", "-1", "0x10000000000000000", "9" * 5000])
def test_counters_are_ascii_and_64_bit(counter: str) -> None:
    line = one_line_exit_2(run("utrn", "generate", "--supplier-key", "k", "--device-cert", "c", "--originator",
                               "90b3d51f30010000", "--counter", counter, "--value", "1", "--class", "pennies"))
    assert "--counter" in line


def test_assess_with_a_hostile_models_dir_name_keeps_reports_clean(tmp_path: Path) -> None:
    import shutil

    from nowan.model.channels.loader import CHANNEL_DIR

    models = tmp_path / "<img src=x onerror=alert(1)>\x1b[2J"
    models.mkdir()
    shutil.copy(CHANNEL_DIR / "utrn-keypad.yaml", models / "utrn-keypad.yaml")
    out = tmp_path / "out"
    r = run("assess", "--models", str(models), "--channels", "utrn-keypad", "--budget", "0", "--out", str(out))
    assert r.exit_code == 0, r.output
    for name in ("index.html", "report.md"):
        text = (out / name).read_text()
        assert "<img" not in text and "\x1b" not in text, name


@pytest.mark.parametrize("budget", ["inf", "nan", "0", "-5", "1e9"])
def test_fuzz_budget_is_finite_and_bounded(budget: str) -> None:
    assert "--budget" in one_line_exit_2(run("fuzz", "--budget", budget))


@pytest.mark.parametrize("option", ["--out", "--db"])
def test_fuzz_outputs_checked_before_the_campaign(option: str) -> None:
    assert option in one_line_exit_2(run("fuzz", "--budget", "600", option, "/dev/null"))


@pytest.mark.parametrize("body", [
    '{"format": "nowan-attack-trace/1", "channel": "utrn-keypad", "steps": [], "assumptions": {"nowan.share": NaN}}',
    '{"format": "nowan-attack-trace/1", "channel": "utrn-keypad", "steps": [], "assumptions": {"nowan.share": -1}}',
    '{"format": "nowan-attack-trace/1", "channel": "utrn-keypad", "steps": [], "assumptions": {"utrn.cache_size": 1e999}}',
    "[" * 100000 + "]" * 100000,
])
def test_replay_trace_numbers_get_the_assume_checks(body: str, tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text(body)
    assert str(f) in one_line_exit_2(run("fuzz", "--replay", str(f)))


@pytest.mark.parametrize("kind", ["fifo", "dir", "binary"])
def test_gbcs_verify_hostile_files(kind: str, tmp_path: Path) -> None:
    import os

    f = tmp_path / "m.HEX"
    if kind == "fifo":
        os.mkfifo(f)
    elif kind == "dir":
        f.mkdir()
    else:
        f.write_bytes(b"\xff\xfe")
    keys = Path(__file__).parents[1] / "data" / "keystore"
    assert str(f) in one_line_exit_2(run("gbcs", "verify", str(f), "--keystore", str(keys)))


def test_replay_trace_channel_is_an_id(tmp_path: Path) -> None:
    f = tmp_path / "t.json"
    f.write_text('{"format": "nowan-attack-trace/1", "channel": "\\u001b]0;PWN\\u0007../../x", "steps": []}')
    line = one_line_exit_2(run("fuzz", "--replay", str(f)))
    assert "channel" in line


def test_report_json_escapes_bidi_and_line_separators() -> None:
    import json

    from nowan.reports.render import render_json

    text = render_json({"t": "a\u202eb\u2028c"})
    assert "\u202e" not in text and "\u2028" not in text and json.loads(text) == {"t": "a\u202eb\u2028c"}


@pytest.mark.parametrize("target", ["fifo", "dir"])
def test_fuzz_sarif_never_replaces_a_special_file(target: str, tmp_path: Path) -> None:
    import os

    f = tmp_path / "x"
    os.mkfifo(f) if target == "fifo" else f.mkdir()
    line = one_line_exit_2(run("fuzz", "--channels", "utrn-keypad", "--budget", "1", "--db", "none",
                               "--out", str(tmp_path / "o"), "--sarif", str(f)))
    assert "--sarif" in line


@pytest.mark.parametrize("param", ["utrn.cache_size: -5", "nowan.share: -1.0", "lockout.max_failures: .inf",
                                   "lockout.covers_han: x", "lockout.window_s: '9**9'"])
def test_channel_parameters_shadowing_assumptions_are_checked(param: str, tmp_path: Path) -> None:
    import shutil

    from nowan.model.channels.loader import CHANNEL_DIR

    m = tmp_path / "m"
    m.mkdir()
    shutil.copy(CHANNEL_DIR / "utrn-keypad.yaml", m / "utrn-keypad.yaml")
    with (m / "utrn-keypad.yaml").open("a") as fh:
        fh.write(f"parameters: {{{param}}}\n")
    line = one_line_exit_2(run("risk", "--models", str(m), "--channels", "utrn-keypad"))
    assert "parameters" in line


@pytest.mark.parametrize("expr", ["(min('a'*999999999)<'b')*2", "'a'*10**12", "'%1999999999d' % 1"])
def test_string_arithmetic_in_expressions_is_refused(expr: str) -> None:
    from nowan.model.channels import exprs

    with pytest.raises(exprs.ExprError, match="arithmetic"):
        exprs.number(expr, {})


def test_a_replay_that_would_run_for_ever_is_cut_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    import nowan.attacks.replay as replay_mod
    import nowan.reports.cli.fuzz as fuzz_cli

    monkeypatch.setattr(fuzz_cli, "REPLAY_SECONDS", 1)
    monkeypatch.setattr(replay_mod, "replay", lambda *a, **k: time.sleep(30))
    f = tmp_path / "t.json"
    f.write_text('{"format": "nowan-attack-trace/1", "channel": "utrn-keypad", "steps": []}')
    t0 = time.monotonic()
    line = one_line_exit_2(run("fuzz", "--replay", str(f)))
    assert "longer than 1 s" in line and time.monotonic() - t0 < 20


@pytest.fixture
def no_campaign(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if a campaign starts: the option must be refused before it."""
    import nowan.reports.cli.fuzz as fuzz_cli

    def ran(*args: object, **kw: object) -> None:
        raise AssertionError("the campaign ran before the option was checked")

    monkeypatch.setattr(fuzz_cli, "run_campaign", ran)


def _fifo_folder(tmp: Path) -> str:
    folder = tmp / "with-fifo"
    folder.mkdir()
    os.mkfifo(folder / "pipe")  # carried over, it would be read for ever
    return str(folder)


@pytest.mark.parametrize("out, expected", [
    ("/proc/self", "proc filesystem"), ("/proc", "proc filesystem"), ("/sys/kernel", "sysfs"),
    ("/dev", "devtmpfs"), ("{fifo}", "not a file (a device, FIFO or socket)"),
])
@pytest.mark.parametrize("cmd", [("fuzz", "--budget", "600", "--db", "none"),
                                 ("assess", "--examples", "0", "--no-pdf", "--channels", "utrn-keypad")])
def test_an_unusable_out_is_refused_before_the_run(out: str, expected: str, cmd: tuple[str, ...], tmp_path: Path,
                                                   no_campaign: None, monkeypatch: pytest.MonkeyPatch) -> None:
    if out.startswith(("/proc", "/sys", "/dev")) and not Path(out).is_dir():
        pytest.skip(f"{out} is not on this machine")
    import nowan.reports.pipeline as pipeline

    monkeypatch.setattr(pipeline, "assess", lambda *a, **k: (_ for _ in ()).throw(AssertionError("assess ran")))
    line = one_line_exit_2(run(*cmd, "--out", out.format(fifo=_fifo_folder(tmp_path))))
    assert "--out" in line and expected in line


@pytest.mark.parametrize("db", ["github://a b/c", "github://../../etc", "github://-/x", "github://a/..",
                                "github://a/b?token=1", "github://a/b/c/d", "github://o/r/art\x1b[2J"])
def test_a_github_database_of_the_wrong_form_is_refused_before_the_campaign(db: str, no_campaign: None,
                                                                           tmp_path: Path) -> None:
    line = one_line_exit_2(run("fuzz", "--budget", "600", "--out", str(tmp_path / "o"), "--db", db))
    assert "--db" in line and "github://OWNER/REPO[/ARTIFACT]" in line


def test_the_default_database_folder_is_checked_before_the_campaign(no_campaign: None, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".nowan").write_text("a file where the database folder's parent belongs")
    line = one_line_exit_2(run("fuzz", "--budget", "600", "--out", str(tmp_path / "o")))
    assert "--db .nowan/fuzz-db" in line


@pytest.mark.parametrize("bad, expected", [
    ("zz", "expected hexadecimal digits"),
    ("0011", "not a GBCS frame a seed can be"),
    ("dir", "expected a file holding a GBCS frame"),
])
def test_a_bad_seed_entry_is_named_not_skipped(bad: str, expected: str, tmp_path: Path, no_campaign: None) -> None:
    data = Path(__file__).parents[1] / "data"
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    good = next((data / "rtds").rglob("*_COMMAND_GBCS.HEX"))
    (seeds / good.name).write_bytes(good.read_bytes())
    entry = seeds / "bad.HEX"
    if bad == "dir":
        entry.mkdir()
    else:
        entry.write_text(bad)
    line = one_line_exit_2(run("fuzz", "--channels", "gbcs-envelope", "--budget", "600", "--out", str(tmp_path / "o"),
                               "--seeds", str(seeds), "--keystore", str(data / "keystore")))
    assert "bad.HEX" in line and expected in line


@pytest.mark.parametrize("option, value", [("--workers", "100000"), ("--workers", "0"), ("--samples", "99999999999"),
                                           ("--trajectories", "99999999")])
def test_robustness_counts_are_bounded(option: str, value: str) -> None:
    # 100,000 workers would fork 100,000 processes; 1e11 samples would ask numpy for 45 TiB
    assert option in one_line_exit_2(run("robustness", "--channels", "utrn-keypad", option, value))


@pytest.mark.parametrize("cmd", [("diff", "{fifo}", "{fifo}"),
                                 ("assess", "--channels", "utrn-keypad", "--examples", "0", "--no-pdf",
                                  "--out", "{tmp}/o", "--baseline", "{fifo}"),
                                 ("assess", "--channels", "utrn-keypad", "--examples", "0", "--no-pdf",
                                  "--out", "{tmp}/o", "--tracking", "{fifo}")])
def test_a_fifo_where_a_report_or_decision_file_belongs_is_one_line(cmd: tuple[str, ...], tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # a plain read would block for ever
    line = one_line_exit_2(run(*(a.format(fifo=fifo, tmp=tmp_path) for a in cmd)))
    assert str(fifo) in line and "not a regular file" in line
