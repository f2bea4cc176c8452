"""The messages a bot sends: text, buttons, an image, a card, a carousel of cards.

A bot's reply is a list of these, each with a ``type``. The same models validate what content
authors write in intent files, what action servers answer, and what the REST and WebSocket
channels send. Every string is text: channels show it as text, never as HTML.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Annotated, Literal, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

MAX_TEXT_CHARS = 2000
MAX_LABEL_CHARS = 80
MAX_URL_CHARS = 2048
MAX_BUTTONS = 6
MAX_QUICK_REPLIES = 10
MAX_CARDS = 10

LINK_SCHEMES = ("http", "https", "mailto", "tel")
IMAGE_SCHEMES = ("http", "https")


# Validation errors carry a stable type (first argument) so that a reader of content files can
# say them in its authors' language; the English text is for everyone else.


def has_visible_text(text: str) -> bool:
    """Whether ``text`` shows anything: a letter, a digit, a punctuation mark or a symbol.

    Spaces, control and format characters (zero-width spaces and joiners, byte-order marks) and
    combining marks on their own show nothing: a text made of them is as empty as ``""``.
    """
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)


def _visible(text: str) -> str:
    if not has_visible_text(text):
        raise PydanticCustomError("blank-text", "must not be blank")
    return text


def _url(schemes: tuple[str, ...]) -> AfterValidator:
    allowed = ", ".join(f"{scheme}:" for scheme in schemes)

    def check(url: str) -> str:
        if url.startswith("/") and not url.startswith("//"):
            return url  # a path on the bot's own server
        if any(character.isspace() or ord(character) < 32 for character in url):
            raise PydanticCustomError("url-spaces", "a link must not contain spaces or control characters")
        scheme = urlsplit(url).scheme.lower()
        if scheme not in schemes or url[len(scheme) + 1 :] in ("", "//"):
            raise PydanticCustomError(
                "url-scheme",
                "must be a link starting with {schemes} or '/'",
                {"schemes": allowed, "url": url[:60]},
            )
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
            raise PydanticCustomError("button-target", "a button has either a payload or a url")
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

AnyMessage = TextMessage | ButtonsMessage | ImageMessage | CardMessage | CarouselMessage
MESSAGE: TypeAdapter[AnyMessage] = TypeAdapter(Message)
MESSAGES: TypeAdapter[list[AnyMessage]] = TypeAdapter(list[Message])


def text_form(message: AnyMessage) -> str:
    """The message as plain text, for a terminal, a log or a client that shows only text.

    Buttons read ``[label]`` (a link adds its address), an image its alt text, a carousel's cards
    are numbered.
    """
    match message:
        case TextMessage():
            return message.text
        case ButtonsMessage():
            return "\n".join([message.text, _buttons_line(message.buttons)])
        case ImageMessage():
            return f"[image : {message.alt}]"
        case CardMessage():
            return _card_text(message)
        case CarouselMessage():
            return "\n".join(f"{number}. {_card_text(card)}" for number, card in enumerate(message.cards, 1))


def _card_text(card: Card) -> str:
    lines = [card.title]
    if card.text:
        lines.append(card.text)
    if card.image:
        lines.append(f"[image : {card.image.alt}]")
    if card.buttons:
        lines.append(_buttons_line(card.buttons))
    return "\n".join(lines)


def _buttons_line(buttons: list[Button]) -> str:
    return " ".join(f"[{button.label}]" + (f" ({button.url})" if button.url else "") for button in buttons)


def texts_of(message: AnyMessage) -> list[str]:
    """Every text a person reads or sends in ``message`` (not its links), in order."""
    found: list[str] = []

    def collect(text: str) -> str:
        found.append(text)
        return text

    map_texts(message, collect)
    return found


def map_texts(message: AnyMessage, change: Callable[[str], str]) -> AnyMessage:
    """A copy of ``message`` with ``change`` applied to each of its texts (texts, titles, labels,
    payloads, alt texts, quick replies); links are left as they are."""
    match message:
        case TextMessage():
            return message.model_copy(
                update={"text": change(message.text), "quick_replies": [change(r) for r in message.quick_replies]}
            )
        case ButtonsMessage():
            return message.model_copy(
                update={"text": change(message.text), "buttons": [_button(b, change) for b in message.buttons]}
            )
        case ImageMessage():
            return message.model_copy(update={"alt": change(message.alt)})
        case CardMessage():
            return _card(message, change)
        case CarouselMessage():
            return message.model_copy(update={"cards": [_card(card, change) for card in message.cards]})


_C = TypeVar("_C", bound=Card)


def _button(button: Button, change: Callable[[str], str]) -> Button:
    return button.model_copy(
        update={"label": change(button.label), "payload": None if button.payload is None else change(button.payload)}
    )


def _card(card: _C, change: Callable[[str], str]) -> _C:
    return card.model_copy(
        update={
            "title": change(card.title),
            "text": None if card.text is None else change(card.text),
            "image": None if card.image is None else card.image.model_copy(update={"alt": change(card.image.alt)}),
            "buttons": [_button(b, change) for b in card.buttons],
        }
    )
