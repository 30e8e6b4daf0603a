/*
 * volume.h: the two kernel processes that serve a volume -- sdcard over an
 * image file (sdimage/sd_file.h: locked, its holder named to a second
 * opener) and fs over sdcard -- booted and halted in the calling process,
 * which becomes their parent (fs trusts its parent). Shared by the tools
 * that open an image without a daemon: `nanoos sdimage` (cli/sdimage_cmd.c)
 * and the local backend of `nanoos mount` (fuse-bridge/local.c), so there
 * is one way to bring a volume up and down. Linux.
 *
 * Use: volume_init; sd_file_open(&v->file, ...) and set file_open (or let
 * the caller format first); volume_start_card; volume_start_fs; ... fs_*
 * messages to v->fs ...; volume_halt.
 */
#ifndef NOS_VOLUME_H
#define NOS_VOLUME_H

#include "kproc/fs.h"
#include "sdimage/sd_file.h"

struct volume {
	struct sd_file file;
	struct fs_config cfg;           /* fs's: cfg.err says why a mount failed */
	msg_pid_t sd, fs;               /* MSG_PID_NONE when not running */
	int file_open;
};

void volume_init(struct volume *v);
/* Start sdcard over the open image file. 0 or -NOS_E*. */
int volume_start_card(struct volume *v);
/* Start fs over the card and mount the volume (read-only or not). repair:
 * lend memory so that a volume found dirty is repaired at mount. now: the
 * clock for timestamps. 0, or the mount's error (v->cfg.err says what). */
int volume_start_fs(struct volume *v, int read_only, int repair, uint32_t (*now)(void *ctx));
/* Stop fs (it unmounts; nothing is synced first). */
void volume_stop_fs(struct volume *v);
/* Sync (unless mounted read-only), stop fs and sdcard, unlock the image.
 * 0 or the first error. Safe on a volume half booted. */
int volume_halt(struct volume *v);

#endif
