/* Ending the run. On QEMU the verdict leaves through isa-debug-exit (QEMU exits with
 * status (v << 1) | 1); the port is only touched when fw_cfg says this is QEMU. Everywhere
 * else, and if the device is absent, UEFI ResetSystem(EfiResetShutdown) powers off. */
#include <efi.h>
#include "firmware.h"
#include "../arch/x86/io.h"

#define ISA_DEBUG_EXIT_PORT 0xf4

static EFI_RUNTIME_SERVICES *rt;
static bool is_qemu;

void platform_exit_init(struct fw_info *fw)
{
	rt = fw->runtime_services;
	is_qemu = fw->fwcfg;
}

void platform_exit(int verdict)
{
	if (is_qemu)
		outl(ISA_DEBUG_EXIT_PORT, (uint32_t)verdict);
	if (rt)
		uefi_call_wrapper(rt->ResetSystem, 4, EfiResetShutdown,
				  verdict ? EFI_ABORTED : EFI_SUCCESS, 0, NULL);
	halt_forever();
}
