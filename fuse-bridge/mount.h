/*
 * mount.h: the `nanoos mount` and `nanoos umount` verbs (fuse-bridge/mount.c,
 * fuse-bridge/umount.c), mains for cli/nanoos.c's table.
 */
#ifndef NOS_FB_MOUNT_H
#define NOS_FB_MOUNT_H

/* nanoos mount [--image IMG] DIR [-o OPTS] [--foreground] */
int mount_main(int argc, char **argv);
/* nanoos umount DIR */
int umount_main(int argc, char **argv);

#endif
