"""The window benchmarks' clinic (scripts/bench): 40 doctors, 600 visits a day (15 each, 8:00 to
15:30) yesterday, today and tomorrow, and 100,000 patients, in a data folder set up as a clinic
sets one up: the command line for the clinic, its staff, types and visits (Zoom visits, each with
its meeting job), and `bench_patients` (examples/) for the patients in one transaction.

Usage (in a D-Bus session with a keyring, see scripts/bench):
    clinic.py CLI BENCH_PATIENTS DATA_DIR
"""
import datetime
import os
import subprocess
import sys

DOCTORS, PER_DAY, PATIENTS, DAYS = 40, 600, 100_000, (-1, 0, 1)
PIN = "135790"
# A person types a PIN at about a digit every 150 ms (the benchmarks type it so, Enter included).
TYPING_MS = 150


def seed(cli, patients_tool, data):
    env = dict(os.environ, FRONTDESK_DATA_DIR=data)
    run = lambda *a: subprocess.run([cli, *a], env=env, check=True, capture_output=True)
    run("init", "--clinic", "Benchmark Clinic", "--tz", "UTC")
    subprocess.run([cli, "staff", "add", "--name", "Ann Desk", "--role", "receptionist", "--pin", "-"],
                   env=env, check=True, capture_output=True, input=f"{PIN}\n".encode())
    for d in range(DOCTORS):
        run("staff", "add", "--name", f"Dr {d + 1:02}", "--role", "doctor")
    for p in range(60):
        run("patient", "add", "--name", f"Patient {p + 1:03}")
    run("type", "add", "--name", "Consult", "--minutes", "30", "--mode", "zoom")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    per_doctor = PER_DAY // DOCTORS
    for offset in DAYS:
        day = (today + datetime.timedelta(days=offset)).isoformat()
        for d in range(DOCTORS):
            for k in range(per_doctor):
                minutes = 8 * 60 + 30 * k
                run("book", "--patient", str(1 + (d * per_doctor + k) % 60), "--doctor", str(2 + d), "--type", "1",
                    "--at", f"{day}T{minutes // 60:02}:{minutes % 60:02}")
    # The rest of the clinic's patients (Find reads them all), numbered after the first 60.
    subprocess.run([patients_tool, data, str(PATIENTS - 60)], env=env, check=True)


if __name__ == "__main__":
    seed(*sys.argv[1:4])
