/* fw_cfg legacy port interface: select a key on 0x510 (16-bit), read bytes from 0x511. */
#include "fwcfg.h"
#include "io.h"
#include "../../lib/mem.h"
#include <stdint.h>

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_MAX_FILES 4096 /* sanity bound on the directory count */

struct fw_cfg_file { /* big-endian on the wire */
	uint32_t size;
	uint16_t select;
	uint16_t reserved;
	char name[56];
};

static void read_bytes(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static uint32_t be32(uint32_t v)
{
	return __builtin_bswap32(v);
}

bool fwcfg_present(void)
{
	char sig[4];

	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	read_bytes(sig, 4);
	return !memcmp(sig, "QEMU", 4);
}

long fwcfg_read_file(const char *name, void *buf, size_t max)
{
	uint32_t count, i;

	if (!fwcfg_present())
		return -1;
	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	read_bytes(&count, 4);
	count = be32(count);
	if (count > FW_CFG_MAX_FILES)
		return -1;
	for (i = 0; i < count; i++) {
		struct fw_cfg_file f;

		read_bytes(&f, sizeof(f));
		f.name[sizeof(f.name) - 1] = '\0';
		if (!strcmp(f.name, name)) {
			uint32_t size = be32(f.size);

			outw(FW_CFG_PORT_SEL, __builtin_bswap16(f.select));
			read_bytes(buf, size < max ? size : max);
			return (long)size;
		}
	}
	return -1;
}
