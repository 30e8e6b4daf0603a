/* lineedit.c: the interactive line editor (emacs keys, like readline's
 * defaults). The terminal goes into raw mode (no ICANON, ECHO, ISIG,
 * IEXTEN, IXON, ICRNL: every key comes as typed) while a line is edited
 * and back to its own modes before the line is returned.
 *   left ^B, right ^F, Home ^A, End ^E      move
 *   Backspace ^H, Delete ^D (on text)       delete a character
 *   ^U ^K ^W                                delete to the start, to the end, a word back
 *   up ^P, down ^N                          history (history.c)
 *   ^R TEXT (^R again: older)               search the history; Enter runs
 *                                           the match, ^G gives up, other
 *                                           keys take it for editing
 *   ^L                                      clear the screen and redraw
 *   Tab                                     complete a file or command name (complete.c)
 *   ^C                                      drop the line (a new prompt)
 *   ^D on an empty line                     end of input (the shell exits)
 *   Enter (^M ^J)                           the line
 * Output goes to fd 2 (like the prompt). The line is redrawn whole after
 * each change: carriage return, prompt, text, erase to the end of the
 * screen line, then the cursor put back with "ESC [ N C" (a character
 * typed at the end of the line is only echoed). A line wider than the
 * terminal (TIOCGWINSZ, else 80 columns) scrolls sideways instead of
 * wrapping, so one screen row is always enough. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "sh.h"

#define CTRL(c) ((c) & 0x1f)

struct editor {
	const char *prompt;
	char *buf;
	size_t len, pos, cap;
	int hist;            /* the history entry shown; history_count(): the new line */
	char *saved;         /* the new line, kept while browsing history */
	size_t cols;         /* the terminal's width */
	size_t off;          /* the first character shown (a long line scrolls) */
	const char *newline; /* "\n" when the terminal adds the \r (ONLCR), else "\r\n" */
	int searching;       /* ^R: typing goes into query */
	char query[64];
	size_t qlen;
	int found;           /* the history entry that matches, or -1 */
};

