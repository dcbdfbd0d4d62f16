/* 16550 UART on COM1: all guest output. Bounded waits: a missing UART drops bytes, never hangs. */
#ifndef CP_X86_SERIAL_H
#define CP_X86_SERIAL_H
#include <stddef.h>

#define COM1_PORT 0x3f8

void serial_init(void);
void serial_write(const char *s, size_t n);

#endif
