"""Agent skills: packaged instructions the model loads on demand.

A :class:`Skill` has a kebab-case ``name``, a ``description`` (what the model sees up
front) and ``instructions`` (loaded only when the model calls ``activate_skill``). A skill
read from a directory (``SKILL.md`` with ``name:`` / ``description:`` front matter) may
also hold ``references/`` files the model can read and ``scripts/`` an integrator may let
it run.

Running scripts is never on by default: :class:`NoScriptExecutor` refuses everything, and
``run_skill_script`` is only offered to the model when a real :class:`ScriptExecutor` is
given. Names that come from the model are resolved inside the skill's directory; a path
that escapes it (``..``, an absolute path, a symlink) raises :class:`SkillPathError`.
"""

from __future__ import annotations

import html
import json
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from roomkit.providers.ai.base import AITool

_NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

ACTIVATE = "activate_skill"
READ_REFERENCE = "read_skill_reference"
RUN_SCRIPT = "run_skill_script"
# Tools that only read: a ToolPolicy never filters them (running a script it does).
READ_ONLY_TOOLS = frozenset({ACTIVATE, READ_REFERENCE})


class SkillError(Exception):
    """A skill that cannot be loaded or used."""


class SkillPathError(SkillError, ValueError):
    """A file name that would leave the skill's directory."""


@dataclass(frozen=True, slots=True)
class Skill:
    """One skill. ``path`` is its directory, when it came from one."""

    name: str
    description: str
    instructions: str
    path: Path | None = None

    def __post_init__(self) -> None:
        if not (1 <= len(self.name) <= 64 and _NAME.match(self.name)):
            raise SkillError(f"skill name {self.name!r} must be kebab-case, 1-64 characters")
        if not 1 <= len(self.description) <= 1024:
            raise SkillError(f"skill {self.name!r} needs a description of 1-1024 characters")

    @classmethod
    def from_directory(cls, directory: str | Path) -> Skill:
        """Load ``directory/SKILL.md``; its ``name`` must match the directory's."""
        path = Path(directory)
        try:
            text = (path / "SKILL.md").read_text(encoding="utf-8")
        except OSError as exc:
            raise SkillError(f"cannot read {path / 'SKILL.md'}: {exc}") from exc
        meta, body = _front_matter(text)
        if meta.get("name") != path.name:
            raise SkillError(f"{path}: front matter name {meta.get('name')!r} != {path.name!r}")
        return cls(meta["name"], meta.get("description", ""), body.strip(), path.resolve())

    def _inside(self, folder: str, filename: str) -> Path:
        if self.path is None:
            raise FileNotFoundError(f"skill {self.name!r} has no {folder}")
        base = self.path / folder
        # The folder itself could be a symlink out of the skill: resolve it as well.
        resolved_base = base.resolve()
        target = (base / filename).resolve()
        if not resolved_base.is_relative_to(self.path) or not target.is_relative_to(resolved_base):
            raise SkillPathError(f"{filename!r} is not inside {folder}/ of skill {self.name!r}")
        if not target.is_file():
            raise FileNotFoundError(f"skill {self.name!r} has no {folder}/{filename}")
        return target

    def _list(self, folder: str) -> list[str]:
        if self.path is None or not (self.path / folder).is_dir():
            return []
        return sorted(p.name for p in (self.path / folder).iterdir() if p.is_file())

    def list_references(self) -> list[str]:
        """File names in ``references/``."""
        return self._list("references")

    def list_scripts(self) -> list[str]:
        """File names in ``scripts/``."""
        return self._list("scripts")

    def read_reference(self, filename: str) -> str:
        """The text of ``references/filename``."""
        return self._inside("references", filename).read_text(encoding="utf-8")

    def resolve_script(self, script_name: str) -> Path:
        """The checked path of ``scripts/script_name`` — what an executor should run."""
        return self._inside("scripts", script_name)


def _front_matter(text: str) -> tuple[dict[str, str], str]:
    """Flat ``key: value`` front matter between ``---`` lines, and the body after it."""
    match = re.match(r"^---\r?\n(.*?)\r?\n---\r?\n?(.*)$", text, re.DOTALL)
    if match is None:
        raise SkillError("SKILL.md must start with front matter between '---' lines")
    meta: dict[str, str] = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip():
            meta[key.strip()] = value.strip().strip("'\"")
    return meta, match.group(2)


