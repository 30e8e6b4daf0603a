/*
 * msg_coro.h: what only the coroutine backend (msg_coro.c) can tell.
 */
#ifndef NOS_MSG_CORO_H
#define NOS_MSG_CORO_H

#include <stddef.h>

#include "msg/msg.h"

/* Stacks are filled with this byte when a coroutine starts (AVR), so the
 * deepest use can be read back: the low-water mark. */
#define MSG_CORO_STACK_PAINT 0xA5

/* Slot `slot` (0..MSG_MAX_PROCS-1): its process's name and index, its stack's
 * size and the most of it ever used (AVR; elsewhere stacks are not painted
 * and the whole size counts as used). 0, -NOS_ESRCH (no coroutine there, or
 * it runs on the original stack), -NOS_EINVAL. */
int msg_coro_stack_use(unsigned slot, char *name, unsigned *index, size_t *size, size_t *used);

#endif
