"""Pure: the core. It maps values to values: no I/O, no clock, no environment, no sleeping,
logging or warning (tests/test_purity.py checks this folder's imports).

    models      the wire models (msgspec Structs, enums) and the status rules, as data
    status      decisions over circuit statuses: overall status, terminal, failure summary
    waiting     wait decisions, backoff intervals, changes and progress
    retry       the retry policy: backoff and jitter, Retry-After, retry or give up
    errors      the public exceptions and warning, failure values, faults and their exceptions
    endpoints   the API's URLs, the hosts that may get the key, ids in URL-sized batches
    arguments   checks of what callers pass, raising the documented errors
    wire        requests built, reply statuses classified, cancel and create replies read
    replies     fetch replies read: statuses alone (a poll), or every field
    query       find_jobs' query, its URL and reply; a lost submission's advice
"""
