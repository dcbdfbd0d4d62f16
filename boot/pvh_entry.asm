; PVH entry: the x86/HVM direct boot ABI (Xen's arch-x86/hvm/start_info.h) that QEMU's
; -kernel (through its pvh.bin option ROM), Firecracker and Cloud Hypervisor use. The VMM
; loads build/clockprobe.elf at its physical addresses (1 MiB, linker-pvh.ld) and jumps to
; the address in the XEN_ELFNOTE_PHYS32_ENTRY note with: 32-bit protected mode, paging off,
; flat 4 GiB code and data segments, interrupts off, EBX = physical address of the
; hvm_start_info. Nothing else is promised: no stack, no valid GDT to reload, no zeroed .bss.
;
; Here: zero .bss, build identity-mapped page tables, enter 64-bit mode and call
; pvh_main(start_info) (boot/pvh_main.c) on our own stack. The page tables map
;   0 .. 4 GiB      with 2 MiB pages; 3 GiB .. 4 GiB uncached (PCD|PWT): the MMIO hole with the
;                   HPET (0xfed00000) and the local APIC (0xfee00000), and the 32-bit device
;                   areas of Firecracker and Cloud Hypervisor (both start at 3 GiB)
;   4 .. 512 GiB    with 1 GiB pages when the CPU has them (CPUID 0x80000001 EDX[26]): RAM
;                   and ACPI tables above 4 GiB stay readable
; PML4 entries 1..511 stay not present (cpu.fault_recovery's #PF case needs one).
; The result is stored in pvh_map_limit (bytes mapped from 0) for the C side.
bits 32
default abs

%define XEN_ELFNOTE_PHYS32_ENTRY 18
%define PTE_P        0x001
%define PTE_RW       0x002
%define PTE_PWT      0x008
%define PTE_PCD      0x010
%define PTE_PS       0x080      ; 2 MiB page in a PD entry, 1 GiB page in a PDPT entry
%define CR0_PG       0x80000000
%define CR0_CD       0x40000000
%define CR0_NW       0x20000000
%define CR4_PAE      0x00000020
%define MSR_EFER     0xc0000080
%define EFER_LME     0x00000100
%define CPUID_EXT_MAX   0x80000000
%define CPUID_EXT_FEAT  0x80000001
%define EXT_EDX_1GB_PAGES 26
%define EXT_EDX_LONG_MODE 29
%define SEL_CODE64   0x08
%define SEL_DATA     0x10
%define LOW_PDS      4          ; page directories of 2 MiB pages: 4 x 1 GiB = the first 4 GiB
%define UC_FROM_2M   (3 * 512)  ; first uncached 2 MiB page: 3 GiB
%define STACK_SIZE   0x10000    ; = CPU_STACK_SIZE (arch/x86/cpu.h), the UEFI path's main stack

extern pvh_main
extern __bss_start
extern __bss_end

global pvh_start32
global pvh_entry_tsc
global pvh_map_limit
global pvh_start_info_paddr

; The note the VMM looks for: name "Xen", type 18, the entry's physical address. The
; descriptor is 8 bytes, as in Linux: QEMU reads a 64-bit value from ELF64 notes,
; Firecracker's and Cloud Hypervisor's loaders the low 32 bits.
section .note.Xen note alloc noexec nowrite align=4
	dd 4                            ; namesz: "Xen\0"
	dd 8                            ; descsz
	dd XEN_ELFNOTE_PHYS32_ENTRY
	db "Xen", 0
	dq pvh_start32

section .text.pvh_entry progbits alloc exec nowrite align=16
pvh_start32:
	cli
	cld
	rdtsc                           ; the first thing: fw_info.tsc_entry
	mov [pvh_entry_tsc], eax
	mov [pvh_entry_tsc + 4], edx
	mov [pvh_start_info_paddr], ebx

	; .bss holds the page tables and the stack; a loader need not have zeroed it.
	mov edi, __bss_start
	mov ecx, __bss_end
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	mov esp, pvh_stack + STACK_SIZE

	mov eax, CPUID_EXT_MAX
	cpuid
	cmp eax, CPUID_EXT_FEAT
	jb .no_long_mode
	mov eax, CPUID_EXT_FEAT
	cpuid
	bt edx, EXT_EDX_LONG_MODE
	jnc .no_long_mode
	mov esi, edx                    ; keep the feature bits for the 1 GiB page test

	; PML4[0] -> PDPT; PDPT[0..3] -> the four page directories.
	mov eax, pvh_pdpt + (PTE_P | PTE_RW)
	mov [pvh_pml4], eax
	xor ecx, ecx
.pdpt_low:
	mov eax, ecx
	shl eax, 12
	add eax, pvh_pd + (PTE_P | PTE_RW)
	mov [pvh_pdpt + ecx * 8], eax
	inc ecx
	cmp ecx, LOW_PDS
	jb .pdpt_low

	; 2048 PD entries of 2 MiB each; from 3 GiB on uncached.
	xor ecx, ecx
.pd:
	mov eax, ecx
	shl eax, 21
	or eax, PTE_P | PTE_RW | PTE_PS
	cmp ecx, UC_FROM_2M
	jb .pd_cached
	or eax, PTE_PWT | PTE_PCD
.pd_cached:
	mov [pvh_pd + ecx * 8], eax
	inc ecx
	cmp ecx, LOW_PDS * 512
	jb .pd
	mov dword [pvh_map_limit + 4], LOW_PDS / 4    ; 4 GiB = 0x1_0000_0000

	; 4 GiB .. 512 GiB with 1 GiB pages, if the CPU has them.
	bt esi, EXT_EDX_1GB_PAGES
	jnc .paging
	mov ecx, LOW_PDS
.pdpt_high:
	mov eax, ecx
	shl eax, 30                     ; address bits 31..30
	or eax, PTE_P | PTE_RW | PTE_PS
	mov edx, ecx
	shr edx, 2                      ; address bits 38..32
	mov [pvh_pdpt + ecx * 8], eax
	mov [pvh_pdpt + ecx * 8 + 4], edx
	inc ecx
	cmp ecx, 512
	jb .pdpt_high
	mov dword [pvh_map_limit + 4], 512 / 4        ; 512 GiB = 0x80_0000_0000

.paging:
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, pvh_pml4
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME
	wrmsr
	mov eax, cr0
	and eax, ~(CR0_CD | CR0_NW)     ; caches on, whatever the loader left (reset state has CD, NW)
	or eax, CR0_PG
	mov cr0, eax                    ; long mode active, still running 32-bit code
	lgdt [pvh_gdtr]
	jmp SEL_CODE64:pvh_start64

.no_long_mode:
	; Not an x86-64 CPU: nothing to report with (no serial code in 32-bit mode). Stop.
	cli
	hlt
	jmp .no_long_mode

bits 64
default rel
pvh_start64:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	lea rsp, [pvh_stack + STACK_SIZE]
	xor ebp, ebp
	mov edi, [pvh_start_info_paddr]
	call pvh_main
.hang:
	cli
	hlt
	jmp .hang

section .rodata progbits alloc noexec nowrite align=16
; Temporary GDT until cpu_init() loads the per-CPU one: null, 64-bit code, data.
pvh_gdt:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code, DPL0
	dq 0x00cf92000000ffff           ; 0x10: data
pvh_gdt_end:
pvh_gdtr:
	dw pvh_gdt_end - pvh_gdt - 1
	dd pvh_gdt

section .data progbits alloc noexec write align=8
pvh_entry_tsc:        dq 0           ; TSC at the first instruction
pvh_map_limit:        dq 0           ; bytes identity-mapped from physical 0
pvh_start_info_paddr: dq 0           ; EBX at entry

section .bss nobits alloc noexec write align=4096
alignb 4096
pvh_pml4:  resb 4096
pvh_pdpt:  resb 4096
pvh_pd:    resb LOW_PDS * 4096
alignb 16
pvh_stack: resb STACK_SIZE

section .note.GNU-stack noalloc noexec nowrite progbits
