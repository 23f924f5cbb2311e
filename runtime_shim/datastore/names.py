"""File names of the datastore layout that engines read straight from the store.

The Step Functions machine reads a task's record and a foreach split's item list
from S3 itself, so the compiler needs these names too. They live apart from ``layout``
so that importing them costs the compiler nothing (``layout`` loads pickle, zlib and
hashlib).
"""

# A task's record is its key plus this suffix: STEP/TASK.json.
RECORD_SUFFIX = ".json"
# A task's commit marker before the one-record layout: STEP/TASK/committed.json.
LEGACY_COMMITTED = "committed.json"
FOREACH_ITEMS = "foreach.json"
