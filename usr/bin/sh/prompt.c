/* prompt.c: the interactive prompt. $PS1 (default "$ ", "# " for root)
 * with these escapes, as bash has them:
 *   \u  the user ($USER, else $LOGNAME)     \h  the host name (uname)
 *   \w  the working directory, $HOME as ~   \W  its last component
 *   \$  '#' for root, else '$'              \\  a backslash
 * Continuation lines get $PS2 (default "> "). */
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sh.h"

static void put(struct xword *w, const char *s)
{
	if (s)
		xword_put(w, s, strlen(s), M_QUOTED);
}

static void put_cwd(struct xword *w, int last_only)
{
	char cwd[4096];
	if (!getcwd(cwd, sizeof(cwd))) {
		put(w, "?");
		return;
	}
	const char *home = var_get("HOME");
	size_t hlen = home ? strlen(home) : 0;
	if (last_only) {
		const char *slash = strrchr(cwd, '/');
		put(w, slash && slash[1] ? slash + 1 : cwd);
	} else if (hlen > 1 && !strncmp(cwd, home, hlen) && (!cwd[hlen] || cwd[hlen] == '/')) {
		put(w, "~");
		put(w, cwd + hlen);
	} else {
		put(w, cwd);
	}
}

static void put_escape(struct xword *w, char c)
{
	struct utsname u;
	const char *user = var_get("USER");
	switch (c) {
	case 'u': put(w, user ? user : var_get("LOGNAME")); break;
	case 'h': put(w, uname(&u) == 0 ? u.nodename : "?"); break;
	case 'w': put_cwd(w, 0); break;
	case 'W': put_cwd(w, 1); break;
	case '$': put(w, geteuid() == 0 ? "#" : "$"); break;
	case '\\': put(w, "\\"); break;
	default: {
		char text[3] = { '\\', c, 0 };
		put(w, text);
	}
	}
}

const char *prompt_text(int continuation)
{
	const char *ps = var_get(continuation ? "PS2" : "PS1");
	if (!ps)
		return continuation ? "> " : geteuid() == 0 ? "# " : "$ ";
	struct xword w = { 0 };
	xword_put(&w, "", 0, M_QUOTED);
	for (; *ps; ps++) {
		if (*ps == '\\' && ps[1])
			put_escape(&w, *++ps);
		else
			xword_put(&w, ps, 1, M_QUOTED);
	}
	return w.s;
}
