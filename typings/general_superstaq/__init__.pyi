# Hand-written stub: only what sqcore's compatibility tests and benchmarks use of upstream
# general-superstaq, which CI does not install.
from general_superstaq import job as job
from general_superstaq import models as models
from general_superstaq import superstaq_client as superstaq_client
from general_superstaq.superstaq_exceptions import SuperstaqException as SuperstaqException
from general_superstaq.superstaq_exceptions import (
    SuperstaqServerException as SuperstaqServerException,
)

__version__: str
