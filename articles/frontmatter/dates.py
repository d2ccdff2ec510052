"""Publication times as real archives write them."""

import datetime as dt
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

_FORMATS = (
    "%Y-%m-%d %H:%M:%S %z",  # Hexo: 2021-11-12 16:04:09 +0800 (YAML leaves it a string)
    "%Y-%m-%d %H:%M %z",
    "%Y/%m/%d %H:%M:%S",  # 2019/5/3 9:05:00
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
)


def parse_datetime(value, tz: ZoneInfo) -> dt.datetime | None:
    """An aware datetime for `value`, or None when it cannot be read. Naive times are in `tz`."""
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime.combine(value, dt.time())
    elif isinstance(value, str):
        parsed = _parse_string(value.strip())
    else:
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    return parsed


def _parse_string(text: str) -> dt.datetime | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            return dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)  # RFC 2822 / 1123: Fri, 12 Nov 2021 08:04:09 GMT
    except (TypeError, ValueError, IndexError):
        return None
