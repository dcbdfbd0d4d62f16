# clockprobe: the guest images, host unit tests and boot tests.
#   make            build build/clockprobe.efi and build/clockprobe.img (UEFI) and
#                   build/clockprobe.elf (PVH direct boot), from the same objects
#   make run        boot the default configuration (installs missing Debian packages as root)
#   make test       host unit tests + fuzz smoke + boot tests
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (default 60) each (tests/fuzz/README.md)
#   make bench      print the firmware floor beside the default UEFI and PVH runs (median of
#                   BENCH_RUNS), and every clock source's read cost and rate
#   make CC=clang   the same with clang
CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
LD      := ld
OBJCOPY := objcopy
NASM    := nasm
HOSTCC  ?= cc
PYTHON  ?= python3

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib
B       := build

VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-builtin -fno-stack-protector -fno-strict-aliasing \
	-fpic -fshort-wchar -mno-red-zone -mno-sse -mno-sse2 -mno-mmx -mno-80387 \
	-mgeneral-regs-only -fno-asynchronous-unwind-tables \
	-I$(EFI_INC) -I$(EFI_INC)/x86_64 -DGNU_EFI_USE_MS_ABI -DCLOCKPROBE_VERSION='"$(VERSION)"'
# libgcc for 128-bit division helpers (__udivti3); integer-only, position independent on Debian.
LIBGCC  := $(shell $(CC) -print-libgcc-file-name)
LDFLAGS := -nostdlib -znocombreloc -shared -Bsymbolic -T linker.ld --no-undefined
# The PVH image: a static ELF at 1 MiB (linker-pvh.ld), no GNU-EFI. The objects are the same
# -fpic ones; ld resolves their GOT references at link time.
PVH_LDFLAGS := -nostdlib -static --build-id=none -z max-page-size=4096 -z noexecstack \
	-T linker-pvh.ld --no-undefined

# Each boot path's own files; everything else goes into both images.
EFI_SRCS := boot/efi_main.c
PVH_SRCS := boot/pvh_main.c boot/pvh_info.c
PVH_ASRCS := boot/pvh_entry.asm
SRCS := $(filter-out $(EFI_SRCS) $(PVH_SRCS),$(wildcard boot/*.c arch/x86/*.c time/*.c lib/*.c))
ASRCS := $(wildcard arch/x86/*.asm)
OBJS := $(SRCS:%.c=$(B)/obj/%.o) $(ASRCS:%.asm=$(B)/obj/%.asm.o)
EFI_OBJS := $(OBJS) $(EFI_SRCS:%.c=$(B)/obj/%.o)
PVH_OBJS := $(OBJS) $(PVH_SRCS:%.c=$(B)/obj/%.o) $(PVH_ASRCS:%.asm=$(B)/obj/%.asm.o)
DEPS := $(SRCS:%.c=$(B)/obj/%.d) $(EFI_SRCS:%.c=$(B)/obj/%.d) $(PVH_SRCS:%.c=$(B)/obj/%.d)

.PHONY: all run test unit fuzz fuzz-smoke boot-test bench deps clean
all: $(B)/clockprobe.img $(B)/clockprobe.elf

$(B)/obj/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/%.asm.o: %.asm Makefile
	@mkdir -p $(dir $@)
	$(NASM) -f elf64 -o $@ $<

$(B)/clockprobe.so: $(EFI_OBJS) linker.ld
	$(LD) $(LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(EFI_OBJS) -o $@ $(EFI_LIB)/libgnuefi.a $(LIBGCC)

$(B)/clockprobe.efi: $(B)/clockprobe.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

$(B)/clockprobe.img: $(B)/clockprobe.efi tools/mkimage
	tools/mkimage $< $@

$(B)/clockprobe.elf: $(PVH_OBJS) linker-pvh.ld
	$(LD) $(PVH_LDFLAGS) $(PVH_OBJS) -o $@ $(LIBGCC)

-include $(DEPS)

deps:
	@tools/deps

run: deps all
	tools/run --image $(B)/clockprobe.img $(RUN_ARGS)

# Host unit tests: each tests/unit/test_*.c is one program (it #includes the pure sources it tests).
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(B)/unit/%)
$(B)/unit/%: tests/unit/%.c Makefile $(wildcard lib/*.[ch] arch/x86/*.[ch] time/*.[ch] boot/*.[ch])
	@mkdir -p $(dir $@)
	$(HOSTCC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -DUNIT_TEST -fsanitize=address,undefined \
		-o $@ $< -lcmocka

unit: $(UNIT_BINS)
	$(PYTHON) tests/run_unit.py $(UNIT_BINS)

# libFuzzer targets (tests/fuzz/fuzz_*.c, each #includes the pure sources it fuzzes), always
# built with clang: `make fuzz` runs each for FUZZ_SECONDS, `make fuzz-smoke` replays the
# regression inputs and seeds and runs each for FUZZ_SMOKE_SECONDS; any crash fails.
FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_TARGETS := $(FUZZ_SRCS:tests/fuzz/%.c=%)
FUZZ_BINS := $(FUZZ_TARGETS:%=$(B)/fuzz/%)
$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h Makefile $(wildcard lib/*.[ch] arch/x86/*.[ch] time/*.[ch])
	@mkdir -p $(dir $@)
	$(FUZZ_CC) -std=gnu11 -O1 -g -Wall -Wextra -Werror -DUNIT_TEST \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $<

fuzz: $(FUZZ_BINS)
	$(PYTHON) tests/fuzz/run.py fuzz --build $(B)/fuzz --seconds $(FUZZ_SECONDS) $(FUZZ_TARGETS)

fuzz-smoke: $(FUZZ_BINS)
	$(PYTHON) tests/fuzz/run.py smoke --build $(B)/fuzz --seconds $(FUZZ_SMOKE_SECONDS) $(FUZZ_TARGETS)

$(B)/host_tsc: tools/host_tsc.c
	@mkdir -p $(dir $@)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

boot-test: all $(B)/host_tsc
	CLOCKPROBE_BUILD=$(abspath $(B)) $(PYTHON) tests/boot/boot_tests.py $(BOOT_TESTS)

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) fuzz-smoke
	$(MAKE) boot-test

# Figures, not verdicts: the firmware floor (an application that does nothing) beside the
# default UEFI and PVH runs, median of BENCH_RUNS each, and every source's read cost and rate.
BENCH_RUNS ?= 5
$(B)/bench/floor.so: tools/bench_floor.c Makefile linker.ld
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c $< -o $(B)/bench/floor.o
	$(LD) $(LDFLAGS) $(EFI_LIB)/crt0-efi-x86_64.o $(B)/bench/floor.o -o $@ $(EFI_LIB)/libgnuefi.a

$(B)/bench/floor.efi: $(B)/bench/floor.so
	$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel -j .rela \
		-j .rel.* -j .rela.* -j .reloc --target efi-app-x86_64 --subsystem=10 $< $@

$(B)/bench/floor.img: $(B)/bench/floor.efi tools/mkimage
	tools/mkimage $< $@

bench: deps all $(B)/bench/floor.img
	tools/bench --runs $(BENCH_RUNS) --floor $(B)/bench/floor.img --image $(B)/clockprobe.img \
		--elf $(B)/clockprobe.elf $(RUN_ARGS)

clean:
	rm -rf $(B)
