/*
 * sdimage_rootfs.h: what the three files of `nanoos sdimage update-rootfs`
 * share, inside cli/ only:
 *   sdimage_rootfs.c         the verb: planning, applying, the summary;
 *   sdimage_rootfs_record.c  the record /etc/rootfs.manifest (its text,
 *                            FNV-1a sums, reading and writing it) and the
 *                            temporary file a new one is written to;
 *   sdimage_rootfs_space.c   the free-space check made before anything is
 *                            written.
 * Here: the plan (one action per object) and the functions that cross
 * files. The session they act on is sdimage_int.h's; the entry points the
 * rest of `nanoos sdimage` calls (verb_update_rootfs, sdi_record_userland)
 * are declared there too.
 */
#ifndef NOS_SDIMAGE_ROOTFS_H
#define NOS_SDIMAGE_ROOTFS_H

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "cli/sdimage_int.h"

#define UPD_BIN "/bin"
#define UPD_ETC "/etc"
#define UPD_RECORD "/etc/rootfs.manifest"
#define UPD_TEMP ".update-rootfs."      /* a new file's name until it is renamed */

/* ================================================================ the plan */

enum upd_kind {
	UPD_MKDIR,                      /* a directory of DIR the volume lacks */
	UPD_ADD,                        /* a file of DIR the volume lacks */
	UPD_REPLACE,                    /* a program whose bytes differ */
	UPD_UNCHANGED,                  /* a program as DIR has it already */
	UPD_KEEP,                       /* the user's: never written */
	UPD_SKIP,                       /* a file of DIR the volume lacks, not added */
	UPD_REMOVE,                     /* a program the userland installed, then dropped */
	UPD_KINDS
};

/* A program's bytes as the record keeps them. */
struct upd_sum {
	uint64_t size, fnv;
	int known;                      /* 0: a bare name (a first record) */
};

struct upd_action {
	enum upd_kind kind;
	int program;                    /* a file of DIR/bin */
	int recorded;                   /* named in the new record, with sum */
	struct upd_sum sum;
	char *host;                     /* its file in DIR; NULL when DIR has none */
	char *vol;                      /* its path on the volume */
	char *why;                      /* said after the path; NULL: nothing */
	uint64_t size, old_size;        /* bytes: DIR's, the volume's */
};

/* A growing text: the new record. */
struct upd_text {
	char *p;
	size_t len, cap;
};

struct upd_plan {
	struct upd_action *act;
	size_t n, cap;
	char *record;                   /* the old record's text; NULL: none */
	struct upd_text next;           /* the new record's */
	unsigned count[UPD_KINDS];
};

/* "/bin/ls" -> "ls" */
static inline const char *upd_base(const char *vol)
{
	return strrchr(vol, '/') + 1;
}

/* ==================================== the record (sdimage_rootfs_record.c) */

/* The record's opening comment into t. 0, or -1: no memory. */
int upd_record_start(struct upd_text *t);
/* "NAME\tSIZE\tFNV\n" (a bare name when sum is not known) into t. 0, or -1. */
int upd_record_line(struct upd_text *t, const char *name, const struct upd_sum *sum);
/* 1 if the old record names program `name` (FAT names: case-blind), its
 * bytes in *sum; 0 if not (or no record). */
int upd_recorded(const struct upd_plan *p, const char *name, struct upd_sum *sum);
/* The old record into p->record; none (an older image): NULL. 0, or 1
 * after an error line. */
int upd_read_record(struct sdi *s, struct upd_plan *p);
/* 1 if the record t differs from the volume's (old; NULL: none). */
int upd_record_changes(const struct upd_text *t, const char *old);
/* Write the record t (unless the volume has it already, byte for byte).
 * 0, or 1 after an error line. */
int upd_write_record(struct sdi *s, const struct upd_text *t, const char *old);

/* Size and FNV-1a 64 of host file path. 0, or 1 after an error line. */
int upd_sum_host(struct sdi *s, const char *path, struct upd_sum *sum);
/* *same: 1 if volume file vp still holds the bytes the record gives (rec
 * known). 0, or 1 after an error line. */
int upd_as_recorded(struct sdi *s, const char *vp, const struct upd_sum *rec, int *same);

/* The name a new file has until it replaces vol: ".update-rootfs.NAME"
 * beside it. 0, or 1 after an error line. */
int upd_temp_name(struct sdi *s, const char *vol, char *out);
/* Rename the finished temporary file over dst; a failure drops it. 0, or 1
 * after an error line. */
int upd_commit(struct sdi *s, const char *tmp, const char *dst);

/* scandir: every entry but . and .. */
int upd_visible(const struct dirent *e);

/* ====================================== the space (sdimage_rootfs_space.c) */

/* Refuse, before anything is written, an update the volume has no room
 * for: its files at their peak, the directories' growth, and the new
 * record (written beside the old). 0, or 1 after an error line. */
int upd_check_space(struct sdi *s, const struct upd_plan *p);

#endif
