"""Shell: what the blocking shell (`sqcore.Client`, `sqcore.Job`, `sqcore.wait_all`, ...) and
the asyncio shell (`sqcore.aio`) share: finding the key and host (`config`), a client's
settings, transport and clock (`base`), a job handle and its cache (`handle`), the handles
of a wait on many jobs (`watching`), and running an operation of the engine but for its
sending and sleeping (`steps`), which each shell's driver does its own way.
"""
