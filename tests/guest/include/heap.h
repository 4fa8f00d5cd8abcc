/*
 * Memory for drivers: rings, request headers, data buffers. A bump
 * allocator over the usable RAM right after our image (e820, minus the
 * initrd, the zero page and the command line if they lie beyond it).
 * main.c takes a mark before each test and releases it afterwards, so every
 * test starts with the whole heap and nothing outlives it.
 */
#ifndef HEAP_H
#define HEAP_H
#include "types.h"

/* Zeroed memory, aligned to `align` (a power of two), or NULL. */
void *heap_alloc(u64 size, u64 align);
/* Unzeroed: for big data buffers whose contents do not matter yet. */
void *heap_alloc_raw(u64 size, u64 align);
u64 heap_mark(void);
void heap_release(u64 mark);
/* [start, end) of the heap, for messages. */
void heap_range(u64 *start, u64 *end);

#endif
