"""The messages a bot sends: text, buttons, an image, a card, a carousel of cards.

A bot's reply is a list of these, each with a ``type``. The same models validate what content
authors write in intent files, what action servers answer, and what the REST and WebSocket
channels send. Every string is text: channels show it as text, never as HTML.
"""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

MAX_TEXT_CHARS = 2000
MAX_LABEL_CHARS = 80
MAX_URL_CHARS = 2048
MAX_BUTTONS = 6
MAX_QUICK_REPLIES = 10
MAX_CARDS = 10

LINK_SCHEMES = ("http", "https", "mailto", "tel")
IMAGE_SCHEMES = ("http", "https")


def _visible(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be blank")
    return text


def _url(schemes: tuple[str, ...]) -> AfterValidator:
    def check(url: str) -> str:
        if url.startswith("/") and not url.startswith("//"):
            return url  # a path on the bot's own server
        scheme = urlsplit(url).scheme.lower()
        if scheme not in schemes:
            raise ValueError(f"must be a link starting with {', '.join(s + ':' for s in schemes)} or '/'")
        return url

    return AfterValidator(check)


Text = Annotated[str, Field(min_length=1, max_length=MAX_TEXT_CHARS), AfterValidator(_visible)]
Label = Annotated[str, Field(min_length=1, max_length=MAX_LABEL_CHARS), AfterValidator(_visible)]
LinkUrl = Annotated[str, Field(min_length=1, max_length=MAX_URL_CHARS), _url(LINK_SCHEMES)]
ImageUrl = Annotated[str, Field(min_length=1, max_length=MAX_URL_CHARS), _url(IMAGE_SCHEMES)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Button(_Strict):
    """A button: its ``payload`` is sent back as the visitor's message, or its ``url`` is opened."""

    label: Label
    payload: Text | None = Field(default=None, description="sent back as the visitor's message when clicked")
    url: LinkUrl | None = Field(default=None, description="an http(s), mailto: or tel: link opened when clicked")

    @model_validator(mode="after")
    def _one_target(self) -> Button:
        if (self.payload is None) == (self.url is None):
            raise ValueError("a button has either a payload or a url")
        return self


class Image(_Strict):
    """An image and the French text that replaces it for those who cannot see it."""

    url: ImageUrl
    alt: Label = Field(description="what the image shows, in words (required)")


class Card(_Strict):
    """A title, a text, an optional image and buttons."""

    title: Label
    text: Text | None = None
    image: Image | None = None
    buttons: list[Button] = Field(default_factory=list, max_length=MAX_BUTTONS)


class TextMessage(_Strict):
    """A text, with optional quick replies: labels sent back as the visitor's message."""

    type: Literal["text"] = "text"
    text: Text
    quick_replies: list[Label] = Field(default_factory=list, max_length=MAX_QUICK_REPLIES)


class ButtonsMessage(_Strict):
    """A text followed by buttons."""

    type: Literal["buttons"] = "buttons"
    text: Text
    buttons: list[Button] = Field(min_length=1, max_length=MAX_BUTTONS)


class ImageMessage(_Strict):
    """An image on its own."""

    type: Literal["image"] = "image"
    url: ImageUrl
    alt: Label = Field(description="what the image shows, in words (required)")


class CardMessage(Card):
    """One card."""

    type: Literal["card"] = "card"


class CarouselMessage(_Strict):
    """Cards side by side."""

    type: Literal["carousel"] = "carousel"
    cards: list[Card] = Field(min_length=1, max_length=MAX_CARDS)


Message = Annotated[
    TextMessage | ButtonsMessage | ImageMessage | CardMessage | CarouselMessage,
    Field(discriminator="type"),
]
