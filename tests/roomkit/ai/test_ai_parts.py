"""Skills, memory, steering queues and the text stream, on their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from roomkit.channels.ai import (
    AIChannel,
    Cancel,
    InjectMessage,
    NoScriptExecutor,
    ScriptExecutor,
    ScriptResult,
    Skill,
    SkillError,
    SkillPathError,
    SkillRegistry,
    SlidingWindowMemory,
)
from roomkit.channels.ai.skills import SkillToolset
from roomkit.channels.ai.steering import LoopSteering
from roomkit.channels.ai.streaming import TextStream
from roomkit.providers.ai.base import AIToolResultPart
from roomkit.providers.ai.mock import MockAIProvider
from tests.roomkit.ai.helpers import answer, body, calls, room, said

REVIEW = Skill("code-review", "Review code for bugs", "1. Read the diff.\n2. Be kind.")


def write_skill(root: Path, name: str, description: str = "Does things") -> Path:
    directory = root / name
    (directory / "references").mkdir(parents=True)
    (directory / "scripts").mkdir()
    (directory / "SKILL.md").write_text(
        f"---\nname: {name}\ndescription: '{description}'\nlicense: MIT\n---\n# Steps\nDo it.\n"
    )
    (directory / "references" / "guide.md").write_text("the guide")
    (directory / "scripts" / "run.sh").write_text("echo hi")
    return directory


async def test_skill_activation_through_the_channel() -> None:
    """The prompt lists skills; the model activates one and reads its instructions."""
    provider = MockAIProvider([calls(("activate_skill", {"name": "code-review"})), "Reviewed."])
    ai = AIChannel("ai", provider, system_prompt="Base.", skills=[REVIEW])
    output = await answer(ai, said("review this"))
    first = provider.calls[0]
    assert first.system_prompt is not None and first.system_prompt.startswith("Base.")
    assert '<skill name="code-review">' in first.system_prompt
    assert "cannot be run" in first.system_prompt
    assert [t.name for t in first.tools] == ["activate_skill", "read_skill_reference"]
    result = provider.calls[1].messages[-1].content[0]
    assert isinstance(result, AIToolResultPart)
    assert json.loads(result.result)["instructions"] == REVIEW.instructions
    assert body(output) == "Reviewed."


async def test_default_executor_refuses_scripts() -> None:
    """Without an executor run_skill_script is not offered, and a call is refused."""
    provider = MockAIProvider([calls(("run_skill_script", {"skill_name": "code-review"})), "ok"])
    ai = AIChannel("ai", provider, skills=[REVIEW])
    await answer(ai, said("run"))
    result = provider.calls[1].messages[-1].content[0]
    assert isinstance(result, AIToolResultPart) and result.is_error
    refusal = await NoScriptExecutor().execute(REVIEW, "run.sh")
    assert not refusal.success and "disabled" in refusal.stderr


async def test_a_real_executor_enables_scripts(tmp_path: Path) -> None:
    """With an executor the tool is offered and gets the resolved script."""

    class Echo(ScriptExecutor):
        async def execute(
            self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
        ) -> ScriptResult:
            path = skill.resolve_script(script_name)
            return ScriptResult(exit_code=0, stdout=path.read_text(), success=True)

    registry = SkillRegistry([Skill.from_directory(write_skill(tmp_path, "runner"))])
    toolset = SkillToolset(registry, Echo())
    assert [t.name for t in toolset.tools()][-1] == "run_skill_script"
    answer_ = await toolset.call(
        "run_skill_script", {"skill_name": "runner", "script_name": "run.sh"}
    )
    assert json.loads(answer_)["stdout"] == "echo hi"


def test_skills_from_directories(tmp_path: Path) -> None:
    """discover() reads SKILL.md front matter, references and scripts."""
    write_skill(tmp_path, "alpha")
    write_skill(tmp_path, "beta-two", "Second <skill>")
    registry = SkillRegistry()
    assert registry.discover(tmp_path) == 2
    alpha = registry.get_skill("alpha")
    assert alpha is not None and alpha.instructions == "# Steps\nDo it."
    assert alpha.list_references() == ["guide.md"] and alpha.list_scripts() == ["run.sh"]
    assert alpha.read_reference("guide.md") == "the guide"
    assert "Second &lt;skill&gt;" in registry.to_prompt_xml()


def test_paths_cannot_escape_the_skill(tmp_path: Path) -> None:
    """'..', absolute paths and symlinks out of the skill are refused."""
    skill = Skill.from_directory(write_skill(tmp_path, "safe"))
    (tmp_path / "secret.txt").write_text("s3cret")
    (skill.path / "references" / "link.md").symlink_to(tmp_path / "secret.txt")  # type: ignore[operator]
    for name in ("../../secret.txt", str(tmp_path / "secret.txt"), "link.md"):
        with pytest.raises(SkillPathError):
            skill.read_reference(name)


def test_invalid_skills(tmp_path: Path) -> None:
    """Bad names, missing descriptions and mismatched directories are refused."""
    with pytest.raises(SkillError):
        Skill("Not Kebab", "d", "i")
    with pytest.raises(SkillError):
        Skill("ok", "", "i")
    directory = write_skill(tmp_path, "named")
    directory.rename(tmp_path / "renamed")
    with pytest.raises(SkillError):
        Skill.from_directory(tmp_path / "renamed")
    registry = SkillRegistry([REVIEW])
    with pytest.raises(SkillError):
        registry.register(REVIEW)


async def test_unknown_skill_lists_the_available_ones() -> None:
    """Activating a missing skill tells the model which exist."""
    toolset = SkillToolset(SkillRegistry([REVIEW]), NoScriptExecutor())
    reply = json.loads(await toolset.call("activate_skill", {"name": "nope"}))
    assert reply["available"] == ["code-review"]


async def test_sliding_window_keeps_the_newest() -> None:
    """The window holds the last max_events events, oldest first."""
    events = [said(str(i)) for i in range(5)]
    result = await SlidingWindowMemory(max_events=2).retrieve("r", events[-1], room(events))
    assert [e.content for e in result.events] == [events[3].content, events[4].content]
    with pytest.raises(ValueError):
        SlidingWindowMemory(max_events=0)


def test_loop_steering_queue() -> None:
    """Directives queue in order; Cancel trips the event instead of queueing."""
    steering = LoopSteering()
    steering.push(InjectMessage(content="a"))
    steering.push(Cancel(reason="stop"))
    steering.push(InjectMessage(content="b"))
    assert steering.cancelled and steering.cancel_reason == "stop"
    assert [d.content for d in steering.drain()] == ["a", "b"]  # type: ignore[attr-defined]
    assert steering.drain() == []


async def test_text_stream() -> None:
    """Pushed text comes out in order; close ends it; an error is raised at the end."""
    stream = TextStream()
    stream.push("a")
    stream.push("")
    stream.push("b")
    stream.close()
    stream.push("ignored")
    assert [t async for t in stream] == ["a", "b"]
    failing = TextStream()
    failing.push("x")
    failing.close(RuntimeError("boom"))
    seen = []
    with pytest.raises(RuntimeError):
        async for text in failing:
            seen.append(text)
    assert seen == ["x"]
