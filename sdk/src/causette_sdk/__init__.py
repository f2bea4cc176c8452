"""Causette's action protocol for action servers: messages, requests and responses, signatures."""

from causette_sdk.messages import (
    Button,
    ButtonsMessage,
    Card,
    CardMessage,
    CarouselMessage,
    Image,
    ImageMessage,
    Message,
    TextMessage,
)
from causette_sdk.protocol import (
    PROTOCOL_VERSION,
    ActionRequest,
    ActionResponse,
    ContextChange,
    ContextInfo,
    HistoryTurn,
    IntentInfo,
    SlotInfo,
)
from causette_sdk.signature import SIGNATURE_HEADER, SignatureError, SignatureVerifier, sign

__all__ = [
    "PROTOCOL_VERSION",
    "SIGNATURE_HEADER",
    "ActionRequest",
    "ActionResponse",
    "Button",
    "ButtonsMessage",
    "Card",
    "CardMessage",
    "CarouselMessage",
    "ContextChange",
    "ContextInfo",
    "HistoryTurn",
    "Image",
    "ImageMessage",
    "IntentInfo",
    "Message",
    "SignatureError",
    "SignatureVerifier",
    "SlotInfo",
    "TextMessage",
    "sign",
]
