# fuse-bridge/: `nanoos mount` and `nanoos umount`, linked into the nanoos
# command (the Makefile's nanoos rule uses these three lists).
CLI_EXTRA_SRC += $(wildcard fuse-bridge/*.c)
CLI_CFLAGS += $(shell pkg-config --cflags fuse3)
CLI_LDLIBS += $(shell pkg-config --libs fuse3)
