/* CMOS RTC (Motorola MC146818 and compatibles) as a clock source, and the EFI GetTime()
 * report that is compared with it. Register dictionary from the MC146818A datasheet;
 * decoding in time/rtc_decode.c. */
#ifndef CP_TIME_RTC_H
#define CP_TIME_RTC_H
#include <stdbool.h>
#include <stdint.h>

#define RTC_INDEX_PORT       0x70
#define   RTC_INDEX_NMI_DISABLE (1u << 7) /* bit 7 of the index written to 0x70 */
#define RTC_DATA_PORT        0x71

#define RTC_REG_SECONDS      0x00
#define RTC_REG_MINUTES      0x02
#define RTC_REG_HOURS        0x04
#define RTC_REG_DAY_OF_MONTH 0x07
#define RTC_REG_MONTH        0x08
#define RTC_REG_YEAR         0x09 /* two digits; the century lives at the FADT CENTURY index */
#define RTC_REG_A            0x0a
#define   RTC_A_UIP            (1u << 7) /* update in progress: set 244 us before the update */
#define RTC_REG_B            0x0b
#define   RTC_B_SET            (1u << 7) /* updates inhibited: the clock does not advance */
/*        RTC_B_DM (bit 2) and RTC_B_24H (bit 1): time/rtc_decode.h */
#define RTC_REG_C            0x0c
#define RTC_REG_D            0x0d
#define   RTC_D_VRT            (1u << 7) /* valid RAM and time: the battery kept power */

#define RTC_NOMINAL_UHZ      1000000ULL /* one count per second */

/* A second edge: the seconds register changed between two reads. The edge lies between
 * tsc_lo (TSC before the last read that still showed the old second) and tsc_hi (TSC after
 * the read that showed the new one). */
struct rtc_edge {
	uint64_t tsc_lo, tsc_hi;
	uint64_t unix_s; /* decoded time just after the edge */
};

/* Wait (bounded) for the next second edge. False on timeout, on a read that does not
 * decode, or when the RTC is absent; wait_last_failure() or the source's reason says why. */
bool rtc_wait_edge_bracket(uint64_t timeout_us, struct rtc_edge *e);
/* The same, with the edge stamped at the middle of its bracket. */
bool rtc_wait_edge(uint64_t timeout_us, uint64_t *tsc_at_edge, uint64_t *unix_s);

/* Test hook (config rtc_set_unix=N, QEMU only: it changes the machine's clock): rtc_discover
 * first writes this time into the RTC (status B SET protocol, in the RTC's own data and hour
 * mode, century register included), so a date crossing such as 2099 -> 2100 can be observed.
 * QEMU 7.2's -rtc base= cannot reach 2099 (it keeps the offset from host time in an int).
 * 0 = off. */
void rtc_set_test_time(uint64_t unix_s);
/* Test hook (config rtc_edge_race=1): rtc_discover lets one second edge pass between its
 * first read and its edge wait, as a host slow to serve the read's port accesses does. */
void rtc_set_edge_race(bool on);
/* Test hook (config rtc_edge_stall_cycles=N): the clock-source read that sees a second edge
 * takes N more TSC cycles before its latch, as a read that waits for the hypervisor's lock at
 * the edge does (multi-threaded TCG: 38-44 us at times). */
void rtc_set_edge_stall(uint64_t cycles);

/* time/efitime.c: efi.unix_s and efi.time.utc from the GetTime() result efi_main kept. */
struct fw_info;
void efitime_report(const struct fw_info *fw);

#endif
