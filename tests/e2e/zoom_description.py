#!/usr/bin/env python3
"""Writes Zoom's published API description, patched to serve as the end-to-end test's Zoom API.

Usage: zoom_description.py SOURCE DEST

Stoplight Prism serves it (run.sh). Prism keeps no state and answers each operation with the
description's examples, so the patches make those answers the ones the app expects from Zoom
today; each says why. The first two are the ones the contract tests make too
(tests/common/prism.rs): only request-body schemas are left exactly as published.
"""
import json
import sys

MEETING_NUMBER = 85746065432
# Zoom's link forms: /j/ joins (the patient's), /s/ starts as the host (never stored or shown).
JOIN_URL = f"https://zoom.us/j/{MEETING_NUMBER}?pwd=e2e"
START_URL = f"https://zoom.us/s/{MEETING_NUMBER}?zak=e2e-host"
# The account the OAuth test peer signs in as: Prism answers GET /users/me for every token.
EMAIL = "dr.lee@clinic.example"


def main() -> int:
    source, dest = sys.argv[1], sys.argv[2]
    with open(source) as f:
        spec = json.load(f)

    # Zoom takes the token as `Authorization: Bearer`, not the 2021 file's `?access_token=`.
    # Swagger 2 has no bearer scheme: an API key in the Authorization header is what Prism checks.
    assert spec["securityDefinitions"]["global"]["in"] == "query", "Zoom's description changed"
    spec["securityDefinitions"]["global"] = {"type": "apiKey", "in": "header", "name": "Authorization"}

    # Zoom answers the meeting number as a 64-bit integer (the file says string).
    paths = spec["paths"]
    for schema in (
        paths["/users/{userId}/meetings"]["post"]["responses"]["201"]["schema"],
        paths["/meetings/{meetingId}"]["get"]["responses"]["200"]["schema"],
    ):
        id_field = schema["allOf"][0]["properties"]["id"]
        assert id_field["type"] == "string", f"Zoom's description changed: {id_field}"
        schema["allOf"][0]["properties"]["id"] = {"type": "integer", "format": "int64", "example": MEETING_NUMBER}

    # Examples where the file has none, in the forms Zoom answers: Prism's default for a string
    # is "string", which is neither a link nor an e-mail address.
    meeting = spec["definitions"]["MeetingInfo"]["properties"]
    meeting["join_url"]["example"] = JOIN_URL
    meeting["start_url"]["example"] = START_URL
    spec["definitions"]["User"]["properties"]["email"]["example"] = EMAIL

    with open(dest, "w") as f:
        json.dump(spec, f)
    return 0


if __name__ == "__main__":
    sys.exit(main())
