/* Ending the run. The first way that works, in this order:
 *  1. isa-debug-exit: QEMU exits with status (v << 1) | 1. The port is only touched when
 *     fw_cfg says this is QEMU; if the device is absent the write does nothing.
 *  2. UEFI ResetSystem(EfiResetShutdown), when booted through UEFI (boot/efi_main.c).
 *  3. Without UEFI (PVH): ACPI soft-off, S5. SLP_TYP comes from the DSDT's \_S5 package; it
 *     goes with SLP_EN into the FADT's SLEEP_CONTROL_REG on hardware-reduced platforms (Cloud
 *     Hypervisor; ACPI 6.5 4.8.3.7), else into PM1a_CNT and PM1b_CNT (4.8.3.2.1). No SMI
 *     handshake to enter ACPI mode first: VMMs act on the write as it is (QEMU's PIIX4 and
 *     ICH9 PM do), and a platform that does not simply goes on to the next step.
 *  4. With the configuration word exit=reset: a reset, through the FADT's RESET_REG, else the
 *     8042's pulse-reset command (0xFE to port 0x64). Firecracker has no ACPI sleep but ends
 *     the microVM on a guest reset; elsewhere a reset may reboot and run the guest again.
 *  5. Halt with interrupts off, forever.
 * platform_exit_report() says which of these apply before the end marker, because nothing may
 * follow the end marker in the log. */
#include "firmware.h"
#include "../arch/x86/io.h"
#include "../arch/x86/acpi.h"
#include "../lib/config.h"
#include "../lib/fmt.h"
#include "../lib/mem.h"
#include "../lib/report.h"

#define ISA_DEBUG_EXIT_PORT 0xf4
#define I8042_COMMAND_PORT  0x64
#define I8042_PULSE_RESET   0xfe
#define EXIT_PLAN_LEN       400

static bool is_qemu, want_reset;
static void (*firmware_poweroff)(int verdict);
static const char *exit_word; /* exit= as given, for the report */

void platform_exit_init(struct fw_info *fw)
{
	is_qemu = fw->fwcfg;
	firmware_poweroff = fw->firmware_poweroff;
	exit_word = config_str(&fw->config, "exit", 0);
	want_reset = exit_word && !strcmp(exit_word, "reset");
}

static const char *space_name(uint8_t id)
{
	return id == GAS_SPACE_SYSTEM_IO ? "io" : id == GAS_SPACE_SYSTEM_MEMORY ? "mem" : "?";
}

/* Registers we can drive: System I/O (16-bit port) or System Memory, 8/16/32 bits wide. */
static unsigned gas_bits(const struct acpi_gas *g)
{
	unsigned bits = g->bit_width ? g->bit_width : g->access_size ? 8u << (g->access_size - 1) : 8;

	return bits <= 8 ? 8 : bits <= 16 ? 16 : 32;
}

static bool gas_usable(const struct acpi_gas *g)
{
	if (!g->address)
		return false;
	if (g->space_id == GAS_SPACE_SYSTEM_IO)
		return g->address <= ACPI_IO_PORT_MAX;
	return g->space_id == GAS_SPACE_SYSTEM_MEMORY;
}

static uint32_t gas_read(const struct acpi_gas *g)
{
	uintptr_t a = (uintptr_t)g->address;

	if (g->space_id == GAS_SPACE_SYSTEM_IO) {
		unsigned bits = gas_bits(g);
		return bits == 8 ? inb((uint16_t)a) : bits == 16 ? inw((uint16_t)a) : inl((uint16_t)a);
	}
	switch (gas_bits(g)) {
	case 8: return *(volatile uint8_t *)a;
	case 16: return *(volatile uint16_t *)a;
	default: return *(volatile uint32_t *)a;
	}
}

static void gas_write(const struct acpi_gas *g, uint32_t v)
{
	uintptr_t a = (uintptr_t)g->address;

	if (g->space_id == GAS_SPACE_SYSTEM_IO) {
		switch (gas_bits(g)) {
		case 8: outb((uint16_t)a, (uint8_t)v); break;
		case 16: outw((uint16_t)a, (uint16_t)v); break;
		default: outl((uint16_t)a, v); break;
		}
		return;
	}
	switch (gas_bits(g)) {
	case 8: *(volatile uint8_t *)a = (uint8_t)v; break;
	case 16: *(volatile uint16_t *)a = (uint16_t)v; break;
	default: *(volatile uint32_t *)a = v; break;
	}
}

