/* i8254 PIT register dictionary (Intel 82C54 datasheet; port 0x61 bits as in Intel PCH
 * datasheets, "NMI Status and Control") and the pure decoding shared by time/pit.c and the host
 * unit tests. Channel 2 is the one software may use freely: its gate and output are wired to
 * port 0x61 rather than to an interrupt. No hardware access here. */
#ifndef CP_TIME_PIT_H
#define CP_TIME_PIT_H
#include <stdint.h>

#define PIT_FREQ_HZ             1193182u /* 14.31818 MHz / 12 */
#define PIT_COUNTER_BITS        16

#define PIT_COUNTER0            0x40  /* system timer (firmware's tick) */
#define PIT_COUNTER2            0x42  /* ours */
#define PIT_CONTROL             0x43  /* Control Word Register, write only */
#define   PIT_CW_SC_COUNTER2        (2u << 6) /* SC1:SC0 select counter 2 */
#define   PIT_CW_RW_LATCH           (0u << 4) /* RW1:RW0 = 00: Counter Latch Command */
#define   PIT_CW_RW_LSB_MSB         (3u << 4) /* RW1:RW0 = 11: low byte then high byte */
#define   PIT_CW_MODE0              (0u << 1) /* interrupt on terminal count: OUT rises at 0 */
#define   PIT_CW_MODE2              (2u << 1) /* rate generator: N..1 by 1, reload */
#define   PIT_CW_MODE3              (3u << 1) /* square wave: decrements by 2, never for counting */
#define   PIT_CW_BCD                (1u << 0) /* 0 = 16-bit binary */
/* Latch counter 2: later reads of PIT_COUNTER2 return its value at this instant (0x80). */
#define PIT_LATCH_COUNTER2      (PIT_CW_SC_COUNTER2 | PIT_CW_RW_LATCH)
/* Counter 2, mode 2, binary, count written low then high byte (0xb4). */
#define PIT_CW2_MODE2           (PIT_CW_SC_COUNTER2 | PIT_CW_RW_LSB_MSB | PIT_CW_MODE2)
/* Counter 2, mode 0, binary (0xb0). */
#define PIT_CW2_MODE0           (PIT_CW_SC_COUNTER2 | PIT_CW_RW_LSB_MSB | PIT_CW_MODE0)
/* Initial count 0 means 65536: the full 16-bit range, so the count wraps like a plain counter. */
#define PIT_RELOAD_FULL         0u

#define PIT_NMI_SC              0x61  /* NMI Status and Control (AT "port B") */
#define   PIT_NMI_SC_TIM_CNT2_EN    (1u << 0) /* gate of counter 2 */
#define   PIT_NMI_SC_SPKR_DAT_EN    (1u << 1) /* speaker data: keep 0 (silence) */
#define   PIT_NMI_SC_WRITABLE       0x0fu     /* bits 7:4 are read-only status */
#define   PIT_NMI_SC_REF_TOGGLE     (1u << 4) /* refresh toggle: flips on every read under TCG */
#define   PIT_NMI_SC_TMR2_OUT_STS   (1u << 5) /* OUT of counter 2 */

/* The two bytes a latched read returns, low first, as the 16-bit count. */
static inline uint16_t pit_latch_value(uint8_t lo, uint8_t hi)
{
	return (uint16_t)(lo | (unsigned)hi << 8);
}

/* Port 0x61 value that gates counter 2 on with the speaker silent, keeping the NMI enables. */
static inline uint8_t pit_nmi_sc_gate_on(uint8_t nmi_sc)
{
	return (uint8_t)((nmi_sc & PIT_NMI_SC_WRITABLE & ~PIT_NMI_SC_SPKR_DAT_EN) |
			 PIT_NMI_SC_TIM_CNT2_EN);
}

#endif
