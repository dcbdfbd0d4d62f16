; Application processor start-up code (Intel SDM vol. 3A 9.4 MP initialization, 9.9 mode
; switching). A Startup IPI with vector V starts the AP in real mode at V000:0000; this code
; is copied to offset 0 of that page and reads everything it needs from the parameter block
; the BSP wrote at P in the same page (layout: arch/x86/ap_trampoline.h). It goes real mode ->
; 32-bit protected mode -> 64-bit mode on the BSP's page tables and calls entry(arg) on the
; stack given. EBX holds the page's linear address throughout: the code runs wherever the
; firmware gave us a page. It is data here (never executed in place).
bits 16
default abs

%define P          0xf00
%define P_GDTR     0x20
%define P_PM32     0x28
%define P_LM64     0x30
%define P_CR3      0x38
%define P_CR4      0x3c
%define P_EFER     0x40
%define P_CR0      0x44
%define P_STACK    0x48
%define P_ENTRY    0x50
%define P_ARG      0x58
%define P_STAGE    0x60
%define P_CLAIM    0x64
%define STAGE_REAL      1
%define STAGE_PROTECTED 2
%define STAGE_LONG      3
%define SEL_DATA   0x10
%define CR0_PE     1
%define MSR_EFER   0xc0000080

section .rodata
global ap_trampoline_start
global ap_trampoline_end
global ap_trampoline_pm32
global ap_trampoline_lm64

align 16
ap_trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	movzx ebx, ax
	shl ebx, 4
	mov dword [P + P_STAGE], STAGE_REAL
	o32 lgdt [P + P_GDTR]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	jmp dword far [P + P_PM32]

bits 32
ap_trampoline_pm32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov dword [ebx + P + P_STAGE], STAGE_PROTECTED
	mov eax, [ebx + P + P_CR4]
	mov cr4, eax
	mov eax, [ebx + P + P_CR3]
	mov cr3, eax
	mov ecx, MSR_EFER
	mov eax, [ebx + P + P_EFER]
	xor edx, edx
	wrmsr
	mov eax, [ebx + P + P_CR0]
	mov cr0, eax                     ; paging on with EFER.LME: IA-32e (compatibility) mode
	jmp far [ebx + P + P_LM64]

bits 64
ap_trampoline_lm64:
	mov dword [rbx + P + P_STAGE], STAGE_LONG
	mov eax, 1
	xchg eax, [rbx + P + P_CLAIM]    ; implicitly locked
	test eax, eax
	jnz .halt                        ; the page's stack and argument belong to another AP
	mov rsp, [rbx + P + P_STACK]
	mov rdi, [rbx + P + P_ARG]
	mov rax, [rbx + P + P_ENTRY]
	call rax
.halt:
	cli
	hlt
	jmp .halt
ap_trampoline_end:

%if ap_trampoline_end - ap_trampoline_start > P
%error "AP trampoline code overlaps its parameter block"
%endif

section .note.GNU-stack noalloc noexec nowrite progbits
