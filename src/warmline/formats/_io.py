"""Split into records, decoding, reading, fields and writers; `Bad` is `warmline.formats.Bad`."""

# kept until cli/safety moves to warmline.formats.Bad (it imports Bad from here)
from .records import Bad  # noqa: F401
