"""JUnit XML, the report format CI servers read: one suite per test file, one case per conversation."""

from __future__ import annotations

from collections import defaultdict
from xml.etree import ElementTree

from dialogue.conversation_tests.report import failure_lines
from dialogue.conversation_tests.runner import ConversationOutcome


def junit_xml(outcomes: list[ConversationOutcome], suite_name: str) -> bytes:
    """The JUnit XML document (UTF-8) for a run of conversation tests."""
    by_file: dict[str, list[ConversationOutcome]] = defaultdict(list)
    for outcome in outcomes:
        by_file[outcome.case.file].append(outcome)
    root = ElementTree.Element("testsuites", {"name": suite_name, **_counts(outcomes)})
    for file, file_outcomes in by_file.items():
        suite = ElementTree.SubElement(root, "testsuite", {"name": file, **_counts(file_outcomes)})
        for outcome in file_outcomes:
            _testcase(suite, outcome)
    ElementTree.indent(root)
    document: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return document


def _counts(outcomes: list[ConversationOutcome]) -> dict[str, str]:
    return {
        "tests": str(len(outcomes)),
        "failures": str(sum(not o.passed for o in outcomes)),
        "errors": "0",
        "time": f"{sum(o.seconds for o in outcomes):.3f}",
    }


def _testcase(suite: ElementTree.Element, outcome: ConversationOutcome) -> None:
    case = outcome.case
    element = ElementTree.SubElement(
        suite,
        "testcase",
        name=case.name,
        classname=case.file.removesuffix(".yaml").removesuffix(".yml"),
        file=case.file,
        line=str(case.line),
        time=f"{outcome.seconds:.3f}",
    )
    if (failure := outcome.failure) is not None:
        first = failure.mismatches[0]
        message = f"turn at line {failure.case.line}: {first.what}: expected {first.expected}, got {first.got}"
        ElementTree.SubElement(element, "failure", message=message, type="ConversationMismatch").text = "\n".join(
            failure_lines(outcome)
        )
