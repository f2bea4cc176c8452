"""The ``causette`` command's exit codes, which scripts and CI rely on."""

EXIT_CONTENT_ERROR = 2  # the bot's files are broken, or its model cannot be used
EXIT_WARNINGS = 1  # check --strict: the content loads, but lint found something
EXIT_TEST_FAILURES = 1
EXIT_USAGE = 2  # the same code argparse uses for bad arguments
