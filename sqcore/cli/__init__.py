"""Shell: the command line, `python -m sqcore` or `sqcore` (`main`), its terminal output
(`output`), and the demo on a local emulator (`demo`)."""
