/*
 * sdimage_int.h: what the files of `nanoos sdimage` share, inside cli/ only:
 * the session (struct sdi: options, the booted volume, the copy buffer) and
 * the helpers of sdimage_cmd.c that other verbs' files use -- boot and halt,
 * error lines, volume paths, copying a host file in. The update-rootfs verb
 * and its record of installed programs are the other files
 * (sdimage_rootfs*.c, sharing sdimage_rootfs.h). The public entry point
 * stays in sdimage_cmd.h.
 */
#ifndef NOS_SDIMAGE_INT_H
#define NOS_SDIMAGE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "kproc/fs.h"
#include "kproc/fs_policy.h"
#include "sdimage/volume.h"

/* Bytes per fs_pread/fs_pwrite: big enough that a call's cost is small
 * beside its copy, small enough that the buffer stays in the CPU's cache
 * between the two copies of a transfer (the host file's and fs's). */
#define SDI_CHUNK (1024u * 1024u)
#define SDI_BATCH 256                   /* put -r: small files ahead, at most */

/* The CLI acts as root on images the Linux user can write. */
extern const struct fs_cred sdi_root;

struct sdi_opts {
	int long_list, recursive_list;  /* ls -l, -R */
	int recursive, parents;         /* -r, mkdir -p */
	int force, bare;
	int repair;                     /* fsck --repair */
	int no_passwords;               /* create --rootfs --no-passwords */
	int dry_run;                    /* update-rootfs --dry-run */
	const char *size, *fat, *label, *rootfs;
};

/* A small host file read ahead into the copy buffer, to put (sdi_batch_*). */
struct sdi_pending {
	char dst[FS_PATH_MAX];
	uint32_t at, len;               /* its bytes: buf[at .. at + len) */
	uint32_t atime, mtime;
};

struct sdi {
	const char *verb;
	const char *img;
	struct sdi_opts o;
	struct volume vol;              /* sdcard + fs (sdimage/volume.h) */
	int no_repair_at_mount;         /* fsck looks at the volume as it is */
	/* What to do when another process holds the image, instead of
	 * sd_file's general advice; NULL: that advice. */
	const char *busy_hint;
	char cmd[32];                   /* "sdimage VERB", for cli_error */
	uint32_t npending, used;        /* the batch of small files: buf[0 .. used) */
	struct sdi_pending pending[SDI_BATCH];
	uint8_t buf[SDI_CHUNK];
};

/* ---- session (sdimage_cmd.c) */
/* Open the image, start sdcard and fs, mount. 0, or 1 after an error line. */
int sdi_boot(struct sdi *s, int read_only);
/* Sync, stop fs and sdcard, unlock. 0, or 1 after an error line. */
int sdi_halt(struct sdi *s);
/* "IMG:/path", the name of an object on the volume in messages (a static
 * buffer: use it before the next call). */
const char *sdi_obj(const struct sdi *s, const char *path);
/* One error line for a failed fs call on path (rc: -NOS_E*); returns 1. */
int sdi_fail(struct sdi *s, const char *path, int rc);
/* One error line about host file `host` (errno e, what: the action or
 * NULL); returns 1. */
int sdi_host_fail(struct sdi *s, const char *host, int e, const char *what);

/* ---- volume paths */
/* dir + "/" + name into out[FS_PATH_MAX]. 0, or 1 after an error line. */
int sdi_join(struct sdi *s, const char *dir, const char *name, char *out);
/* 1 if path is a directory on the volume, 0 if not or missing. */
int sdi_is_dir(struct sdi *s, const char *path);
/* A directory's entries, sorted by name; *out is malloc'd (free it).
 * 0, or 1 after an error line. */
int sdi_list(struct sdi *s, const char *path, struct fs_dirent **out, size_t *count);

/* ---- copying */
/* Host file `host` to volume file dst (created or replaced; on a failure
 * no half file is left). 0, or 1 after an error line. */
int sdi_copy_in(struct sdi *s, const char *host, const char *dst);

/* ---- the userland (sdimage_rootfs.c, sdimage_rootfs_record.c) */
/* `update-rootfs IMG`: boots the volume itself. Exit status. */
int verb_update_rootfs(struct sdi *s, int argc, char **argv);
/* After `create --rootfs DIR` put DIR on the booted volume: record which
 * programs of /bin came from DIR/bin, with their size and checksum, in
 * /etc/rootfs.manifest (nothing when DIR has no bin/). 0, or 1 after an
 * error line. */
int sdi_record_userland(struct sdi *s, const char *rootfs);

#endif
