/* passwd: changes a password.
 *   passwd [USER]
 * Asks for the current password (unless root runs it), then the new one
 * twice (echo off on a terminal). Root may change anyone's; others only
 * their own. The kernel's users process hashes it into /etc/shadow. */
#define TOOL "passwd"
#include "lib/tool.h"

#include <nanoos.h>

#define PW_MAX 256

static void wipe(char *a, char *b, char *c)
{
	memset(a, 0, PW_MAX);
	memset(b, 0, PW_MAX);
	memset(c, 0, PW_MAX);
}

int main(int argc, char **argv)
{
	static char old[PW_MAX], new1[PW_MAX], new2[PW_MAX];
	struct nanoos_account me;
	const char *user = argc > 1 ? argv[1] : NULL;
	int root = getuid() == 0;

	if (argc > 2)
		tool_usage("passwd [USER]", 1);
	if (!user) {
		if (nanoos_getpw(NULL, getuid(), &me) < 0) {
			tool_warn("you (uid %u) have no account", (unsigned)getuid());
			return 1;
		}
		user = me.name;
	}
	printf("Changing password for %s.\n", user);
	if (!root && nanoos_prompt("Current password: ", old, PW_MAX, 1) < 0)
		return 1;
	if (nanoos_prompt("New password: ", new1, PW_MAX, 1) < 0 ||
	    nanoos_prompt("Retype new password: ", new2, PW_MAX, 1) < 0) {
		wipe(old, new1, new2);
		return 1;
	}
	if (strcmp(new1, new2) != 0) {
		wipe(old, new1, new2);
		tool_warn("the passwords do not match; password unchanged");
		return 1;
	}
	if (!new1[0]) {
		wipe(old, new1, new2);
		tool_warn("an empty password is not allowed; password unchanged");
		return 1;
	}
	int r = nanoos_passwd(user, root ? NULL : old, new1);
	int err = errno;
	wipe(old, new1, new2);
	if (r < 0) {
		if (err == EACCES)
			tool_warn("authentication failure; password unchanged");
		else if (err == EPERM)
			tool_warn("you may not change the password of %s", user);
		else if (err == ENOENT)
			tool_warn("user '%s' does not exist", user);
		else if (err == EAGAIN)
			tool_warn("too many failed password checks at the moment; password unchanged, "
			          "try again in a second");
		else
			tool_warn("%s; password unchanged", strerror(err));
		return 1;
	}
	puts("passwd: password updated successfully");
	tool_exit(0);
}
