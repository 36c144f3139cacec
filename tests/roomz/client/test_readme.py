"""The README's programs run as printed: a reader copies them into a file and runs it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def snippet_after(heading: str) -> str:
    """The first ```python block after ``heading`` in README.md."""
    text = (ROOT / "README.md").read_text()
    found = re.search(re.escape(heading) + r".*?```python\n(.*?)```", text, re.S)
    assert found is not None, f"no python block after {heading!r}"
    return found.group(1)


def test_the_ai_snippet_is_a_whole_program(tmp_path: Path) -> None:
    program = tmp_path / "ai.py"
    program.write_text(snippet_after("### An AI in the room"))
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, str(program)], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "assistant: Happy to help" in done.stdout
    assert "roomkit.providers.ai.mock" in snippet_after("### An AI in the room")


def test_the_bot_filter_skips_its_own_messages() -> None:
    code = snippet_after('`on("message")` fires for')
    compile(code, "README", "exec")
    assert 'm["user"]["id"] == client.user["id"]' in code
