/*
 * proto.h: every message type of NanoOs, numbered in ranges per receiver,
 * with one payload struct per type (flat, fixed-width fields; bulk data as a
 * pointer + uint32_t length into the sender's memory). Later issues fill in
 * the ranges; a number, once given, is never reused for something else.
 */
#ifndef NOS_PROTO_H
#define NOS_PROTO_H

#include <stdint.h>

enum proto_range {
	PROTO_ANY     = 0x0000,   /* understood by every kernel process */
	PROTO_SCHED   = 0x0100,
	PROTO_CONSOLE = 0x0200,
	PROTO_MEMMGR  = 0x0300,
	PROTO_SDCARD  = 0x0400,
	PROTO_FS      = 0x0500,
	PROTO_USERS   = 0x0600,
	PROTO_CLIENT  = 0x1000,   /* control-socket client protocol */
};

/* PROTO_ANY: every kernel process answers these (kproc_serve does). */
enum {
	KPROC_MSG_STOP = PROTO_ANY + 1,   /* no payload; only the parent may ask */
	KPROC_MSG_PING = PROTO_ANY + 2,   /* struct kproc_ping; answered with value + 1 */
};

struct kproc_ping {
	uint32_t value;
};

/* PROTO_SDCARD: the block device (kproc/sdcard.c). Only fs ("fs", 0) and
 * the process that started sdcard may ask. Blocks are SDCARD_BLOCK_SIZE
 * bytes; replies are 0 or -NOS_Exxx (see kproc/sdcard.h). */
#define SDCARD_BLOCK_SIZE 512u

enum {
	SDCARD_MSG_READ  = PROTO_SDCARD + 1,  /* struct sdcard_io: blocks into buf */
	SDCARD_MSG_WRITE = PROTO_SDCARD + 2,  /* struct sdcard_io: blocks from buf */
	SDCARD_MSG_FLUSH = PROTO_SDCARD + 3,  /* no payload: make writes durable */
	SDCARD_MSG_INFO  = PROTO_SDCARD + 4,  /* struct sdcard_info, filled in */
};

struct sdcard_io {
	uint32_t block;                 /* first block */
	uint32_t count;                 /* blocks, at least 1 */
	void *buf;                      /* in the sender's memory */
	uint32_t len;                   /* bytes at buf: must be count * 512 */
};

struct sdcard_info {
	uint32_t blocks;
	uint32_t block_size;            /* SDCARD_BLOCK_SIZE */
	uint8_t read_only;
	char model[32];                 /* NUL-terminated */
};

/* ---- fs (kproc/fs.c) ----------------------------------------------------
 * Paths travel as (pointer, length) into the sender's memory, absolute or
 * not (fs canonicalises them; there is no cwd in fs: sched resolves it).
 * Requests that name a path carry the caller's credentials, which fs trusts
 * only from kernel processes (its parent, sched): guests reach fs through
 * sched, never directly. A handle belongs to the process that opened it.
 * Every reply is >= 0 or -NOS_E*; fat.h documents each operation.
 */
#include "kproc/fs_policy.h"

#define FS_NAME_MAX 765              /* UTF-8 bytes of a 255-character name */

/* Flat copies of the engine's answers, so the protocol stands alone. */
struct fs_stat {
	uint32_t size;
	uint32_t mtime, ctime, atime;   /* Unix seconds (UTC); 0: not recorded */
	uint8_t attr;                   /* FAT attributes (fat_layout.h ATTR_*) */
	uint8_t is_dir;
};

struct fs_dirent {
	char name[FS_NAME_MAX + 1];
	struct fs_stat st;
};

struct fs_statfs {
	uint32_t total_clusters;
	uint32_t free_clusters;
	uint32_t cluster_size;          /* bytes */
	uint8_t fat_type;               /* 12, 16, 32 */
	uint8_t dirty_at_mount;
	char label[12];
};

