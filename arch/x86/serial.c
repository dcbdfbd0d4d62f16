/* 16550 UART driver, polled, 115200 8N1. Register names from the NS16550A datasheet. */
#include "serial.h"
#include "io.h"
#include <stdbool.h>

#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor latch low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor latch high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define  UART_LCR_8N1  0x03
#define  UART_LCR_DLAB 0x80
#define UART_MCR 4
#define  UART_MCR_DTR_RTS_OUT2 0x0b
#define UART_LSR 5
#define  UART_LSR_THRE 0x20
#define UART_SCR 7

#define UART_CLOCK_HZ 1843200
#define UART_BAUD 115200
/* One byte at 115200 baud takes ~87 us; 1e6 polls of a port is far longer on any machine. */
#define UART_THRE_POLLS 1000000

static bool present;

void serial_init(void)
{
	uint16_t div = UART_CLOCK_HZ / 16 / UART_BAUD;

	/* Scratch register round trip: a floating bus reads 0xff. */
	outb(COM1_PORT + UART_SCR, 0x5a);
	present = inb(COM1_PORT + UART_SCR) == 0x5a;
	outb(COM1_PORT + UART_IER, 0);
	outb(COM1_PORT + UART_LCR, UART_LCR_DLAB);
	outb(COM1_PORT + UART_DLL, div & 0xff);
	outb(COM1_PORT + UART_DLM, div >> 8);
	outb(COM1_PORT + UART_LCR, UART_LCR_8N1);
	outb(COM1_PORT + UART_FCR, 0x07); /* enable and clear FIFOs */
	outb(COM1_PORT + UART_MCR, UART_MCR_DTR_RTS_OUT2);
}

static void put_byte(char c)
{
	unsigned polls = UART_THRE_POLLS;

	while (!(inb(COM1_PORT + UART_LSR) & UART_LSR_THRE) && --polls)
		cpu_relax();
	if (polls)
		outb(COM1_PORT + UART_THR, (uint8_t)c);
}

void serial_write(const char *s, size_t n)
{
	if (!present)
		return;
	while (n--) {
		if (*s == '\n')
			put_byte('\r');
		put_byte(*s++);
	}
}
