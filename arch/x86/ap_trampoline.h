/* Layout of the AP start-up page (arch/x86/ap_trampoline.asm) and the control-register bits
 * it loads. The code is copied to offset 0 of a page below 1 MiB (the SIPI vector is its page
 * number); the parameter block the BSP fills sits at AP_TRAMP_PARAMS in the same page.
 * The asm file repeats these offsets as %defines: keep them in sync (checked in smp.c). */
#ifndef CP_X86_AP_TRAMPOLINE_H
#define CP_X86_AP_TRAMPOLINE_H
#include <stdint.h>

#define AP_TRAMP_PAGE_BYTES     4096
#define AP_TRAMP_PARAMS         0xf00 /* code must end before this */

/* Progress the AP writes into `stage` (a stuck AP is reported with how far it got). */
#define AP_STAGE_NONE           0 /* nothing executed yet */
#define AP_STAGE_REAL           1 /* first instruction in real mode */
#define AP_STAGE_PROTECTED      2 /* 32-bit protected mode, paging off */
#define AP_STAGE_LONG           3 /* 64-bit mode on the BSP's page tables */

/* Selectors of the trampoline's own GDT. */
#define AP_TRAMP_SEL_CODE32     0x08
#define AP_TRAMP_SEL_DATA       0x10
#define AP_TRAMP_SEL_CODE64     0x18

/* Intel SDM vol. 3A 2.5 (CR0, CR4) and 2.2.1 (IA32_EFER). */
#define X86_CR0_PE              (1u << 0)
#define X86_CR0_NW              (1u << 29)
#define X86_CR0_CD              (1u << 30)
#define X86_CR0_PG              (1u << 31)
#define X86_CR4_PSE             (1u << 4)
#define X86_CR4_PAE             (1u << 5)
#define X86_CR4_PGE             (1u << 7)
#define X86_CR4_OSFXSR          (1u << 9)
#define X86_CR4_OSXMMEXCPT      (1u << 10)
#define X86_CR4_LA57            (1u << 12)
#define X86_CR4_PCIDE           (1u << 17)
#define MSR_IA32_EFER           0xc0000080u
#define   EFER_LME                (1u << 8)
#define   EFER_LMA                (1u << 10) /* set by the CPU when paging turns on with LME */
#define   EFER_NXE                (1u << 11)

/* CR4 bits the AP copies from the BSP before paging is on: the ones that change how the
 * BSP's page tables are read (LA57 must be set before paging; PCIDE cannot be set without
 * long mode, so it and everything else stays off). */
#define AP_CR4_COPIED (X86_CR4_PSE | X86_CR4_PAE | X86_CR4_PGE | X86_CR4_LA57 | X86_CR4_OSFXSR | \
		       X86_CR4_OSXMMEXCPT)

struct ap_far_ptr {
	uint32_t offset;
	uint16_t sel;
	uint16_t pad;
} __attribute__((packed));

struct ap_tramp_params {
	uint64_t gdt[4];               /* 0x00: null, code32, data, code64 */
	uint16_t gdtr_limit;           /* 0x20: lgdt operand, 32-bit base */
	uint32_t gdtr_base;
	uint16_t pad0;
	struct ap_far_ptr pm32;        /* 0x28: jump into protected mode */
	struct ap_far_ptr lm64;        /* 0x30: jump into 64-bit mode */
	uint32_t cr3;                  /* 0x38: the BSP's page tables, below 4 GiB */
	uint32_t cr4;                  /* 0x3c */
	uint32_t efer;                 /* 0x40: low half; LME set, LMA clear */
	uint32_t cr0;                  /* 0x44: PG and PE set, CD and NW clear */
	uint64_t stack_top;            /* 0x48 */
	uint64_t entry;                /* 0x50: void entry(void *arg), SysV ABI */
	uint64_t arg;                  /* 0x58 */
	uint32_t stage;                /* 0x60: AP_STAGE_*, written by the AP */
	uint32_t claim;                /* 0x64: first AP in 64-bit mode swaps in 1; a late one halts */
} __attribute__((packed));

#define AP_P_GDTR       0x20
#define AP_P_PM32       0x28
#define AP_P_LM64       0x30
#define AP_P_CR3        0x38
#define AP_P_CR4        0x3c
#define AP_P_EFER       0x40
#define AP_P_CR0        0x44
#define AP_P_STACK      0x48
#define AP_P_ENTRY      0x50
#define AP_P_ARG        0x58
#define AP_P_STAGE      0x60
#define AP_P_CLAIM      0x64

/* The trampoline image (arch/x86/ap_trampoline.asm), copied to the page at run time. */
extern const char ap_trampoline_start[], ap_trampoline_end[];
extern const char ap_trampoline_pm32[], ap_trampoline_lm64[];

#endif