enum {
	FS_MSG_OPEN      = PROTO_FS + 1,  /* fs_path_req (flags: FS_O_*) -> handle */
	FS_MSG_CLOSE     = PROTO_FS + 2,  /* fs_handle_req -> 0 */
	FS_MSG_READ      = PROTO_FS + 3,  /* fs_io -> bytes */
	FS_MSG_WRITE     = PROTO_FS + 4,  /* fs_io -> bytes */
	FS_MSG_SEEK      = PROTO_FS + 5,  /* fs_seek -> 0, pos filled in */
	FS_MSG_FTRUNCATE = PROTO_FS + 6,  /* fs_handle_req (arg: length) -> 0 */
	FS_MSG_FSYNC     = PROTO_FS + 7,  /* fs_handle_req -> 0 */
	FS_MSG_FSTAT     = PROTO_FS + 8,  /* fs_stat_req (handle) -> 0, st filled in */
	FS_MSG_STAT      = PROTO_FS + 9,  /* fs_stat_req (path) -> 0, st filled in */
	FS_MSG_READDIR   = PROTO_FS + 10, /* fs_readdir_req -> 1 (an entry), 0 (end) */
	FS_MSG_MKDIR     = PROTO_FS + 11, /* fs_path_req -> 0 */
	FS_MSG_RMDIR     = PROTO_FS + 12, /* fs_path_req -> 0 */
	FS_MSG_UNLINK    = PROTO_FS + 13, /* fs_path_req -> 0 */
	FS_MSG_RENAME    = PROTO_FS + 14, /* fs_rename_req -> 0 */
	FS_MSG_STATFS    = PROTO_FS + 15, /* fs_statfs_req -> 0, filled in */
	FS_MSG_SYNC      = PROTO_FS + 16, /* none -> 0: everything is on the card */
	FS_MSG_UTIMENS   = PROTO_FS + 17, /* fs_path_req (arg: atime, arg2: mtime) -> 0 */
	FS_MSG_SETRO     = PROTO_FS + 18, /* fs_path_req (arg: 1 read-only, 0 not) -> 0 */
	FS_MSG_MOUNTED   = PROTO_FS + 19, /* none -> 0, or why the volume did not mount */
	FS_MSG_CHECK     = PROTO_FS + 20, /* fs_check_req -> problems found (fixed with
	                                   * FS_CHECK_REPAIR); parent or root only */
};

/* Open flags, seek and rename constants: the engine's values (fs.c checks
 * at compile time that they agree with kproc/fat.h). */
#define FS_O_RDONLY    0x00u
#define FS_O_WRONLY    0x01u
#define FS_O_RDWR      0x02u
#define FS_O_ACCMODE   0x03u
#define FS_O_CREAT     0x04u
#define FS_O_TRUNC     0x08u
#define FS_O_APPEND    0x10u
#define FS_O_EXCL      0x20u
#define FS_O_DIRECTORY 0x40u
#define FS_SEEK_SET 0
#define FS_SEEK_CUR 1
#define FS_SEEK_END 2
#define FS_RENAME_NOREPLACE 0x1u

struct fs_path_req {
	struct fs_cred cred;
	const char *path;
	uint32_t path_len;
	uint32_t flags;
	uint32_t arg, arg2;
};

struct fs_rename_req {
	struct fs_cred cred;
	const char *from;
	uint32_t from_len;
	const char *to;
	uint32_t to_len;
	uint32_t flags;                 /* FS_RENAME_NOREPLACE */
};

struct fs_handle_req {
	int32_t handle;
	uint32_t arg;
};

#define FS_AT_POSITION (-1)          /* fs_io.offset: at the handle's position */

struct fs_io {
	int32_t handle;
	uint32_t len;
	void *buf;
	int64_t offset;                 /* FS_AT_POSITION, or like pread/pwrite */
};

struct fs_seek {
	int32_t handle;
	int32_t whence;                 /* FS_SEEK_SET, _CUR, _END */
	int64_t offset;
	uint32_t pos;                   /* out */
};

struct fs_stat_req {
	struct fs_cred cred;
	const char *path;               /* FS_MSG_STAT */
	uint32_t path_len;
	int32_t handle;                 /* FS_MSG_FSTAT */
	struct fs_stat st;              /* out */
};

struct fs_readdir_req {
	int32_t handle;                 /* from FS_MSG_OPEN with FS_O_DIRECTORY */
	struct fs_dirent ent;           /* out */
};

#define FS_CHECK_REPAIR 0x1u

/* The checker's scratch (a bit per cluster and its walk's stack) and its
 * report are lent by the caller: fs allocates nothing for it. */
struct fs_check_req {
	uint32_t flags;                 /* FS_CHECK_REPAIR */
	uint8_t *map;                   /* scratch */
	uint32_t map_len;
	uint32_t map_needed;            /* out: when map_len is too small (-NOS_ENOMEM) */
	char *text;                     /* out: one line a problem, NUL-terminated */
	uint32_t text_len;
	uint32_t lost_clusters;         /* out */
	uint32_t files, dirs;           /* out */
};

struct fs_statfs_req {
	struct fs_statfs st;            /* out */
};

#endif
