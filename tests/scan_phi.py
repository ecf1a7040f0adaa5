#!/usr/bin/env python3
"""Fails when any patient detail the tests use appears in a request sent to a provider.

    tests/scan_phi.py PROVIDER_REQUESTS_LOG

The stand-in Zoom and Graph of tests/common/standin.rs append every request they receive (method,
URL, body) to $FRONTDESK_PROVIDER_REQUESTS during the whole Rust test run; this searches that
record for the names, e-mail addresses, phone numbers, dates of birth and notes of the patients
the tests book telehealth visits for. Only initials may be there.
"""
import pathlib
import re
import sys

# tests/meetings.rs (PATIENT) and tests/contract.rs.
PATIENT_DETAILS = [
    "Juniper", "Quintessa", "Delacroix", "juniper.delacroix@mail.example", "416 555 0199",
    "1984-02-29", "penicillin", "Jane Doe",
]


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    log = pathlib.Path(sys.argv[1])
    if not log.exists():
        print(f"PHI scan: {log} is missing: the provider stand-in recorded no request", file=sys.stderr)
        return 1
    text = log.read_text(encoding="utf-8", errors="replace")
    requests = len(re.findall(r"^(?:GET|POST|PATCH|DELETE) ", text, flags=re.MULTILINE))
    found = [d for d in PATIENT_DETAILS if d.lower() in text.lower()]
    for detail in found:
        print(f"PHI {log}: contains the patient detail {detail!r}")
    print(f"PHI scan: {requests} requests to providers searched for {len(PATIENT_DETAILS)} patient details: {len(found)} found")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
