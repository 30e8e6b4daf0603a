/*
 * test_users.c: the users kernel process over fs over a RAM card:
 * LOOKUP by name and uid, LOGIN right and wrong (an unknown user gets the
 * same answer after the same delay, and the delay holds no other request
 * up), PASSWD's rules and the shadow file it rewrites, malformed lines
 * skipped, locked and empty hashes refused, senders that are not trusted
 * refused. Hashing is the Linux port's (libcrypt).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/fs.h"
#include "kproc/kproc.h"
#include "kproc/users.h"
#include "sdimage/fat_format.h"
#include "testutil.h"

#define CARD_BYTES (8u << 20)
#define DELAY_NS 300000000          /* 0.3 s after a failed login */

static uint8_t card[CARD_BYTES];
static struct sd_ram ram;
static struct sd_backend ram_be;
static struct fs_config fcfg;
static struct users_config ucfg;
static msg_pid_t sd, fs, users;

static const struct fs_cred root = { 0, "root" };

static uint32_t fixed_clock(void *ctx)
{
	(void)ctx;
	return 1700000000u;     /* day 19675 since 1970 */
}

static void write_file(const char *path, const char *text)
{
	int h = fs_open(fs, &root, path, FS_O_WRONLY | FS_O_CREAT | FS_O_TRUNC);

	ck_assert_int_ge(h, 0);
	ck_assert_int_eq(fs_pwrite(fs, h, text, (uint32_t)strlen(text), 0), (int)strlen(text));
	ck_assert_int_eq(fs_close(fs, h), 0);
}

/* The whole file into buf[n]: its length, or -errno. */
static int read_file(const char *path, char *buf, uint32_t n)
{
	int h = fs_open(fs, &root, path, FS_O_RDONLY), r;

	if (h < 0)
		return h;
	r = fs_pread(fs, h, buf, n - 1, 0);
	fs_close(fs, h);
	buf[r < 0 ? 0 : r] = 0;
	return r;
}

static char root_hash[160], user_hash[160];

static void write_accounts(void)
{
	static char shadow[2048];
	static char long_line[700];

	memset(long_line, 'z', sizeof(long_line) - 1);
	long_line[sizeof(long_line) - 1] = 0;
	static char passwd[2048];

	snprintf(passwd, sizeof(passwd),
	           "# accounts\n"
	           "%s:x:5:5::/:/bin/sh\n"
	           "root:x:0:0:root:/root:/bin/sh\n"
	           "broken line without colons\n"
	           "bad:x:notanumber:0::/:/bin/sh\n"
	           "toolong:x:1:1::/home/toolong\n"
	           "\n"
	           "user:x:1000:1000:A User:/home/user:/bin/sh\n"
	           "locked:x:1001:1001::/home/locked:/bin/sh\n"
	           "empty:x:1002:1002::/home/empty:/bin/sh\n"
	           "huge:x:4294967295:7::/:/bin/sh\n", long_line);
	write_file("/etc/passwd", passwd);
	snprintf(shadow, sizeof(shadow),
	         "root:%s:19000:0:99999:7:::\n"
	         "garbage\n"
	         "user:%s:19000:0:99999:7:::\n"
	         "locked:*:19000:0:99999:7:::\n"
	         "empty::19000:0:99999:7:::\n",
	         root_hash, user_hash);
	write_file("/etc/shadow", shadow);
}

