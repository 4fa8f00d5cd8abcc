/*
 * mkbzimage: turn the one link (build/guest.pie) into the two packages.
 *
 *   guest.elf      the same file with e_type ET_EXEC: a fixed-address image
 *                  loaded at p_paddr and entered at e_entry, as vmlinux is.
 *   guest.bzImage  setup sectors (build/setup.bin) followed by the loadable
 *                  bytes flattened from the first PT_LOAD's address, with
 *                  syssize and init_size written into the setup header
 *                  (boot.rst: syssize in 16-byte units, init_size = bytes of
 *                  memory the image needs from its load address).
 *
 * The guest computes the same two numbers from its own linker symbols and
 * the bootparams test compares them with what a loader copied, so this tool
 * also checks the layout rules the guest relies on.
 *
 * Usage: mkbzimage setup.bin guest.pie guest.elf guest.bzImage
 */
#include <elf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "../include/bootconst.h"

static void die(const char *msg, const char *arg)
{
	fprintf(stderr, "mkbzimage: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
	exit(1);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		die("cannot open", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc((size_t)n);
	if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n)
		die("cannot read", path);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spill(const char *path, const void *a, size_t alen, const void *b, size_t blen)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(a, 1, alen, f) != alen || (blen && fwrite(b, 1, blen, f) != blen) || fclose(f))
		die("cannot write", path);
}

static void put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); }

int main(int argc, char **argv)
{
	if (argc != 5)
		die("usage: mkbzimage setup.bin guest.pie guest.elf guest.bzImage", NULL);
	size_t slen, elen;
	unsigned char *setup = slurp(argv[1], &slen);
	unsigned char *elf = slurp(argv[2], &elen);

	if (slen != (SETUP_SECTS + 1) * 512u)
		die("setup.bin is not (SETUP_SECTS + 1) sectors", argv[1]);
	if (setup[0x1F1] != SETUP_SECTS || memcmp(setup + 0x202, "HdrS", 4) || setup[0x1FE] != 0x55 || setup[0x1FF] != 0xAA)
		die("setup.bin has no valid setup header", argv[1]);

	Elf64_Ehdr *eh = (Elf64_Ehdr *)elf;
	if (elen < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_machine != EM_X86_64)
		die("not an x86-64 ELF64 file", argv[2]);
	if (eh->e_type != ET_DYN && eh->e_type != ET_EXEC)
		die("unexpected ELF type", argv[2]);

	uint64_t lo = UINT64_MAX, file_end = 0, mem_end = 0;
	Elf64_Phdr *ph = (Elf64_Phdr *)(elf + eh->e_phoff);
	int loads = 0, notes = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_NOTE)
			notes++;
		if (ph[i].p_type != PT_LOAD)
			continue;
		loads++;
		if (ph[i].p_paddr != ph[i].p_vaddr)
			die("PT_LOAD with p_paddr != p_vaddr", NULL);
		if (ph[i].p_paddr < lo)
			lo = ph[i].p_paddr;
		if (ph[i].p_filesz && ph[i].p_paddr + ph[i].p_filesz > file_end)
			file_end = ph[i].p_paddr + ph[i].p_filesz;
		if (ph[i].p_paddr + ph[i].p_memsz > mem_end)
			mem_end = ph[i].p_paddr + ph[i].p_memsz;
	}
	if (!loads || !notes)
		die("need PT_LOAD and the PVH PT_NOTE", argv[2]);
	if (lo != LINK_ADDR)
		die("first PT_LOAD is not at LINK_ADDR (pref_address)", NULL);
	if (eh->e_entry != lo + ENTRY64_OFFSET)
		die("e_entry is not the 64-bit entry at +0x200", NULL);

	/* Flatten the loadable bytes; gaps between segments become zeros. */
	size_t plen = (size_t)(file_end - lo);
	size_t padded = (plen + 15) & ~(size_t)15;
	unsigned char *payload = calloc(1, padded);
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_filesz) {
			if (ph[i].p_offset + ph[i].p_filesz > elen)
				die("segment past end of file", NULL);
			memcpy(payload + (ph[i].p_paddr - lo), elf + ph[i].p_offset, ph[i].p_filesz);
		}
	if (memcmp(payload + KERNEL_INFO_OFFSET, "LToP", 4))
		die("kernel_info (LToP) not at KERNEL_INFO_OFFSET", NULL);

	uint64_t init_size = ((mem_end - lo) + 4095) & ~(uint64_t)4095;
	put32(setup + 0x1F4, (uint32_t)(padded / 16));	/* syssize */
	put32(setup + 0x260, (uint32_t)init_size);	/* init_size */

	/* guest.elf: the same bytes, now claiming its fixed addresses. */
	eh->e_type = ET_EXEC;
	spill(argv[3], elf, elen, NULL, 0);
	spill(argv[4], setup, slen, payload, padded);
	printf("mkbzimage: payload %zu bytes (syssize %zu), init_size 0x%llx, entry 0x%llx\n", plen, padded / 16,
	       (unsigned long long)init_size, (unsigned long long)eh->e_entry);
	return 0;
}
