# tests/fsfwd: the test client of nanoosd's FUSE forwarding (the remote
# backend without FUSE, and malformed FS frames); run by
# tests/integration/fuse-daemon.sh.
FSFWD_CLIENT_SRC := tests/fsfwd/fsfwd_client.c fuse-bridge/remote.c cli/client.c cli/cli_util.c
ALL_EXTRA += $(BUILD)/tests/tools/fsfwd_client

$(BUILD)/tests/tools/fsfwd_client: $(FSFWD_CLIENT_SRC) $(HEADERS) cli/client.h cli/cli_util.h \
		$(BUILD)/lib/libnanoos_threads.a
	@mkdir -p $(dir $@)
	@echo "  CCLD    $@"
	$(Q)$(CC) $(CFLAGS) $(FSFWD_CLIENT_SRC) -o $@ $(BUILD)/lib/libnanoos_threads.a \
		$(LDFLAGS) $(LDLIBS)
