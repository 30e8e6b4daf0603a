# cli/: the nanoos command itself is built by the Makefile (every cli/*.c);
# here, the binfmt_misc interpreter (cli/binfmt/), a program of its own that
# `nanoos binfmt install` registers and packaging/binfmt/nanoos.conf names
# (installed as /usr/lib/nanoos/nanoos-binfmt).
ALL_EXTRA += $(BUILD)/lib/nanoos/nanoos-binfmt

# It shares cli_util.c (cli_beside_self) with nanoos, and nothing else.
$(BUILD)/lib/nanoos/nanoos-binfmt: cli/binfmt/nanoos-binfmt.c cli/cli_util.c cli/cli_util.h
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) cli/binfmt/nanoos-binfmt.c cli/cli_util.c -o $@ $(LDFLAGS)