/* Which register S5 would use; NULL (why set) if soft-off is not possible here. */
static const struct acpi_gas *s5_register(const char **why)
{
	if (!acpi.fadt_present) {
		*why = acpi.none_why ? "no ACPI" : "no trusted FADT";
		return 0;
	}
	if (!acpi.s5_present) {
		*why = acpi.dsdt_decoded ? "no \\_S5 package in the DSDT" : "no trusted DSDT";
		return 0;
	}
	if (acpi.hw_reduced) {
		if (gas_usable(&acpi.power.sleep_control))
			return &acpi.power.sleep_control;
		*why = "hardware-reduced FADT without a usable SLEEP_CONTROL_REG";
		return 0;
	}
	if (gas_usable(&acpi.power.pm1a_cnt))
		return &acpi.power.pm1a_cnt;
	*why = "FADT PM1a_CNT_BLK is 0 or unusable";
	return 0;
}

static void acpi_s5(void)
{
	const char *why;
	const struct acpi_gas *r = s5_register(&why);
	uint32_t v;

	if (!r)
		return;
	if (r == &acpi.power.sleep_control) {
		gas_write(r, ((uint32_t)acpi.s5_slp_typa << SLEEP_CTL_SLP_TYP_SHIFT) | SLEEP_CTL_SLP_EN);
		return;
	}
	/* PM1b first: the sleep takes effect with the PM1a write. */
	if (gas_usable(&acpi.power.pm1b_cnt)) {
		v = gas_read(&acpi.power.pm1b_cnt) & ~PM1_CNT_SLP_TYP_MASK;
		gas_write(&acpi.power.pm1b_cnt, v | ((uint32_t)acpi.s5_slp_typb << PM1_CNT_SLP_TYP_SHIFT) |
			  PM1_CNT_SLP_EN);
	}
	v = gas_read(r) & ~PM1_CNT_SLP_TYP_MASK;
	gas_write(r, v | ((uint32_t)acpi.s5_slp_typa << PM1_CNT_SLP_TYP_SHIFT) | PM1_CNT_SLP_EN);
}

static void reset(void)
{
	if (acpi.power.reset_supported && gas_usable(&acpi.power.reset_reg))
		gas_write(&acpi.power.reset_reg, acpi.power.reset_value);
	outb(I8042_COMMAND_PORT, I8042_PULSE_RESET);
}

void platform_exit_report(void)
{
	char plan[EXIT_PLAN_LEN];
	size_t n = 0;
	const char *why = 0;
	const struct acpi_gas *r;

#define ADD(...) (n += (size_t)cp_snprintf(plan + n, n < sizeof(plan) ? sizeof(plan) - n : 0, __VA_ARGS__))
	plan[0] = '\0';
	if (is_qemu)
		ADD("isa-debug-exit (fw_cfg: QEMU), then ");
	if (firmware_poweroff) {
		ADD("UEFI ResetSystem");
	} else {
		r = s5_register(&why);
		if (r)
			ADD("ACPI S5 (%s %s 0x%llx, SLP_TYP %u), then ",
			    r == &acpi.power.sleep_control ? "SLEEP_CONTROL_REG" : "PM1a_CNT",
			    space_name(r->space_id), (unsigned long long)r->address, acpi.s5_slp_typa);
		if (want_reset) {
			if (acpi.power.reset_supported && gas_usable(&acpi.power.reset_reg))
				ADD("reset (exit=reset: FADT RESET_REG %s 0x%llx value 0x%x, then 8042 pulse), then ",
				    space_name(acpi.power.reset_reg.space_id),
				    (unsigned long long)acpi.power.reset_reg.address, acpi.power.reset_value);
			else
				ADD("reset (exit=reset: 8042 pulse, port 0x64), then ");
		}
		ADD("halt with interrupts off");
		if (!r)
			ADD(" (no ACPI S5: %s)", why);
		if (!is_qemu && !r && !want_reset)
			ADD(": the VM will not stop by itself; stop it from outside, or give exit=reset "
			    "where a guest reset ends the VM (Firecracker)");
	}
	if (exit_word && !want_reset)
		ADD("; exit=%s not understood (only exit=reset is)", exit_word);
#undef ADD
	info("exit.method", "%s", plan);
}

void platform_exit(int verdict)
{
	if (is_qemu)
		outl(ISA_DEBUG_EXIT_PORT, (uint32_t)verdict);
	if (firmware_poweroff) {
		firmware_poweroff(verdict);
	} else {
		acpi_s5();
		if (want_reset)
			reset();
	}
	halt_forever();
}
