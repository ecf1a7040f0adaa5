// Reads an iCalendar file with ical.js (Mozilla's parser) and prints its events as JSON:
// uid, summary, start and end as UTC instants, location, url, sequence, and the calendar's method.
//   node tests/peers/ics_events.mjs FILE
import { readFileSync } from "node:fs";
import ICAL from "ical.js";

const calendar = new ICAL.Component(ICAL.parse(readFileSync(process.argv[2], "utf8")));
const events = calendar.getAllSubcomponents("vevent").map((v) => {
  const event = new ICAL.Event(v);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    location: event.location ?? null,
    url: v.getFirstPropertyValue("url") ?? null,
    sequence: event.sequence ?? 0,
  };
});
console.log(JSON.stringify({ method: calendar.getFirstPropertyValue("method") ?? null, events }));
