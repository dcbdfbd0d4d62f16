; Exception entry stubs, stack switch, descriptor loads and fault-safe accessors.
; Everything here is position independent (rip-relative): the EFI loader relocates us.
bits 64
default rel

%define PCPU_FIXUP 8
%define PCPU_FAULT 16
%define SEL_CODE 0x08
%define SEL_DATA 0x10
%define SEL_TSS  0x18
%define STUB_SIZE 16

section .text

extern trap_dispatch
global isr_stubs
global switch_stack
global load_descriptors
global rdmsr_safe
global wrmsr_safe
global memcpy_safe
global mmio_read32_safe

; 256 stubs of STUB_SIZE bytes each: stub v is at isr_stubs + v * STUB_SIZE.
; Vectors that push an error code in hardware: 8, 10-14, 17, 21, 29, 30.
align 16
isr_stubs:
%assign v 0
%rep 256
	align STUB_SIZE
%if v = 8 || (v >= 10 && v <= 14) || v = 17 || v = 21 || v = 29 || v = 30
	nop
	nop
%else
	push 0
%endif
	push v
	jmp isr_common
%assign v v + 1
%endrep

; Frame layout seen by trap_dispatch (struct trap_frame in traps.c):
; r15 .. rax, vector, error, rip, cs, rflags, rsp, ss
isr_common:
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	cld
	mov rdi, rsp
	call trap_dispatch
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

; void switch_stack(void *top, void (*fn)(void *), void *arg)
switch_stack:
	mov rsp, rdi
	xor ebp, ebp
	mov rdi, rdx
	call rsi
	ud2

; void load_descriptors(void *gdtr, void *idtr): lgdt, reload CS/DS/ES/SS, lidt, ltr.
; FS and GS selectors are not reloaded: that would clear the GS base set afterwards anyway.
load_descriptors:
	lgdt [rdi]
	lidt [rsi]
	push SEL_CODE
	lea rax, [.reloaded]
	push rax
	retfq
.reloaded:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov ax, SEL_TSS
	ltr ax
	ret

; Arm recovery: if the next armed instruction faults, trap_dispatch stores
; vector + 1 in gs:PCPU_FAULT and resumes at the fixup label.
%macro ARM 1
	lea rax, [%1]
	mov [gs:PCPU_FIXUP], rax
	mov qword [gs:PCPU_FAULT], 0
%endmacro

; int rdmsr_safe(uint32_t msr, uint64_t *val)
rdmsr_safe:
	ARM .fault
	mov ecx, edi
	rdmsr
	mov qword [gs:PCPU_FIXUP], 0
	mov eax, eax
	shl rdx, 32
	or rax, rdx
	mov [rsi], rax
	xor eax, eax
	ret
.fault:
	mov rax, [gs:PCPU_FAULT]
	ret

; int wrmsr_safe(uint32_t msr, uint64_t val)
wrmsr_safe:
	ARM .fault
	mov ecx, edi
	mov eax, esi
	mov rdx, rsi
	shr rdx, 32
	wrmsr
	mov qword [gs:PCPU_FIXUP], 0
	xor eax, eax
	ret
.fault:
	mov rax, [gs:PCPU_FAULT]
	ret

; int memcpy_safe(void *dst, const void *src, size_t n)
memcpy_safe:
	ARM .fault
	mov rcx, rdx
	rep movsb
	mov qword [gs:PCPU_FIXUP], 0
	xor eax, eax
	ret
.fault:
	mov rax, [gs:PCPU_FAULT]
	ret

; int mmio_read32_safe(uintptr_t addr, uint32_t *val)
; Exactly one 4-byte load from addr (device registers may have read side effects or reject
; other widths); *val is written only if the load did not fault.
mmio_read32_safe:
	ARM .fault
	mov edx, [rdi]
	mov qword [gs:PCPU_FIXUP], 0
	mov [rsi], edx
	xor eax, eax
	ret
.fault:
	mov rax, [gs:PCPU_FAULT]
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
