/*
 * test_fs_policy.c: the fixed permission policy and path canonicalisation
 * of fs (kproc/fs_policy.h), table-driven.
 */
#include <string.h>

#include "kproc/fs_policy.h"
#include "kproc/nos_errno.h"
#include "testutil.h"

struct canon_case {
	const char *cwd;
	const char *path;
	int result;
	const char *out;
};

static const struct canon_case canon_cases[] = {
	{ NULL, "/", 0, "/" },
	{ NULL, "/etc/passwd", 0, "/etc/passwd" },
	{ NULL, "//etc///passwd/", 0, "/etc/passwd" },
	{ NULL, "/tmp/../etc/shadow", 0, "/etc/shadow" },
	{ NULL, "/../../etc", 0, "/etc" },
	{ NULL, "/a/./b/../c", 0, "/a/c" },
	{ "/home/user", "notes.txt", 0, "/home/user/notes.txt" },
	{ "/home/user", "../../etc/shadow", 0, "/etc/shadow" },
	{ "/", "..", 0, "/" },
	{ "/home/user", ".", 0, "/home/user" },
	{ NULL, "relative", -NOS_EINVAL, NULL },
	{ NULL, "", -NOS_ENOENT, NULL },
	{ NULL, "/etc./shadow", -NOS_EINVAL, NULL },
	{ NULL, "/etc /shadow", -NOS_EINVAL, NULL },
	{ NULL, "/tmp/x.", -NOS_EINVAL, NULL },
	{ NULL, "/tmp/...", -NOS_EINVAL, NULL },
	{ NULL, "/tmp/.hidden", 0, "/tmp/.hidden" },
};

START_TEST(test_canon_table)
{
	const struct canon_case *c = &canon_cases[_i];
	char out[FS_PATH_MAX];
	int r = fs_path_canon(c->cwd, c->path, out);

	ck_assert_msg(r == c->result, "canon(%s, %s) = %d, want %d", c->cwd ? c->cwd : "-",
	              c->path, r, c->result);
	if (c->out)
		ck_assert_str_eq(out, c->out);
}
END_TEST

START_TEST(test_canon_lengths)
{
	static char path[FS_PATH_MAX + 8], out[FS_PATH_MAX];
	size_t i;

	/* The longest path that fits, and one byte more. */
	path[0] = '/';
	for (i = 1; i < FS_PATH_MAX - 1; i++)
		path[i] = 'a';
	path[FS_PATH_MAX - 1] = 0;
	ck_assert_int_eq(fs_path_canon(NULL, path, out), 0);
	ck_assert_uint_eq(strlen(out), FS_PATH_MAX - 1);
	path[FS_PATH_MAX - 1] = 'a';
	path[FS_PATH_MAX] = 0;
	ck_assert_int_eq(fs_path_canon(NULL, path, out), -NOS_ENAMETOOLONG);
	/* A long cwd plus a relative path over the limit. */
	path[FS_PATH_MAX - 1] = 0;
	ck_assert_int_eq(fs_path_canon(path, "more", out), -NOS_ENAMETOOLONG);
	/* ".." collapses enough to fit again. */
	ck_assert_int_eq(fs_path_canon(path, "../b", out), 0);
	ck_assert_str_eq(out, "/b");
}
END_TEST

struct policy_case {
	uint32_t uid;
	const char *user;
	const char *path;
	unsigned access;
	int result;
};

#define OK 0
#define NO (-NOS_EACCES)
#define R FS_READ
#define W FS_WRITE