static void out(const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(2, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static void out_str(const char *s)
{
	out(s, strlen(s));
}

/* ESC [ N C: the cursor N columns right. */
static void move_right(size_t n)
{
	char seq[24], digits[20];
	size_t k = 0;
	int d = 0;
	if (!n)
		return;
	do
		digits[d++] = (char)('0' + n % 10);
	while ((n /= 10));
	seq[k++] = '\x1b';
	seq[k++] = '[';
	while (d)
		seq[k++] = digits[--d];
	seq[k++] = 'C';
	out(seq, k);
}

/* The columns the text may use after the prompt, leaving the last free. */
static size_t text_room(const struct editor *e)
{
	size_t plen = strlen(e->prompt);
	return e->cols > plen + 2 ? e->cols - plen - 1 : 1;
}

/* A line longer than the screen scrolls sideways: the part around the
 * cursor is shown (offset off). */
static void redraw(struct editor *e)
{
	size_t room = text_room(e);
	if (e->len <= room)
		e->off = 0;
	else if (e->pos < e->off)
		e->off = e->pos;
	else if (e->pos > e->off + room)
		e->off = e->pos - room;
	size_t show = e->len - e->off < room ? e->len - e->off : room;
	out_str("\r");
	out_str(e->prompt);
	out(e->buf + e->off, show);
	out_str("\x1b[K\r");
	move_right(strlen(e->prompt) + e->pos - e->off);
}

static void set_text(struct editor *e, const char *text)
{
	size_t len = strlen(text);
	if (len + 1 > e->cap) {
		e->cap = len + 64;
		e->buf = realloc(e->buf, e->cap);
		if (!e->buf)
			exit(2);
	}
	memcpy(e->buf, text, len);
	e->len = e->pos = len;
}

static void insert(struct editor *e, char c)
{
	if (e->len + 2 > e->cap) {
		e->cap = e->cap * 2 + 64;
		e->buf = realloc(e->buf, e->cap);
		if (!e->buf)
			exit(2);
	}
	memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos);
	e->buf[e->pos++] = c;
	e->len++;
}

/* Deletes [from, to) of the line. */
static void cut(struct editor *e, size_t from, size_t to)
{
	memmove(e->buf + from, e->buf + to, e->len - to);
	e->len -= to - from;
	e->pos = from;
}

static void browse(struct editor *e, int delta)
{
	int target = e->hist + delta;
	if (target < 0 || target > history_count())
		return;
	if (e->hist == history_count()) {
		free(e->saved);
		e->buf[e->len] = '\0';
		e->saved = xstrdup(e->buf);
	}
	e->hist = target;
	set_text(e, target == history_count() ? e->saved : history_get(target));
}

static size_t word_start(const struct editor *e)
{
	size_t p = e->pos;
	while (p && e->buf[p - 1] == ' ')
		p--;
	while (p && e->buf[p - 1] != ' ')
		p--;
	return p;
}

/* Tab: the longest text every candidate shares goes in; a single file or
 * command gets a blank after it; when nothing more is shared, the
 * candidates are listed under the line. */
static void complete(struct editor *e)
{
	size_t start;
	char **names;
	e->buf[e->len] = '\0';
	int n = complete_word(e->buf, e->pos, &start, &names);
	if (n == 0) {
		out_str("\a");
		return;
	}
	size_t typed = e->pos - start, common = strlen(names[0]);
	for (int i = 1; i < n; i++) {
		size_t k = 0;
		while (k < common && names[i][k] == names[0][k])
			k++;
		common = k;
	}
	for (size_t k = typed; k < common; k++)
		insert(e, names[0][k]);
	if (n == 1 && common && names[0][common - 1] != '/')
		insert(e, ' ');
	if (n > 1 && common <= typed) {
		out_str(e->newline);
		for (int i = 0; i < n; i++) {
			out_str(names[i]);
			out_str(i == n - 1 ? e->newline : "  ");
		}
	}
}

static int read_key(void)
{
	unsigned char c;
	for (;;) {
		ssize_t n = read(0, &c, 1);
		if (n == 1)
			return c;
		if (n < 0 && errno == EINTR)
			continue;
		return -1;
	}
}

/* After ESC: the rest of an arrow or Home/End/Delete sequence, as the
 * control key that does the same, or 0 for one we do not know. */
static int escape_key(void)
{
	int c = read_key();
	if (c != '[' && c != 'O')
		return 0;
	int k = read_key();
	if (k >= '0' && k <= '9') {   /* ESC [ N ~ */
		int t = read_key();
		if (t != '~')
			return 0;
		static const int tilde_keys[10] = { ['1'-'0'] = CTRL('A'), ['3'-'0'] = 0x7e,
		                                    ['4'-'0'] = CTRL('E'), ['7'-'0'] = CTRL('A'),
		                                    ['8'-'0'] = CTRL('E') };
		return tilde_keys[k - '0'];
	}
	switch (k) {
	case 'A': return CTRL('P');
	case 'B': return CTRL('N');
	case 'C': return CTRL('F');
	case 'D': return CTRL('B');
	case 'H': return CTRL('A');
	case 'F': return CTRL('E');
	default: return 0;
	}
}

enum { KEEP_EDITING, LINE_DONE, LINE_EOF, LINE_DROPPED };

#define KEY_DELETE 0x7e   /* ESC [ 3 ~, apart from ^D's end-of-input */

/* ---------------------------------------------------------------- ^R */

/* The newest history entry before `before` that holds the query, or -1. */
static int search_back(const struct editor *e, int before)
{
	for (int i = before - 1; i >= 0; i--)
		if (strstr(history_get(i), e->query))
			return i;
	return -1;
}

static void show_search(const struct editor *e)
{
	out_str("\r(reverse-i-search)`");
	out(e->query, e->qlen);
	out_str("': ");
	if (e->found >= 0)
		out_str(history_get(e->found));
	out_str("\x1b[K");
}

/* A key while searching: 1 if it was the search's, 0 if the search ended
 * (the match is on the line) and the key is for the editor. */
static int search_key(struct editor *e, int c)
{
	if (c == CTRL('R')) {
		int older = search_back(e, e->found >= 0 ? e->found : history_count());
		if (older >= 0)
			e->found = older;
	} else if ((c == 0x7f || c == CTRL('H')) && e->qlen) {
		e->query[--e->qlen] = '\0';
		e->found = search_back(e, history_count());
	} else if (c >= 0x20 && c < 0x7f && e->qlen + 1 < sizeof(e->query)) {
		e->query[e->qlen++] = (char)c;
		e->query[e->qlen] = '\0';
		int hit = search_back(e, e->found >= 0 ? e->found + 1 : history_count());
		if (hit >= 0)
			e->found = hit;
	} else {
		e->searching = 0;
		if (c == CTRL('G') || c == CTRL('C'))
			e->found = -1;   /* cancelled: the line as it was */
		if (e->found >= 0)
			set_text(e, history_get(e->found));
		redraw(e);
		return c == CTRL('G');
	}
	show_search(e);
	return 1;
}

static int handle_key(struct editor *e, int c)
{
	if (e->searching && search_key(e, c))
		return KEEP_EDITING;
	if (c == 0x1b)
		c = escape_key();
	switch (c) {
	case '\r':
	case '\n':
		return LINE_DONE;
	case CTRL('D'):
		if (e->len == 0)
			return LINE_EOF;
		/* fall through */
	case KEY_DELETE:
		if (e->pos < e->len)
			cut(e, e->pos, e->pos + 1);
		break;
	case CTRL('C'):
		e->len = e->pos = 0;
		return LINE_DROPPED;
	case 0x7f:
	case CTRL('H'):
		if (e->pos)
			cut(e, e->pos - 1, e->pos);
		break;
	case CTRL('A'): e->pos = 0; break;
	case CTRL('E'): e->pos = e->len; break;
	case CTRL('B'): if (e->pos) e->pos--; break;
	case CTRL('F'): if (e->pos < e->len) e->pos++; break;
	case CTRL('U'): cut(e, 0, e->pos); break;
	case CTRL('K'): e->len = e->pos; break;
	case CTRL('W'): cut(e, word_start(e), e->pos); break;
	case CTRL('P'): browse(e, -1); break;
	case CTRL('N'): browse(e, 1); break;
	case CTRL('L'): out_str("\x1b[H\x1b[2J"); break;
	case '\t': complete(e); break;
	case CTRL('R'):
		e->searching = 1;
		e->qlen = 0;
		e->query[0] = '\0';
		e->found = -1;
		show_search(e);
		return KEEP_EDITING;
	default:
		if (c < 0x20 || c == 0x7f)
			return KEEP_EDITING;   /* an unknown control key: nothing to redraw */
		insert(e, (char)c);
		if (e->pos == e->len && e->off == 0 && e->len <= text_room(e)) {
			/* typed at the end of a line that fits: echo it, no redraw */
			char ch = (char)c;
			out(&ch, 1);
			return KEEP_EDITING;
		}
	}
	redraw(e);
	return KEEP_EDITING;
}

char *lineedit_read(const char *prompt)
{
	struct termios cooked, raw;
	int have_modes = tcgetattr(0, &cooked) == 0;
	if (have_modes) {
		raw = cooked;
		raw.c_lflag &= ~(ICANON | ECHO | ISIG | IEXTEN);
		raw.c_iflag &= ~(IXON | ICRNL | INLCR);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(0, TCSADRAIN, &raw);
	}
	struct winsize ws;
	struct editor e = { prompt ? prompt : "", NULL, 0, 0, 0, history_count(), NULL, 80, 0, "\r\n",
	                    0, "", 0, -1 };
	if (ioctl(0, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 10)
		e.cols = ws.ws_col;
	if (have_modes && (cooked.c_oflag & OPOST) && (cooked.c_oflag & ONLCR))
		e.newline = "\n";   /* the terminal adds the \r itself */
	set_text(&e, "");
	out_str(e.prompt);
	int state = KEEP_EDITING;
	while (state == KEEP_EDITING) {
		int c = read_key();
		state = c < 0 ? (e.len ? LINE_DONE : LINE_EOF) : handle_key(&e, c);
	}
	if (have_modes)
		tcsetattr(0, TCSADRAIN, &cooked);
	free(e.saved);
	if (state == LINE_DROPPED)
		out_str("^C");
	out_str(e.newline);
	if (state == LINE_EOF) {
		free(e.buf);
		return NULL;
	}
	e.buf[e.len] = '\0';
	return e.buf;
}
