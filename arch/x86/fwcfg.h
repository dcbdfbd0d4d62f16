/* QEMU fw_cfg over I/O ports 0x510/0x511 (QEMU docs/specs/fw_cfg.rst). Absent on other
 * hypervisors: the signature check fails and nothing else is touched. */
#ifndef CP_X86_FWCFG_H
#define CP_X86_FWCFG_H
#include <stdbool.h>
#include <stddef.h>

bool fwcfg_present(void);
/* Copy the named file (e.g. "opt/clockprobe/args") into buf; returns its full size, or -1
 * if fw_cfg or the file is absent. At most max bytes are stored. */
long fwcfg_read_file(const char *name, void *buf, size_t max);

#endif
