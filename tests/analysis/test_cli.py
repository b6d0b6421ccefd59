"""The attunement-analyse command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from attunement.analysis import cli
from attunement.analysis.result import AnalysisResult

SCRIPT = Path(sys.executable).parent / "attunement-analyse"


def test_json_has_every_key(videos, capsys):
    assert cli.main([str(videos("learner_leads")["path"]), "--preset", "short", "--surrogates", "50", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"engine_version", "video", "regions", "motion", "synchrony", "vocal", "moments", "parameters"} <= set(
        result
    )
    assert {"duration_s", "fps", "width", "height"} <= set(result["video"])
    assert {"learner", "partner"} <= set(result["regions"])
    for who in ("learner", "partner"):
        assert {"mean", "moving_proportion", "values"} <= set(result["motion"][who])
    sync = result["synchrony"]
    assert {"overall_z", "lag0_z", "best_lag_s", "leader", "effect_size", "p_value", "windows"} <= set(sync)
    assert sync["leader"] in ("learner", "partner", "neither")
    assert {"start_s", "end_s", "peak_z", "peak_lag_s", "lag0_z"} <= set(sync["windows"][0])
    vocal = result["vocal"]
    assert {"segments", "vocal_time_s", "detector", "pauses", "exchanges", "chains", "longest_chain"} <= set(vocal)
    assert {"start_s", "end_s", "speaker", "confidence"} <= set(vocal["segments"][0])
    assert {"start_s", "end_s", "why"} <= set(result["moments"][0])
    assert {"beyond_chance", "follow_delay_s"} <= set(sync) and sync["beyond_chance"] is True
    assert result["parameters"]["details"]["synchrony"]["surrogates"] == 50
    assert AnalysisResult.from_json(result).to_json() == result  # the printed JSON is the stored result


def test_summary_without_json(videos, capsys):
    path = str(videos("learner_leads")["path"])
    assert cli.main([path, "--preset", "short", "--surrogates", "20"]) == 0
    out = capsys.readouterr().out
    assert "Synchrony:" in out and "Leads: learner" in out and "Vocal" in out and "Watch first" in out


def test_a_text_file_is_a_one_line_error(tmp_path, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    assert cli.main([str(text), "--json"]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("error: ") and captured.err.count("\n") == 1


def test_a_bad_region_is_refused(videos, capsys):
    with pytest.raises(SystemExit) as stopped:
        cli.main([str(videos("learner_leads")["path"]), "--learner-region", "1,2,3"])
    assert stopped.value.code == 2
    capsys.readouterr()
    assert cli.main([str(videos("learner_leads")["path"]), "--learner-region", "900,0,10,10"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.skipif(not SCRIPT.exists(), reason="attunement-analyse is not installed (pip install -e .)")
def test_installed_script(videos, tmp_path):
    done = subprocess.run(
        [str(SCRIPT), str(videos("independent-11")["path"]), "--preset", "short", "--surrogates", "20", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["video"]["width"] == 320
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    failed = subprocess.run([str(SCRIPT), str(text)], capture_output=True, text=True, timeout=60)
    assert failed.returncode != 0
    assert failed.stdout == "" and len(failed.stderr.strip().splitlines()) == 1
