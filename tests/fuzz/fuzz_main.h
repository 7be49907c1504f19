/* fuzz_main.h - what every libFuzzer target of tests/fuzz/ starts with.
 *
 * libFuzzer supplies main() (it fuzzes, or replays the files it is given:
 * tests/fuzz.sh replays the regressions and seeds that way); a target
 * supplies LLVMFuzzerTestOneInput and, where it needs one,
 * LLVMFuzzerInitialize.  What the four targets shared by copy lives here:
 * the refusal to build with fault injection (an allocation that fails on
 * purpose would look like a bug) and CHECK(), which aborts naming the
 * target and the invariant so libFuzzer keeps the input as a crash.
 *
 * Define FUZZ_TARGET ("fuzz_csv", ...) before including this file.
 */
#ifndef HEDUI_FUZZ_MAIN_H
#define HEDUI_FUZZ_MAIN_H

#if defined(HEDUI_FAULT_BUILD) || defined(ENGINE_FAULTINJ_H)
#error "fuzz targets are built without fault injection (src/base/faultinj.h)"
#endif

#ifndef FUZZ_TARGET
#error "define FUZZ_TARGET before including fuzz_main.h"
#endif

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, FUZZ_TARGET ": invariant broken at %s:%d: %s\n", __FILE__,  \
                    __LINE__, #cond);                                                  \
            abort();                                                                   \
        }                                                                              \
    } while (0)

#endif
