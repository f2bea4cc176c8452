"""Natural-language understanding: content files -> dataset -> trained model -> parse result.

nlu knows nothing of sessions, HTTP or WebSocket.
"""

from nlu.backends import Backend, available_backends, get_backend
from nlu.bot import Bot, content_files, load_bot
from nlu.config import BotConfig
from nlu.dataset import Dataset, Intent
from nlu.errors import ContentError, ModelError, Problem
from nlu.model import Model, ModelInfo, default_model_dir, load_or_train, train
from nlu.parse_result import IntentGuess, ParseResult, Slot

__all__ = [
    "Backend",
    "Bot",
    "BotConfig",
    "ContentError",
    "Dataset",
    "Intent",
    "IntentGuess",
    "Model",
    "ModelError",
    "ModelInfo",
    "ParseResult",
    "Problem",
    "Slot",
    "available_backends",
    "content_files",
    "default_model_dir",
    "get_backend",
    "load_bot",
    "load_or_train",
    "train",
]
