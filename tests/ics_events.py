#!/usr/bin/env python3
"""Reads an iCalendar file with the `icalendar` package and prints its events as JSON (uid,
summary, start and end as UTC instants, location, url, sequence, and the calendar's method), the
same shape as tests/peers/ics_events.mjs prints with ical.js.

    tests/ics_events.py FILE
"""
import datetime
import json
import sys

import icalendar


def utc(value) -> str:
    instant = value.dt.astimezone(datetime.timezone.utc)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def main() -> int:
    with open(sys.argv[1], "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    events = []
    for event in calendar.walk("VEVENT"):
        events.append({
            "uid": str(event.get("UID")),
            "summary": str(event.get("SUMMARY")),
            "start": utc(event.get("DTSTART")),
            "end": utc(event.get("DTEND")),
            "location": str(event["LOCATION"]) if "LOCATION" in event else None,
            "url": str(event["URL"]) if "URL" in event else None,
            "sequence": int(event.get("SEQUENCE", 0)),
        })
    method = calendar.get("METHOD")
    print(json.dumps({"method": str(method) if method else None, "events": events}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
