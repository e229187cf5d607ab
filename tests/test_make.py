"""The Makefile's demo serves links in e-mails from the port it really runs on."""

import pathlib
import shutil
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_demo_on_another_port_sends_links_to_that_port():
    commands = subprocess.run(
        ["make", "-n", "demo", "PORT=8123"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = next(line for line in commands.splitlines() if "runserver" in line)
    assert "SITE_URL=${SITE_URL:-http://127.0.0.1:8123}" in serve and serve.endswith("127.0.0.1:8123")
