# nanoosd/: the daemon and the client protocol it shares with cli/.
LINUX_SRC += nanoosd/ctl.c

# The daemon: its own files, and the instance boot it shares with
# `nanoos run` (cli/instance.c; host_tty.c for the in-process console).
NANOOSD_SRC := $(filter-out nanoosd/ctl.c,$(wildcard nanoosd/*.c)) cli/instance.c cli/host_tty.c
ALL_EXTRA += $(BUILD)/bin/nanoosd $(BUILD)/tests/tools/daemon_client

$(BUILD)/bin/nanoosd: $(NANOOSD_SRC) $(wildcard nanoosd/*.h) cli/instance.h cli/host_tty.h \
		$(HEADERS) $(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(NANOOSD_SRC) -o $@ $(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS)

# The test client of tests/integration/daemon.sh: raw frames to the daemon.
$(BUILD)/tests/tools/daemon_client: tests/tools/daemon_client.c $(HEADERS) \
		$(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $< -o $@ $(BUILD)/lib/libnanoos_threads.a $(LDFLAGS) $(LDLIBS)
