/*
 * volume.c: boot and halt sdcard + fs over an image file (volume.h).
 * Linux (the image file); the processes themselves are portable.
 */
#include <stdlib.h>
#include <string.h>

#include "kproc/fat.h"
#include "kproc/kproc.h"
#include "kproc/sdcard.h"
#include "sdimage/volume.h"

void volume_init(struct volume *v)
{
	memset(v, 0, sizeof(*v));
	v->sd = MSG_PID_NONE;
	v->fs = MSG_PID_NONE;
}

int volume_start_card(struct volume *v)
{
	int r = sdcard_start(&v->file.be, &v->sd);

	if (r < 0)
		v->sd = MSG_PID_NONE;
	return r;
}

int volume_start_fs(struct volume *v, int read_only, int repair, uint32_t (*now)(void *ctx))
{
	int r;

	memset(&v->cfg, 0, sizeof(v->cfg));
	v->cfg.sdcard = v->sd;
	v->cfg.mount_flags = read_only ? FAT_MOUNT_RO : 0;
	v->cfg.now = now;
	if (repair) {
		v->cfg.alloc = malloc;
		v->cfg.release = free;
	}
	r = fs_start(&v->cfg, &v->fs);
	if (r < 0)
		v->fs = MSG_PID_NONE;
	return r;
}

void volume_stop_fs(struct volume *v)
{
	if (v->fs != MSG_PID_NONE)
		kproc_stop(v->fs, MSG_FOREVER);
	v->fs = MSG_PID_NONE;
}

int volume_halt(struct volume *v)
{
	int r = 0, e;

	if (v->fs != MSG_PID_NONE) {
		if (!(v->cfg.mount_flags & FAT_MOUNT_RO))
			r = fs_sync(v->fs);
		e = kproc_stop(v->fs, MSG_FOREVER);
		r = r < 0 ? r : e;
		v->fs = MSG_PID_NONE;
	}
	if (v->sd != MSG_PID_NONE) {
		e = kproc_stop(v->sd, MSG_FOREVER);
		r = r < 0 ? r : e;
		v->sd = MSG_PID_NONE;
	}
	if (v->file_open) {
		e = sd_file_close(&v->file);
		r = r < 0 ? r : e;
		v->file_open = 0;
	}
	return r;
}