static void setup(void)
{
	struct fat_format_opts opts;
	char err[160];

	ck_assert_int_eq(msg_init_runtime("main"), 0);
	memset(card, 0xa5, sizeof(card));
	ck_assert_int_eq(sd_ram_init(&ram, card, sizeof(card), 0, &ram_be), 0);
	memset(&opts, 0, sizeof(opts));
	opts.label = "NANOOS";
	ck_assert_msg(sdimage_format(&ram_be, 0, &opts, NULL, err, sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(sdcard_start(&ram_be, &sd), 0);
	memset(&fcfg, 0, sizeof(fcfg));
	fcfg.sdcard = sd;
	fcfg.now = fixed_clock;
	ck_assert_msg(fs_start(&fcfg, &fs) == 0, "fs_start: %s", fcfg.err);
	ck_assert_int_eq(fs_mkdir(fs, &root, "/etc"), 0);
	if (root_hash[0] == 0) {
		ck_assert_int_eq(users_crypt_hash("rootpw", root_hash, sizeof(root_hash)), 0);
		ck_assert_int_eq(users_crypt_hash("userpw", user_hash, sizeof(user_hash)), 0);
	}
	write_accounts();
	memset(&ucfg, 0, sizeof(ucfg));
	ucfg.fs = fs;
	ucfg.hash = users_crypt_hash;
	ucfg.verify = users_crypt_verify;
	ucfg.fail_delay_ns = DELAY_NS;
	ck_assert_int_eq(users_start(&ucfg, &users), 0);
}

static void teardown(void)
{
	ck_assert_int_eq(kproc_stop(users, MSG_FOREVER), 0);
	ck_assert_int_eq(kproc_stop(fs, MSG_FOREVER), 0);
	ck_assert_int_eq(kproc_stop(sd, MSG_FOREVER), 0);
	ck_assert_int_eq(msg_shutdown_runtime(), 0);
}

static void req_init(struct users_req *q, const char *name, const char *pw, const char *new_pw)
{
	memset(q, 0, sizeof(*q));
	snprintf(q->name, sizeof(q->name), "%s", name);
	q->password = pw;
	q->new_password = new_pw;
}

static int ask(uint16_t type, struct users_req *q)
{
	msg_t m;

	msg_init(&m, type, q, sizeof(*q));
	return msg_call(users, &m, MSG_FOREVER);
}

static int login(const char *name, const char *pw)
{
	struct users_req q;

	req_init(&q, name, pw, NULL);
	return ask(USERS_MSG_LOGIN, &q);
}

static int passwd(uint32_t caller, const char *name, const char *old, const char *new_pw)
{
	struct users_req q;

	req_init(&q, name, old, new_pw);
	q.caller_uid = caller;
	return ask(USERS_MSG_PASSWD, &q);
}

/* ---------------------------------------------------------------- lookup */

START_TEST(test_lookup_by_name_and_uid)
{
	struct users_req q;

	req_init(&q, "user", NULL, NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), 0);
	ck_assert_uint_eq(q.acct.uid, 1000);
	ck_assert_uint_eq(q.acct.gid, 1000);
	ck_assert_str_eq(q.acct.name, "user");
	ck_assert_str_eq(q.acct.home, "/home/user");
	ck_assert_str_eq(q.acct.shell, "/bin/sh");
	req_init(&q, "", NULL, NULL);
	q.uid = 0;
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), 0);
	ck_assert_str_eq(q.acct.name, "root");
	ck_assert_str_eq(q.acct.home, "/root");
	q.uid = 4294967295u;
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), 0);
	ck_assert_str_eq(q.acct.name, "huge");
	ck_assert_uint_eq(q.acct.gid, 7);
	q.uid = 4242;
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), -NOS_ENOENT);
	req_init(&q, "nobody", NULL, NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), -NOS_ENOENT);
	/* Case matters in account names (fs folds case in paths, not here). */
	req_init(&q, "USER", NULL, NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), -NOS_ENOENT);
}
END_TEST

START_TEST(test_malformed_lines_are_skipped)
{
	static const char *const bad[] = { "broken line without colons", "bad", "toolong", "#" };
	struct users_req q;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req_init(&q, bad[i], NULL, NULL);
		ck_assert_msg(ask(USERS_MSG_LOOKUP, &q) == -NOS_ENOENT, "%s was parsed", bad[i]);
	}
	/* A line longer than users reads: skipped whole, not cut. */
	req_init(&q, "", NULL, NULL);
	q.uid = 5;
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), -NOS_ENOENT);
	/* A name without its NUL inside the field is refused, not overread. */
	req_init(&q, "", NULL, NULL);
	memset(q.name, 'a', sizeof(q.name));
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), -NOS_EINVAL);
}
END_TEST

START_TEST(test_no_passwd_file)
{
	struct users_req q;

	ck_assert_int_eq(fs_unlink(fs, &root, "/etc/passwd"), 0);
	req_init(&q, "root", NULL, NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &q), -NOS_ENOENT);
	ck_assert_int_eq(login("root", "rootpw"), -NOS_EACCES);
}
END_TEST

/* ---------------------------------------------------------------- login */

