"""Conversation tests: YAML files in a bot's ``tests/`` folder, run against a trained model.

A test is a conversation: user turns, each with what the bot must do (intent, response, contexts,
slots). ``spec`` reads and checks the files, ``runner`` plays them, ``report`` and ``junit`` tell the
results to a person and to a CI server.
"""

from dialogue.conversation_tests.junit import junit_xml
from dialogue.conversation_tests.report import Paint, outcome_lines, summary_line
from dialogue.conversation_tests.runner import ConversationOutcome, Mismatch, TurnOutcome, run_conversations
from dialogue.conversation_tests.spec import (
    ConversationCase,
    TurnCase,
    conversation_test_files,
    load_conversation_tests,
)

__all__ = [
    "ConversationCase",
    "ConversationOutcome",
    "Mismatch",
    "Paint",
    "TurnCase",
    "TurnOutcome",
    "conversation_test_files",
    "junit_xml",
    "load_conversation_tests",
    "outcome_lines",
    "run_conversations",
    "summary_line",
]
