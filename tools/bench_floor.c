/* The firmware floor for `make bench`: a UEFI application that does nothing. OVMF loads it
 * from the same kind of disk image as clockprobe (tools/mkimage), and it ends the VM at once
 * through the same isa-debug-exit port tools/run gives every UEFI boot (0xf4; QEMU exits with
 * status 1). Its run time is what any UEFI guest pays before its first instruction. */
#include <efi.h>

EFI_STATUS EFIAPI efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	(void)image;
	(void)st;
	__asm__ volatile("outb %b0, %w1" : : "a"((unsigned char)0), "Nd"((unsigned short)0xf4));
	return EFI_SUCCESS;
}
