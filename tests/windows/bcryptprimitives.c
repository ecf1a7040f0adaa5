/* A stand-in for Windows' bcryptprimitives.dll, for running the Windows build under Debian's
 * Wine 8 only (tests/windows/smoke.py). Rust's standard library draws its random numbers from
 * ProcessPrng in that DLL, which Wine 8 lacks; real Windows 10 and 11 have it, and the
 * installer never ships this file. */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    return RtlGenRandom(data, (ULONG)len);
}
