/* Local APIC timer register dictionary (Intel SDM vol. 3A, 11.5.4 "APIC Timer" and table 11-6
 * for the x2APIC MSR map) and the pure decoding shared by time/apic.c and the host unit tests.
 * IA32_APIC_BASE and its fields live in arch/x86/msr.h. No hardware access here. */
#ifndef CP_TIME_APIC_H
#define CP_TIME_APIC_H
#include <stdint.h>

/* xAPIC MMIO offsets from the APIC base. In x2APIC mode the same register is
 * MSR 0x800 + offset / 16 (X2APIC_MSR). */
#define APIC_ID                 0x020
#define APIC_VERSION            0x030
#define APIC_SVR                0x0f0 /* Spurious Interrupt Vector Register */
#define   APIC_SVR_SW_ENABLE        (1u << 8)  /* APIC Software Enable/Disable */
#define APIC_LVT_TIMER          0x320
#define   APIC_LVT_VECTOR_MASK      0xffu
#define   APIC_LVT_MASKED           (1u << 16) /* no interrupt: we only read the count */
#define   APIC_LVT_TIMER_MODE_MASK  (3u << 17)
#define   APIC_LVT_TIMER_ONESHOT    (0u << 17)
#define   APIC_LVT_TIMER_PERIODIC   (1u << 17) /* reload the initial count at 0 */
#define   APIC_LVT_TIMER_TSC_DEADLINE (2u << 17)
#define APIC_TMICT              0x380 /* Initial Count */
#define APIC_TMCCT              0x390 /* Current Count, read only, counts down */
#define APIC_TDCR               0x3e0 /* Divide Configuration: bits 3, 1, 0 */
#define   APIC_TDCR_DIV_1           0xbu
#define   APIC_TDCR_BITS            0xbu

#define X2APIC_MSR_BASE         0x800u
#define X2APIC_MSR(offset)      (X2APIC_MSR_BASE + ((offset) >> 4))

#define APIC_TIMER_BITS         32
#define APIC_TMICT_FULL         0xffffffffu /* with periodic reload: a period of exactly 2^32 ticks */

/* Divisor selected by a Divide Configuration value: bits 3,1,0 form n; 0b111 = 1, else 2^(n+1). */
static inline unsigned apic_tdcr_divisor(uint32_t tdcr)
{
	unsigned n = ((tdcr >> 1) & 4u) | (tdcr & 3u);

	return n == 7 ? 1u : 2u << n;
}

#endif
