"""The AI channel and its parts: context, tool loop, resilience, steering, skills, memory."""

from roomkit.channels.ai.channel import AIChannel
from roomkit.channels.ai.memory import MemoryProvider, MemoryResult, SlidingWindowMemory
from roomkit.channels.ai.resilience import FallbackAIProvider, RetryingAIProvider
from roomkit.channels.ai.skills import (
    NoScriptExecutor,
    ScriptExecutor,
    ScriptResult,
    Skill,
    SkillError,
    SkillPathError,
    SkillRegistry,
)
from roomkit.channels.ai.steering import (
    Cancel,
    InjectMessage,
    SteeringDirective,
    UpdateSystemPrompt,
)
from roomkit.channels.ai.streaming import StreamSink
from roomkit.channels.ai.tools import (
    ToolCallInfo,
    ToolDecision,
    ToolHandler,
    ToolHooks,
    ToolPolicy,
    ToolRound,
)
from roomkit.models.policy import RetryPolicy

__all__ = [
    "AIChannel",
    "Cancel",
    "FallbackAIProvider",
    "InjectMessage",
    "MemoryProvider",
    "MemoryResult",
    "NoScriptExecutor",
    "RetryPolicy",
    "RetryingAIProvider",
    "ScriptExecutor",
    "ScriptResult",
    "Skill",
    "SkillError",
    "SkillPathError",
    "SkillRegistry",
    "SlidingWindowMemory",
    "SteeringDirective",
    "StreamSink",
    "ToolCallInfo",
    "ToolDecision",
    "ToolHandler",
    "ToolHooks",
    "ToolPolicy",
    "ToolRound",
    "UpdateSystemPrompt",
]
