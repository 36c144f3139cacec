"""AI providers: the interface, its models and the mock.

Vendor providers need the ``http`` extra and are imported from their modules:
``roomkit.providers.ai.anthropic``, ``.openai`` and ``.gemini``.
"""

from roomkit.providers.ai.base import (
    AIContext,
    AIImagePart,
    AIMessage,
    AIProvider,
    AIResponse,
    AITextPart,
    AIThinkingPart,
    AITool,
    AIToolCall,
    AIToolCallPart,
    AIToolResultPart,
    ProviderError,
    StreamDone,
    StreamEvent,
    StreamTextDelta,
    StreamThinkingDelta,
    StreamToolCall,
)
from roomkit.providers.ai.mock import MockAIProvider

__all__ = [
    "AIContext",
    "AIImagePart",
    "AIMessage",
    "AIProvider",
    "AIResponse",
    "AITextPart",
    "AIThinkingPart",
    "AITool",
    "AIToolCall",
    "AIToolCallPart",
    "AIToolResultPart",
    "MockAIProvider",
    "ProviderError",
    "StreamDone",
    "StreamEvent",
    "StreamTextDelta",
    "StreamThinkingDelta",
    "StreamToolCall",
]
