# tests/fuse: plain Linux programs that exercise a mounted directory (a
# `nanoos mount`, or tmpfs to prove the programs themselves right); run by
# tests/integration/fuse-posix.sh. No libnanoos: they only make system calls.
FUSE_TEST_TOOLS := fuse_posix fuse_fsx fuse_par
FUSE_TEST_COMMON := tests/fuse/fcheck.c
ALL_EXTRA += $(FUSE_TEST_TOOLS:%=$(BUILD)/tests/tools/%)

$(BUILD)/tests/tools/fuse_%: tests/fuse/fuse_%.c $(FUSE_TEST_COMMON) tests/fuse/fcheck.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< $(FUSE_TEST_COMMON) -o $@ $(LDFLAGS)