START_TEST(test_login_right_and_wrong)
{
	struct users_req q;

	req_init(&q, "user", "userpw", NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOGIN, &q), 0);
	ck_assert_uint_eq(q.acct.uid, 1000);
	ck_assert_str_eq(q.acct.home, "/home/user");
	ck_assert_int_eq(login("root", "rootpw"), 0);
	ck_assert_int_eq(login("root", "userpw"), -NOS_EACCES);
	ck_assert_int_eq(login("user", ""), -NOS_EACCES);
	ck_assert_int_eq(login("nosuchuser", "userpw"), -NOS_EACCES);
	ck_assert_int_eq(login("", "userpw"), -NOS_EACCES);
	/* A locked ('*') or empty hash never matches, whatever is typed. */
	ck_assert_int_eq(login("locked", "*"), -NOS_EACCES);
	ck_assert_int_eq(login("locked", ""), -NOS_EACCES);
	ck_assert_int_eq(login("empty", ""), -NOS_EACCES);
	ck_assert_int_eq(login("empty", "x"), -NOS_EACCES);
	/* No password pointer at all. */
	ck_assert_int_eq(login("user", NULL), -NOS_EINVAL);
}
END_TEST

START_TEST(test_failure_waits_without_holding_others)
{
	struct users_req bad, other;
	msg_t m;
	uint64_t t0, t_lookup, t_fail, t_unknown;

	/* A wrong password: the answer comes after the delay ... */
	req_init(&bad, "user", "wrong", NULL);
	msg_init(&m, USERS_MSG_LOGIN, &bad, sizeof(bad));
	t0 = msg_now_ns();
	ck_assert_int_eq(msg_send(users, &m), 0);
	/* ... and meanwhile users answers others at once. */
	req_init(&other, "root", NULL, NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &other), 0);
	t_lookup = msg_now_ns() - t0;
	ck_assert_int_eq(msg_done(&m), 0);
	ck_assert_int_eq(msg_wait(&m, MSG_FOREVER), -NOS_EACCES);
	t_fail = msg_now_ns() - t0;
	ck_assert_msg(t_lookup < DELAY_NS, "lookup waited %llu ns behind a failed login",
	              (unsigned long long)t_lookup);
	ck_assert_msg(t_fail >= DELAY_NS, "failure answered after %llu ns",
	              (unsigned long long)t_fail);
	/* An unknown user waits just as long. */
	t0 = msg_now_ns();
	ck_assert_int_eq(login("ghost", "wrong"), -NOS_EACCES);
	t_unknown = msg_now_ns() - t0;
	ck_assert_msg(t_unknown >= DELAY_NS, "unknown user answered after %llu ns",
	              (unsigned long long)t_unknown);
	/* A success does not wait. */
	t0 = msg_now_ns();
	ck_assert_int_eq(login("user", "userpw"), 0);
	ck_assert_uint_lt(msg_now_ns() - t0, DELAY_NS);
}
END_TEST

START_TEST(test_cancelled_failure_is_acknowledged)
{
	msg_t m;
	struct users_req q;

	req_init(&q, "user", "wrong", NULL);
	msg_init(&m, USERS_MSG_LOGIN, &q, sizeof(q));
	/* The caller gives up before the delay is over: the call returns, and
	 * users lets go of the message (else this would hang or crash). */
	ck_assert_int_eq(msg_call(users, &m, 50000000), -NOS_ETIMEDOUT);
	ck_assert_int_eq(login("user", "userpw"), 0);
}
END_TEST

/* A storm of wrong passwords fills the delay slots (16 on Linux): the next
 * is refused at once with EAGAIN, unchecked, and nobody else waits. */
START_TEST(test_failure_storm_never_stalls)
{
	enum { SLOTS = 16 };
	struct users_req bad[SLOTS], other;
	msg_t m[SLOTS];
	uint64_t t0;
	unsigned i;

	/* A delay long enough that none is due while the 16 are hashed. */
	ck_assert_int_eq(kproc_stop(users, MSG_FOREVER), 0);
	ucfg.fail_delay_ns = 5 * (int64_t)1000000000;
	ck_assert_int_eq(users_start(&ucfg, &users), 0);
	for (i = 0; i < SLOTS; i++) {
		req_init(&bad[i], "user", "wrong", NULL);
		msg_init(&m[i], USERS_MSG_LOGIN, &bad[i], sizeof(bad[i]));
		ck_assert_int_eq(msg_send(users, &m[i]), 0);
	}
	/* Behind the 16 hashings (users works one request at a time) ... */
	ck_assert_int_eq(login("user", "wrong-again"), -NOS_EAGAIN);
	/* ... then no more: no hashing, no sleeping. */
	t0 = msg_now_ns();
	ck_assert_int_eq(passwd(1000, "user", "wrong", "x"), -NOS_EAGAIN);
	req_init(&other, "root", NULL, NULL);
	ck_assert_int_eq(ask(USERS_MSG_LOOKUP, &other), 0);
	ck_assert_msg(msg_now_ns() - t0 < DELAY_NS, "a full house of failures stalled users");
	for (i = 0; i < SLOTS; i++)
		ck_assert_int_eq(msg_cancel(&m[i]), 0);  /* not 5 s each: they are held */
	for (i = 0; i < SLOTS; i++)
		ck_assert_int_eq(msg_wait(&m[i], MSG_FOREVER), -NOS_ECANCELED);
	ck_assert_int_eq(login("user", "userpw"), 0);
}
END_TEST

