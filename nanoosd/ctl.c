/*
 * ctl.c: the wire layouts of the client protocol (nanoosd/ctl.h), shared
 * by the daemon and the `nanoos` command.
 */
#include <stddef.h>
#include <string.h>

#include "kproc/nos_errno.h"
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
static const struct wire_field fs_path_fields[] = {
	F(ctl_fs_path, flags, WIRE_U32), F(ctl_fs_path, atime, WIRE_U32),
	F(ctl_fs_path, mtime, WIRE_U32), B(ctl_fs_path, path, FS_PATH_MAX),
};
static const struct wire_field fs_handle_fields[] = {
	F(ctl_fs_handle, handle, WIRE_U32), F(ctl_fs_handle, arg, WIRE_U32),
};
static const struct wire_field fs_io_fields[] = {   /* CTL_FS_IO_FIXED bytes, then data */
	F(ctl_fs_io, handle, WIRE_U32), F(ctl_fs_io, len, WIRE_U32),
	F(ctl_fs_io, offset, WIRE_U64), B(ctl_fs_io, data, CTL_FS_DATA_MAX),
};
static const struct wire_field fs_stat_fields[] = {
	F(ctl_fs_stat, handle, WIRE_U32), B(ctl_fs_stat, path, FS_PATH_MAX),
	F(ctl_fs_stat, st.size, WIRE_U32), F(ctl_fs_stat, st.mtime, WIRE_U32),
	F(ctl_fs_stat, st.ctime, WIRE_U32), F(ctl_fs_stat, st.atime, WIRE_U32),
	F(ctl_fs_stat, st.attr, WIRE_U8), F(ctl_fs_stat, st.is_dir, WIRE_U8),
};
static const struct wire_field fs_readdir_fields[] = {
	F(ctl_fs_readdir, handle, WIRE_U32), F(ctl_fs_readdir, max, WIRE_U32),
	B(ctl_fs_readdir, recs, CTL_FS_RECS_MAX),
};
static const struct wire_field fs_rename_fields[] = {
	F(ctl_fs_rename, flags, WIRE_U32), B(ctl_fs_rename, from, FS_PATH_MAX),
	B(ctl_fs_rename, to, FS_PATH_MAX),
};
static const struct wire_field fs_statfs_fields[] = {
	F(ctl_fs_statfs, total_clusters, WIRE_U32), F(ctl_fs_statfs, free_clusters, WIRE_U32),
	F(ctl_fs_statfs, cluster_size, WIRE_U32), F(ctl_fs_statfs, fat_type, WIRE_U8),
	F(ctl_fs_statfs, dirty_at_mount, WIRE_U8), B(ctl_fs_statfs, label, 12),
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
	LAYOUT(CTL_MSG_FS_OPEN, ctl_fs_path, fs_path_fields),
	LAYOUT(CTL_MSG_FS_CLOSE, ctl_fs_handle, fs_handle_fields),
	LAYOUT(CTL_MSG_FS_READ, ctl_fs_io, fs_io_fields),
	LAYOUT(CTL_MSG_FS_WRITE, ctl_fs_io, fs_io_fields),
	LAYOUT(CTL_MSG_FS_FTRUNCATE, ctl_fs_handle, fs_handle_fields),
	LAYOUT(CTL_MSG_FS_FSYNC, ctl_fs_handle, fs_handle_fields),
	LAYOUT(CTL_MSG_FS_FSTAT, ctl_fs_stat, fs_stat_fields),
	LAYOUT(CTL_MSG_FS_STAT, ctl_fs_stat, fs_stat_fields),
	LAYOUT(CTL_MSG_FS_READDIR, ctl_fs_readdir, fs_readdir_fields),
	LAYOUT(CTL_MSG_FS_MKDIR, ctl_fs_path, fs_path_fields),
	LAYOUT(CTL_MSG_FS_RMDIR, ctl_fs_path, fs_path_fields),
	LAYOUT(CTL_MSG_FS_UNLINK, ctl_fs_path, fs_path_fields),
	LAYOUT(CTL_MSG_FS_RENAME, ctl_fs_rename, fs_rename_fields),
	LAYOUT(CTL_MSG_FS_STATFS, ctl_fs_statfs, fs_statfs_fields),
	LAYOUT(CTL_MSG_FS_SYNC, ctl_fs_handle, fs_handle_fields),
	LAYOUT(CTL_MSG_FS_UTIMENS, ctl_fs_path, fs_path_fields),
	LAYOUT(CTL_MSG_FS_SETRO, ctl_fs_path, fs_path_fields),
};
const size_t ctl_nlayouts = sizeof(ctl_layouts) / sizeof(ctl_layouts[0]);

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Encode with the last buffer empty, then make the header and that
 * buffer's length say data_len: on the wire a buffer is its u32 length
 * then its bytes (msg/wire.h), so the head ends with that length. */
int32_t ctl_encode_head(uint16_t type, uint16_t flags, int32_t status, uint32_t tag,
                        const void *payload, uint32_t data_len, uint8_t *out, size_t cap)
{
	const struct wire_layout *l = wire_layout_find(ctl_layouts, ctl_nlayouts, type);
	const struct wire_field *last;
	union ctl_payload copy;
	static const char none[1];
	const void *ptr = none;
	uint32_t zero = 0;
	struct wire_header h;
	int32_t n;
	msg_t m;

	if (!l || !l->nfields || l->struct_size > sizeof(copy))
		return -NOS_EINVAL;
	last = &l->fields[l->nfields - 1];
	if (last->kind != WIRE_BUF || data_len > last->max_len)
		return -NOS_EINVAL;
	memcpy(&copy, payload, l->struct_size);
	memcpy((uint8_t *)&copy + last->offset, &ptr, sizeof(ptr));
	memcpy((uint8_t *)&copy + last->len_offset, &zero, sizeof(zero));
	msg_init(&m, type, &copy, l->struct_size);
	m.flags = flags;
	m.status = status;
	m.from = tag;
	n = wire_encode(l, &m, out, cap);
	if (n < 0)
		return n;
	if (wire_header_decode(out, (size_t)n, &h) < 0 ||
	    (uint64_t)h.length + data_len > WIRE_MAX_PAYLOAD)
		return -NOS_EMSGSIZE;
	h.length += data_len;
	wire_header_encode(&h, out);
	put_le32(out + n - 4, data_len);
	return n;
}
