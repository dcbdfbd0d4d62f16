/* The table of clock sources: discovery of all of them and their generic report. */
#ifndef CP_TIME_SOURCES_H
#define CP_TIME_SOURCES_H
#include "clocksource.h"

enum source_id { SRC_TSC, SRC_HPET, SRC_PMTIMER, SRC_PIT, SRC_RTC, SRC_KVMCLOCK, SRC_HYPERV, SRC_APIC, SRC_COUNT };

extern struct clocksource sources[SRC_COUNT];

/* Run every driver's discover, then print <src>.present, nominal_hz, width and provenance. */
void sources_discover(void);
struct clocksource *source_by_name(const char *name);

#endif