class SkillRegistry:
    """The skills an AI channel offers, by name."""

    def __init__(self, skills: Iterable[Skill] = ()) -> None:
        self._skills: dict[str, Skill] = {}
        for skill in skills:
            self.register(skill)

    def register(self, skill: Skill | str | Path) -> Skill:
        """Add a skill, or load one from its directory. Names must be unique."""
        loaded = skill if isinstance(skill, Skill) else Skill.from_directory(skill)
        if loaded.name in self._skills:
            raise SkillError(f"a skill named {loaded.name!r} is already registered")
        self._skills[loaded.name] = loaded
        return loaded

    def discover(self, *roots: str | Path) -> int:
        """Register every subdirectory of ``roots`` holding a ``SKILL.md``; how many."""
        count = 0
        for root in map(Path, roots):
            if not root.is_dir():
                raise SkillError(f"skills directory {root} does not exist")
            for directory in sorted(p for p in root.iterdir() if (p / "SKILL.md").is_file()):
                self.register(directory)
                count += 1
        return count

    def get_skill(self, name: str) -> Skill | None:
        """The skill called ``name``, if registered."""
        return self._skills.get(name)

    def skills(self) -> list[Skill]:
        """Every registered skill, in registration order."""
        return list(self._skills.values())

    def to_prompt_xml(self) -> str:
        """The ``<available_skills>`` block for the system prompt, HTML-escaped."""
        entries = "".join(
            f'  <skill name="{html.escape(s.name)}">\n'
            f"    <description>{html.escape(s.description)}</description>\n  </skill>\n"
            for s in self._skills.values()
        )
        return f"<available_skills>\n{entries}</available_skills>"


@dataclass(frozen=True, slots=True)
class ScriptResult:
    """What running a skill script produced."""

    exit_code: int
    stdout: str = ""
    stderr: str = ""
    success: bool = False


class ScriptExecutor(ABC):
    """Runs skill scripts. Sandboxing, interpreters and timeouts are the integrator's."""

    @abstractmethod
    async def execute(
        self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
    ) -> ScriptResult:
        """Run ``script_name`` of ``skill``; resolve it with :meth:`Skill.resolve_script`."""


class NoScriptExecutor(ScriptExecutor):
    """The default: runs nothing and says so."""

    async def execute(
        self, skill: Skill, script_name: str, arguments: dict[str, str] | None = None
    ) -> ScriptResult:
        return ScriptResult(
            exit_code=126,
            stderr="script execution is disabled: no ScriptExecutor is configured",
            success=False,
        )


_PREAMBLE = (
    "You have skills: packaged instructions for specific tasks. When a task matches a "
    f"skill's description, call {ACTIVATE} with its name before answering."
)


class SkillToolset:
    """The built-in skill tools, served by the channel itself."""

    def __init__(self, registry: SkillRegistry, executor: ScriptExecutor) -> None:
        self.registry = registry
        self.executor = executor

    @property
    def can_run_scripts(self) -> bool:
        return not isinstance(self.executor, NoScriptExecutor)

    def prompt(self) -> str:
        """What the system prompt gains: the preamble and the catalogue."""
        note = "" if self.can_run_scripts else " Skill scripts cannot be run here."
        return f"{_PREAMBLE}{note}\n{self.registry.to_prompt_xml()}"

    def tools(self) -> list[AITool]:
        tools = [
            _tool(ACTIVATE, "Load the full instructions of a skill.", name="string"),
            _tool(READ_REFERENCE, "Read a reference file of a skill.", skill_name="string",
                  filename="string"),
        ]  # fmt: skip
        if self.can_run_scripts:
            tools.append(
                _tool(RUN_SCRIPT, "Run a script of a skill.", skill_name="string",
                      script_name="string", arguments="object")
            )  # fmt: skip
        return tools

    def handles(self, name: str) -> bool:
        return name in (ACTIVATE, READ_REFERENCE, RUN_SCRIPT)

    async def call(self, name: str, arguments: dict[str, Any]) -> str:
        skill_name = arguments.get("name" if name == ACTIVATE else "skill_name", "")
        skill = self.registry.get_skill(str(skill_name))
        if skill is None:
            available = [s.name for s in self.registry.skills()]
            return json.dumps({"error": f"Unknown skill {skill_name!r}", "available": available})
        if name == ACTIVATE:
            return json.dumps(
                {
                    "name": skill.name,
                    "instructions": skill.instructions,
                    "references": skill.list_references(),
                    "scripts": skill.list_scripts(),
                }
            )
        if name == READ_REFERENCE:
            try:
                return skill.read_reference(str(arguments.get("filename", "")))
            except (SkillError, FileNotFoundError) as exc:
                return json.dumps({"error": str(exc), "references": skill.list_references()})
        result = await self.executor.execute(
            skill, str(arguments.get("script_name", "")), arguments.get("arguments") or None
        )
        return json.dumps(
            {"exit_code": result.exit_code, "stdout": result.stdout, "stderr": result.stderr,
             "success": result.success}
        )  # fmt: skip


def _tool(tool_name: str, description: str, /, **properties: str) -> AITool:
    schema = {
        "type": "object",
        "properties": {key: {"type": kind} for key, kind in properties.items()},
        "required": [k for k, kind in properties.items() if kind != "object"],
    }
    return AITool(name=tool_name, description=description, parameters=schema)
