/*
 * remote.h: what the remote backend (fuse-bridge/remote.c) offers beyond
 * fb_remote_open (fuse-bridge/backend.h).
 */
#ifndef NOS_FB_REMOTE_H
#define NOS_FB_REMOTE_H

#include "fuse-bridge/backend.h"

/* The mount point, for the message when the daemon goes away ("run nanoos
 * umount DIR"); b from fb_remote_open. Without it the message says DIR. */
void fb_remote_mountpoint(struct fb_backend *b, const char *dir);

#endif
