"""Pure: the engine. Each operation sqcore performs (one request with its retries, a fetch of
many jobs in URL-sized batches, a refresh, a wait on one job, a wait on many, a submission
with its lookup, a cancel, a search) is written once, here, as a generator that yields
effects (`sqcore.engine.effects`) and is sent back their outcomes, as h11 and gidgethub
keep their protocols apart from I/O. Nothing here sends, sleeps, reads a clock, logs or
warns: a driver does (`sqcore._driver` blocks, `sqcore.aio._driver` awaits), and the engine
is tested by feeding it outcomes (tests/engine).

    effects   the effects and their outcomes
    session   what a client knows: its settings, the requests it builds, the words of its faults
    calls     one request with its retries; fetches in batches; cancel; find
    jobs      a job's state, a refresh, a wait on one job
    watch     a wait on many jobs (wait_all, as_completed)
    submit    a submission, and the lookup of a job whose reply was lost
"""