static const struct policy_case policy_cases[] = {
	/* root may do everything */
	{ 0, "root", "/etc/shadow", R | W, OK },
	{ 0, "root", "/bin/sh", W, OK },
	{ 0, "root", "/home/alice/x", W, OK },
	/* system directories: read by all, written by root only */
	{ 1000, "alice", "/bin/sh", R, OK },
	{ 1000, "alice", "/bin/sh", W, NO },
	{ 1000, "alice", "/bin", W, NO },
	{ 1000, "alice", "/sbin/init", W, NO },
	{ 1000, "alice", "/lib/x", W, NO },
	{ 1000, "alice", "/usr/share/doc", W, NO },
	{ 1000, "alice", "/etc/passwd", R, OK },
	{ 1000, "alice", "/etc/passwd", W, NO },
	{ 1000, "alice", "/ETC/PASSWD", W, NO },          /* FAT is case-blind */
	{ 1000, "alice", "/BiN/evil", W, NO },
	/* shadow: root only, even to read */
	{ 1000, "alice", "/etc/shadow", R, NO },
	{ 1000, "alice", "/Etc/Shadow", R, NO },
	{ 1000, "alice", "/etc/shadow", W, NO },
	{ 1000, "alice", "/etc/shadow+", R, NO },         /* the new one, being written */
	{ 1000, "alice", "/etc/SHADOW-", R, NO },         /* the old one */
	/* a name that only starts like a system directory is not one */
	{ 1000, "alice", "/binder", W, NO },              /* root's: not writable */
	{ 1000, "alice", "/binder", R, OK },
	{ 1000, "alice", "/etc/shadowy", R, OK },
	/* homes */
	{ 1000, "alice", "/home/alice", W, OK },
	{ 1000, "alice", "/home/alice/notes.txt", W, OK },
	{ 1000, "alice", "/home/ALICE/deep/er/file", W, OK },
	{ 1000, "alice", "/home/bob/notes.txt", W, NO },
	{ 1000, "alice", "/home/bob/notes.txt", R, OK },
	{ 1000, "alice", "/home/alicex/f", W, NO },
	{ 1000, "alice", "/home/alic/f", W, NO },
	{ 1000, "alice", "/home", W, NO },
	{ 1000, "", "/home/x", W, NO },
	/* /tmp: open to all inside; /tmp itself is root's */
	{ 1000, "alice", "/tmp/x", R | W, OK },
	{ 1000, "alice", "/TMP/x", W, OK },
	{ 1000, "alice", "/tmp", W, NO },
	{ 1000, "alice", "/tmpfoo", W, NO },
	/* adding entries inside a directory */
	{ 1000, "alice", "/tmp", FS_WRITE_IN, OK },
	{ 1000, "alice", "/tmp/sub", FS_WRITE_IN, OK },
	{ 1000, "alice", "/home/alice", FS_WRITE_IN, OK },
	{ 1000, "alice", "/home/alice/d", FS_WRITE_IN, OK },
	{ 1000, "alice", "/home/bob", FS_WRITE_IN, NO },
	{ 1000, "alice", "/home", FS_WRITE_IN, NO },
	{ 1000, "home", "/home", FS_WRITE_IN, NO },
	{ 1000, "alice", "/", FS_WRITE_IN, NO },
	{ 1000, "alice", "/etc", FS_WRITE_IN, NO },
	{ 1000, "alice", "/bin", FS_WRITE_IN, NO },
	{ 0, "root", "/etc", FS_WRITE_IN, OK },
	/* the rest: root's, readable by all */
	{ 1000, "alice", "/", R, OK },
	{ 1000, "alice", "/", W, NO },
	{ 1000, "alice", "/data/file", W, NO },
	{ 1000, "alice", "/data/file", R, OK },
};

START_TEST(test_policy_table)
{
	const struct policy_case *c = &policy_cases[_i];
	struct fs_cred cred;

	memset(&cred, 0, sizeof(cred));
	cred.uid = c->uid;
	strncpy(cred.name, c->user, sizeof(cred.name) - 1);
	ck_assert_msg(fs_policy_check(&cred, c->path, c->access) == c->result,
	              "uid %u (%s) %s%s %s: want %d", (unsigned)c->uid, c->user,
	              c->access & R ? "r" : "", c->access & W ? "w" : "", c->path, c->result);
}
END_TEST

/* Canonicalise-then-check: traversal tricks never escape the policy. */
START_TEST(test_traversal_cannot_escape)
{
	static const char *const tricks[] = {
		"/tmp/../etc/shadow", "/home/alice/../../etc/shadow", "/tmp/./../ETC/SHADOW",
		"/tmp/x/../../etc/shadow",
	};
	struct fs_cred alice = { 1000, "alice" };
	char canon[FS_PATH_MAX];
	unsigned i;

	for (i = 0; i < sizeof(tricks) / sizeof(tricks[0]); i++) {
		ck_assert_int_eq(fs_path_canon(NULL, tricks[i], canon), 0);
		ck_assert_int_eq(fs_policy_check(&alice, canon, FS_READ), -NOS_EACCES);
	}
	ck_assert_int_eq(fs_path_canon("/tmp", "../etc/shadow", canon), 0);
	ck_assert_int_eq(fs_policy_check(&alice, canon, FS_READ), -NOS_EACCES);
}
END_TEST

static Suite *fs_policy_suite(void)
{
	Suite *s = suite_create("fs_policy");
	TCase *tc = tcase_create("policy");

	tcase_add_loop_test(tc, test_canon_table, 0, sizeof(canon_cases) / sizeof(canon_cases[0]));
	tcase_add_test(tc, test_canon_lengths);
	tcase_add_loop_test(tc, test_policy_table, 0,
	                    sizeof(policy_cases) / sizeof(policy_cases[0]));
	tcase_add_test(tc, test_traversal_cannot_escape);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(fs_policy_suite)