/* ---------------------------------------------------------------- passwd */

START_TEST(test_passwd_rules)
{
	char shadow[2048];

	/* The user, for himself, with the right old password. */
	ck_assert_int_eq(passwd(1000, "user", "userpw", "n3w-secret"), 0);
	ck_assert_int_eq(login("user", "n3w-secret"), 0);
	ck_assert_int_eq(login("user", "userpw"), -NOS_EACCES);
	/* With a wrong old one: refused. */
	ck_assert_int_eq(passwd(1000, "user", "userpw", "other"), -NOS_EACCES);
	/* Someone else's: refused even with its right password; an unknown
	 * account looks the same to a user. */
	ck_assert_int_eq(passwd(1000, "root", "rootpw", "pwned"), -NOS_EPERM);
	ck_assert_int_eq(passwd(1000, "ghost", "x", "pwned"), -NOS_EPERM);
	ck_assert_int_eq(login("root", "rootpw"), 0);
	/* Root sets anyone's without the old one. */
	ck_assert_int_eq(passwd(0, "user", NULL, "from-root"), 0);
	ck_assert_int_eq(login("user", "from-root"), 0);
	ck_assert_int_eq(passwd(0, "ghost", NULL, "x"), -NOS_ENOENT);
	/* An account with no shadow line yet gets one; a locked one opens. */
	ck_assert_int_eq(passwd(0, "huge", NULL, "hugepw"), 0);
	ck_assert_int_eq(login("huge", "hugepw"), 0);
	ck_assert_int_eq(passwd(0, "locked", NULL, "unlocked"), 0);
	ck_assert_int_eq(login("locked", "unlocked"), 0);
	/* Unusable new passwords. */
	ck_assert_int_eq(passwd(0, "user", NULL, ""), -NOS_EINVAL);
	ck_assert_int_eq(passwd(0, "user", NULL, NULL), -NOS_EINVAL);
	/* The rewritten file: other lines kept, the day of the change set,
	 * the hash a fresh $y$ (or $6$), no temporary left. */
	ck_assert_int_gt(read_file("/etc/shadow", shadow, sizeof(shadow)), 0);
	ck_assert_ptr_nonnull(strstr(shadow, "garbage\n"));
	ck_assert_ptr_nonnull(strstr(shadow, root_hash));
	ck_assert_ptr_null(strstr(shadow, user_hash));
	ck_assert_ptr_nonnull(strstr(shadow, "empty::19000:0:99999:7:::\n"));
	ck_assert_ptr_nonnull(strstr(shadow, ":19675:0:99999:7:::\nlocked:"));
	ck_assert_ptr_nonnull(strstr(shadow, "huge:$"));
	ck_assert_msg(strstr(shadow, "\nuser:$y$") || strstr(shadow, "\nuser:$6$"), "%s", shadow);
	ck_assert_int_eq(read_file("/etc/shadow+", shadow, sizeof(shadow)), -NOS_ENOENT);
}
END_TEST

START_TEST(test_shadow_plus_read_when_shadow_is_missing)
{
	/* A cut between the two steps of the rename left only the new copy. */
	ck_assert_int_eq(fs_rename(fs, &root, "/etc/shadow", "/etc/shadow+", 0), 0);
	ck_assert_int_eq(login("user", "userpw"), 0);
	ck_assert_int_eq(passwd(0, "user", NULL, "again"), 0);
	ck_assert_int_eq(login("user", "again"), 0);
	ck_assert_int_eq(login("root", "rootpw"), 0);
}
END_TEST

