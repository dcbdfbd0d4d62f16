/* Inter-processor interrupts from the boot CPU's local APIC: the Interrupt Command Register
 * (Intel SDM vol. 3A 11.6.1) for INIT and Start-up IPIs. xAPIC: two 32-bit MMIO registers,
 * writing the low one sends, Delivery Status says when the APIC accepted it. x2APIC: one
 * 64-bit write of MSR 0x830 (SDM 11.12.9), no Delivery Status. Mode and base come from
 * IA32_APIC_BASE, as in time/apic.c. */
#ifndef CP_X86_IPI_H
#define CP_X86_IPI_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define APIC_ICR_LOW            0x300
#define   APIC_ICR_VECTOR_MASK      0xffu
#define   APIC_ICR_DM_INIT          (5u << 8)
#define   APIC_ICR_DM_STARTUP       (6u << 8) /* vector = page number of the start-up code */
#define   APIC_ICR_DELIVERY_PENDING (1u << 12) /* xAPIC only */
#define   APIC_ICR_LEVEL_ASSERT     (1u << 14)
#define APIC_ICR_HIGH           0x310
#define   APIC_ICR_XAPIC_DEST_SHIFT 24        /* 8-bit destination in bits 63:56 */
#define X2APIC_ICR_DEST_SHIFT   32            /* 32-bit x2APIC ID in bits 63:32 */
#define XAPIC_MAX_DEST_ID       0xfeu         /* 0xff is the broadcast address */

/* Find this CPU's local APIC; false with the reason in why. Call before ipi_send. */
bool ipi_setup(char *why, size_t why_len);
bool ipi_x2apic(void);
/* Send one IPI (ICR low half: delivery mode, level, vector) to apic_id. False with the
 * reason if the ID cannot be addressed, the access faulted or delivery stayed pending. */
bool ipi_send(uint32_t apic_id, uint32_t icr_low, char *why, size_t why_len);

#endif
