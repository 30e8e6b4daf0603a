# cli/: the nanoos command itself is built by the Makefile (every cli/*.c);
# here, the binfmt_misc interpreter (cli/binfmt/), a program of its own that
# `nanoos binfmt install` registers and packaging/binfmt/nanoos.conf names
# (installed as /usr/lib/nanoos/nanoos-binfmt).
ALL_EXTRA += $(BUILD)/lib/nanoos/nanoos-binfmt

$(BUILD)/lib/nanoos/nanoos-binfmt: cli/binfmt/nanoos-binfmt.c
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(LDFLAGS)