START_TEST(test_passwd_keeps_a_shadow_it_cannot_copy)
{
	static char shadow[2048], before[2048], after[2048];
	char big[700];

	/* A line longer than users reads would be lost in the copy: refuse. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	snprintf(shadow, sizeof(shadow), "user:%s:19000::::::\nzz:%s:1::::::\n", user_hash, big);
	write_file("/etc/shadow", shadow);
	ck_assert_int_gt(read_file("/etc/shadow", before, sizeof(before)), 0);
	ck_assert_int_eq(passwd(0, "user", NULL, "lost?"), -NOS_EINVAL);
	ck_assert_int_gt(read_file("/etc/shadow", after, sizeof(after)), 0);
	ck_assert_str_eq(before, after);
	ck_assert_int_eq(read_file("/etc/shadow+", after, sizeof(after)), -NOS_ENOENT);
	ck_assert_int_eq(login("user", "userpw"), 0);
}
END_TEST

/* ---------------------------------------------------------------- who asks */

struct asker {
	int lookup, login, passwd;
};

static void asker_main(void *arg)
{
	struct asker *a = arg;
	struct users_req q;

	req_init(&q, "root", NULL, NULL);
	a->lookup = ask(USERS_MSG_LOOKUP, &q);
	a->login = login("root", "rootpw");
	a->passwd = passwd(0, "root", NULL, "taken-over");
}

START_TEST(test_only_trusted_senders)
{
	struct asker a;
	msg_pid_t pid;

	/* A process that is neither users' parent, a session nor a worker. */
	ck_assert_int_eq(kproc_start("guestish", 0, asker_main, &a, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(a.lookup, -NOS_EPERM);
	ck_assert_int_eq(a.login, -NOS_EPERM);
	ck_assert_int_eq(a.passwd, -NOS_EPERM);
	/* sched itself is not a worker: refused too. */
	ck_assert_int_eq(kproc_start("sched", 0, asker_main, &a, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(a.lookup, -NOS_EPERM);
	/* A session and a worker are trusted. */
	ck_assert_int_eq(kproc_start("session", 7, asker_main, &a, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(a.lookup, 0);
	ck_assert_int_eq(a.login, 0);
	ck_assert_int_eq(a.passwd, 0);
	ck_assert_int_eq(kproc_start("sched", 1, asker_main, &a, 0, &pid), 0);
	ck_assert_int_eq(msg_join(pid), 0);
	ck_assert_int_eq(a.lookup, 0);
	ck_assert_int_eq(a.login, -NOS_EACCES);       /* the session changed it */
	ck_assert_int_eq(login("root", "taken-over"), 0);
}
END_TEST

START_TEST(test_crypt_port)
{
	char h[160], h2[160];

	ck_assert_int_eq(users_crypt_hash("secret", h, sizeof(h)), 0);
	ck_assert_int_eq(users_crypt_hash("secret", h2, sizeof(h2)), 0);
	ck_assert_msg(strncmp(h, "$y$", 3) == 0 || strncmp(h, "$6$", 3) == 0, "%s", h);
	ck_assert_str_ne(h, h2);                       /* fresh salts */
	ck_assert_int_eq(users_crypt_verify("secret", h), 1);
	ck_assert_int_eq(users_crypt_verify("secret", h2), 1);
	ck_assert_int_eq(users_crypt_verify("Secret", h), 0);
	ck_assert_int_eq(users_crypt_verify("", h), 0);
	ck_assert_int_eq(users_crypt_verify("", ""), 0);
	ck_assert_int_eq(users_crypt_verify("x", "*"), 0);
	ck_assert_int_eq(users_crypt_verify("x", "!$y$x"), 0);
	ck_assert_int_eq(users_crypt_hash("secret", h, 8), -NOS_EINVAL);   /* no room */
}
END_TEST

static Suite *users_suite(void)
{
	Suite *s = suite_create("users");
	TCase *tc = tcase_create("users");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_lookup_by_name_and_uid);
	tcase_add_test(tc, test_malformed_lines_are_skipped);
	tcase_add_test(tc, test_no_passwd_file);
	tcase_add_test(tc, test_login_right_and_wrong);
	tcase_add_test(tc, test_failure_waits_without_holding_others);
	tcase_add_test(tc, test_cancelled_failure_is_acknowledged);
	tcase_add_test(tc, test_failure_storm_never_stalls);
	tcase_add_test(tc, test_passwd_rules);
	tcase_add_test(tc, test_shadow_plus_read_when_shadow_is_missing);
	tcase_add_test(tc, test_passwd_keeps_a_shadow_it_cannot_copy);
	tcase_add_test(tc, test_only_trusted_senders);
	tcase_add_test(tc, test_crypt_port);
	suite_add_tcase(s, tc);
	return s;
}

TEST_MAIN(users_suite)
