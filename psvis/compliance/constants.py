"""Numbers fixed by the regulation, in one place, each with its article."""

from __future__ import annotations

import datetime as dt

#: Art. 17(4): footage is kept at least 30 days.
MIN_RETENTION_DAYS = 30
#: Art. 28: the regulation is in force from this day.
IN_FORCE_DATE = dt.date(2016, 10, 1)
#: Art. 13: systems built before the regulation must be filed within 90 days of it.
FILING_PERIOD_DAYS = 90
#: Art. 13 + 28: last day a pre-existing system may be filed (2016-10-01 + 90 days).
FILING_DEADLINE = IN_FORCE_DATE + dt.timedelta(days=FILING_PERIOD_DAYS)
#: Art. 15: written notice at least 3 days before removal.
REMOVAL_NOTICE_DAYS = 3
