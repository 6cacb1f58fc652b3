"""Sub-commands of the ``backendgen`` command line beyond ``new`` and ``schema``.

Each module offers ``add_parsers(commands)``, which registers its sub-commands on the
``argparse`` sub-parsers object, and the handlers those parsers name through
``set_defaults(handler=...)``; a handler takes the parsed arguments and returns the exit code.
"""
