/*
 * ctl.c: the wire layouts of the client protocol (nanoosd/ctl.h), shared
 * by the daemon and the `nanoos` command.
 */
#include <stddef.h>

#include "nanoosd/ctl.h"

#define F(st, f, k) WIRE_FIELD(struct st, f, k)
#define B(st, p, max) WIRE_BUFFER(struct st, p, p##_len, max)
#define LAYOUT(type, st, fields) \
	{ type, sizeof(struct st), sizeof(fields) / sizeof(fields[0]), fields }

static const struct wire_field hello_fields[] = {
	F(ctl_hello, version, WIRE_U32), F(ctl_hello, pid, WIRE_U32), F(ctl_hello, uid, WIRE_U32),
	B(ctl_hello, image, 4096), B(ctl_hello, account, 64),
};
static const struct wire_field text_fields[] = { B(ctl_text, text, CTL_TEXT_MAX) };
static const struct wire_field upload_fields[] = {
	F(ctl_upload, offset, WIRE_U32), F(ctl_upload, total, WIRE_U32),
	B(ctl_upload, data, CTL_DATA_MAX),
};
static const struct wire_field run_fields[] = {
	F(ctl_run, flags, WIRE_U32), F(ctl_run, rows, WIRE_U16), F(ctl_run, cols, WIRE_U16),
	F(ctl_run, mem, WIRE_U32), B(ctl_run, prog, 4096), B(ctl_run, argv, CTL_ARGS_MAX),
	B(ctl_run, envp, CTL_ARGS_MAX), B(ctl_run, cwd, 1024),
};
static const struct wire_field data_fields[] = {
	F(ctl_data, stream, WIRE_U32), B(ctl_data, data, CTL_DATA_MAX),
};
static const struct wire_field winsize_fields[] = {
	F(ctl_winsize, rows, WIRE_U16), F(ctl_winsize, cols, WIRE_U16),
};
static const struct wire_field signal_fields[] = { F(ctl_signal, sig, WIRE_U32) };
static const struct wire_field exit_fields[] = { F(ctl_exit, wstatus, WIRE_U32) };
static const struct wire_field kill_fields[] = {
	F(ctl_kill, pid, WIRE_U32), F(ctl_kill, sig, WIRE_U32),
};
static const struct wire_field ps_fields[] = {
	F(ctl_ps, skip, WIRE_U32), F(ctl_ps, total, WIRE_U32),
	B(ctl_ps, recs, CTL_PS_RECS_MAX * CTL_PS_REC),
};
static const struct wire_field status_fields[] = {
	F(ctl_status, pid, WIRE_U32), F(ctl_status, procs, WIRE_U32),
	F(ctl_status, sessions, WIRE_U32), F(ctl_status, workers, WIRE_U32),
	F(ctl_status, started, WIRE_U64), F(ctl_status, mem_used, WIRE_U64),
	F(ctl_status, rss, WIRE_U64), F(ctl_status, vol_total, WIRE_U64),
	F(ctl_status, vol_free, WIRE_U64), B(ctl_status, image, 4096),
	B(ctl_status, version, 64),
};

const struct wire_layout ctl_layouts[] = {
	LAYOUT(CTL_MSG_HELLO, ctl_hello, hello_fields),
	LAYOUT(CTL_MSG_ERROR, ctl_text, text_fields),
	LAYOUT(CTL_MSG_UPLOAD, ctl_upload, upload_fields),
	LAYOUT(CTL_MSG_RUN, ctl_run, run_fields),
	LAYOUT(CTL_MSG_INPUT, ctl_data, data_fields),
	LAYOUT(CTL_MSG_OUTPUT, ctl_data, data_fields),
	LAYOUT(CTL_MSG_WINSIZE, ctl_winsize, winsize_fields),
	LAYOUT(CTL_MSG_SIGNAL, ctl_signal, signal_fields),
	LAYOUT(CTL_MSG_EXIT, ctl_exit, exit_fields),
	LAYOUT(CTL_MSG_PS, ctl_ps, ps_fields),
	LAYOUT(CTL_MSG_KILL, ctl_kill, kill_fields),
	LAYOUT(CTL_MSG_STATUS, ctl_status, status_fields),
	LAYOUT(CTL_MSG_STOP, ctl_text, text_fields),
};
const size_t ctl_nlayouts = sizeof(ctl_layouts) / sizeof(ctl_layouts[0]);
