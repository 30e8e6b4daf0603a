/*
 * flash_cmd.c: `nanoos flash` (flash_cmd.h): write the NanoOs firmware to
 * an Arduino board with avrdude (DESIGN.md section 9).
 *
 * What to run comes from a table of boards, one line an MCU: the firmware's
 * file, avrdude's part, and the programmer and speed of the board's own
 * bootloader. The firmware is looked for in $NANOOS_FIRMWARE_DIR alone when
 * it is set; else in the build tree beside this command (BUILD/bin/nanoos ->
 * BUILD/firmware/), then where `make install` puts it beside an installed
 * one (PREFIX/bin/nanoos -> PREFIX/share/nanoos/firmware/), then where the
 * Debian package puts it (/usr/share/nanoos/firmware/). The
 * port is --port, or the one serial device a board shows up as
 * (/dev/ttyACM*, /dev/ttyUSB*). avrdude's own output (its progress bars and
 * errors) reaches the terminal as it is; `--dry-run` prints the command.
 */
#include <errno.h>
#include <getopt.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli_util.h"
#include "cli/flash_cmd.h"

#define CMD "flash"

struct board {
	const char *mcu;                /* --mcu, and avrdude's -p */
	const char *name;
	const char *firmware;           /* file name in the firmware directory */
	const char *programmer;         /* its bootloader's protocol (avrdude -c) */
	const char *baud;
};

static const struct board boards[] = {
	/* The Mega 2560's stk500v2 bootloader cannot erase the chip: -D, as the
	 * Arduino IDE does. */
	{ "atmega2560", "Arduino Mega 2560", "nanoos-atmega2560.hex", "wiring", "115200" },
};

#define NBOARDS (sizeof(boards) / sizeof(boards[0]))

struct flash_args {
	const struct board *board;
	const char *port;
	const char *programmer;
	const char *baud;
	const char *hex;
	int dry_run;
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: nanoos flash [--mcu MCU] [--port DEV] [--programmer P] [--baud N]\n"
	        "                    [--hex FILE] [--dry-run]\n\n"
	        "Write the NanoOs firmware to a board with avrdude.\n\n"
	        "  --mcu MCU         the board's microcontroller (default atmega2560)\n"
	        "  --port DEV        its serial port (default: the one /dev/ttyACM* or\n"
	        "                    /dev/ttyUSB* present)\n"
	        "  --programmer P    avrdude's programmer (default: the board's bootloader)\n"
	        "  --baud N          the port's speed (default: the bootloader's)\n"
	        "  --hex FILE        this firmware instead of the one built for MCU\n"
	        "  --dry-run         print the avrdude command, run nothing\n\n"
	        "The firmware is looked for in $NANOOS_FIRMWARE_DIR alone when it is set;\n"
	        "else in BUILD/firmware/ beside this command (`make firmware`), then in\n"
	        "PREFIX/share/nanoos/firmware/ beside an installed one, then in\n"
	        "/usr/share/nanoos/firmware/.\n\n"
	        "boards:\n");
	for (i = 0; i < NBOARDS; i++)
		fprintf(out, "  %-12s %s (avrdude -c %s -b %s)\n", boards[i].mcu, boards[i].name,
		        boards[i].programmer, boards[i].baud);
}

static const struct board *board_of(const char *mcu)
{
	size_t i;

	for (i = 0; i < NBOARDS; i++)
		if (strcmp(boards[i].mcu, mcu) == 0)
			return &boards[i];
	return NULL;
}

static int is_file(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* "A, B, C": the directories of dirs, into out. */
static void looked_in(char dirs[][PATH_MAX], int ndirs, char *out, size_t n)
{
	size_t used = 0;
	int i;

	out[0] = 0;
	for (i = 0; i < ndirs && used < n; i++)
		used += (size_t)snprintf(out + used, n - used, "%s%s", i ? ", " : "", dirs[i]);
}

/* The firmware for board b: where it was found in out, 0; or 1 after an
 * error line naming where we looked. */
static int find_firmware(const struct board *b, char *out, size_t n)
{
	char self[PATH_MAX], dirs[4][PATH_MAX];
	const char *env = getenv("NANOOS_FIRMWARE_DIR");
	int i, ndirs = 0;

	/* An explicit directory is the only place: a firmware left in the
	 * build tree must not be flashed instead of the one asked for. */
	if (env != NULL && env[0] != '\0') {
		snprintf(dirs[ndirs++], PATH_MAX, "%s", env);
	} else {
		/* BUILD/bin/../firmware, PREFIX/bin/../share/nanoos/firmware */
		if (cli_beside_self("../firmware", dirs[ndirs], PATH_MAX) == 0)
			ndirs++;
		if (cli_beside_self("../share/nanoos/firmware", dirs[ndirs], PATH_MAX) == 0)
			ndirs++;
		snprintf(dirs[ndirs++], PATH_MAX, "/usr/share/nanoos/firmware");
	}
	for (i = 0; i < ndirs; i++) {
		snprintf(out, n, "%.*s/%s", PATH_MAX - 64, dirs[i], b->firmware);
		if (is_file(out) && realpath(out, self) != NULL) {
			snprintf(out, n, "%s", self);
			return 0;
		}
	}
	looked_in(dirs, ndirs, self, sizeof(self));
	cli_error(CMD, b->firmware, "no firmware for %s in %s; build it with `make firmware`, "
	          "or name one with --hex", b->mcu, self);
	return 1;
}

/* The one serial device a board shows up as. 0 (out filled), or 1 after an
 * error line (none, or several to choose from). */
static int find_port(char *out, size_t n)
{
	glob_t g;
	int r;

	memset(&g, 0, sizeof(g));
	glob("/dev/ttyACM*", 0, NULL, &g);
	glob("/dev/ttyUSB*", GLOB_APPEND, NULL, &g);
	if (g.gl_pathc == 1) {
		snprintf(out, n, "%s", g.gl_pathv[0]);
		r = 0;
	} else if (g.gl_pathc == 0) {
		cli_error(CMD, "/dev/ttyACM*, /dev/ttyUSB*", "no board is plugged in; connect "
		          "it over USB, or name its port with --port");
		r = 1;
	} else {
		cli_error(CMD, NULL, "%zu serial ports (%s, %s%s); say which with --port",
		          g.gl_pathc, g.gl_pathv[0], g.gl_pathv[1], g.gl_pathc > 2 ? ", ..." : "");
		r = 1;
	}
	globfree(&g);
	return r;
}

/* The argument list for avrdude (argv[0] "avrdude"), in args[]; the
 * -U operand is kept in u[]. */
static void avrdude_args(const struct flash_args *a, char *u, size_t n, const char **args)
{
	int i = 0;

	snprintf(u, n, "flash:w:%s:i", a->hex);
	args[i++] = "avrdude";
	args[i++] = "-p";
	args[i++] = a->board->mcu;
	args[i++] = "-c";
	args[i++] = a->programmer;
	args[i++] = "-P";
	args[i++] = a->port;
	args[i++] = "-b";
	args[i++] = a->baud;
	args[i++] = "-D";
	args[i++] = "-U";
	args[i++] = u;
	args[i] = NULL;
}

/* An argument as a shell reads it back: quoted unless it is plain. */
static void print_quoted(const char *s)
{
	const char *p;

	if (s[0] != '\0' && strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	                              "0123456789-_./:=+,@%") == strlen(s)) {
		fputs(s, stdout);
		return;
	}
	putchar('\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			fputs("'\\''", stdout);
		else
			putchar(*p);
	}
	putchar('\'');
}

/* 0 when the port can be opened for reading and writing, or 1 after an
 * error line. avrdude 7.1's wiring programmer does not stop when it fails
 * to open the port: it goes on with fd 0 and reads it for ever. access(),
 * not open(): opening a board's port pulses DTR and resets it. */
static int check_port(const char *port)
{
	struct stat st;

	if (stat(port, &st) == 0 && S_ISDIR(st.st_mode)) {   /* avrdude spins on one too */
		cli_error(CMD, port, "a directory, not a serial port; name the board's port "
		          "with --port (ls /dev/ttyACM* /dev/ttyUSB*)");
		return 1;
	}
	if (access(port, R_OK | W_OK) == 0)
		return 0;
	if (errno == ENOENT)
		cli_error(CMD, port, "no such port; check that the board is plugged in and "
		          "name its port with --port (ls /dev/ttyACM* /dev/ttyUSB*)");
	else
		cli_error(CMD, port, "cannot use it: %s; on Debian, add yourself to the "
		          "dialout group", strerror(errno));
	return 1;
}

/* Run avrdude; its exit status, said plainly when it is not 0. */
static int run_avrdude(const struct flash_args *a, const char **args)
{
	int status;
	pid_t pid;

	fprintf(stderr, "nanoos flash: writing %s to the %s on %s with avrdude\n", a->hex,
	        a->board->name, a->port);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		execvp("avrdude", (char *const *)args);
		cli_error(CMD, "avrdude", "%s; install the avrdude package",
		          errno == ENOENT ? "not installed" : strerror(errno));
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		cli_error(CMD, "avrdude", "cannot run it: %s", strerror(errno));
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
		fprintf(stderr, "nanoos flash: done; the board restarts into NanoOs\n");
		return 0;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return 1;
	cli_error(CMD, a->port, "avrdude failed (%s %d, its messages are above); check that "
	          "the board is plugged in, that %s is its port and that no serial monitor "
	          "holds it, then try again", WIFEXITED(status) ? "exit" : "signal",
	          WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), a->port);
	return 1;
}

static const struct option long_opts[] = {
	{ "mcu", required_argument, NULL, 'm' },
	{ "port", required_argument, NULL, 'P' },
	{ "programmer", required_argument, NULL, 'c' },
	{ "baud", required_argument, NULL, 'b' },
	{ "hex", required_argument, NULL, 'x' },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Options into a; 0, or the exit status (2: bad usage, 0: --help). */
static int parse(int argc, char **argv, struct flash_args *a)
{
	const char *mcu = "atmega2560";
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
		switch (c) {
		case 'm': mcu = optarg; break;
		case 'P': a->port = optarg; break;
		case 'c': a->programmer = optarg; break;
		case 'b': a->baud = optarg; break;
		case 'x': a->hex = optarg; break;
		case 'n': a->dry_run = 1; break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		cli_error(CMD, argv[optind], "unexpected argument; see `nanoos flash --help`");
		return 2;
	}
	a->board = board_of(mcu);
	if (a->board == NULL) {
		cli_error(CMD, mcu, "no firmware is built for this MCU; `nanoos flash --help` "
		          "lists the boards");
		return 2;
	}
	if (a->baud != NULL && (strspn(a->baud, "0123456789") != strlen(a->baud) ||
	                        a->baud[0] == '\0')) {
		cli_error(CMD, a->baud, "not a speed; give bits per second, e.g. --baud 115200");
		return 2;
	}
	if (a->programmer == NULL)
		a->programmer = a->board->programmer;
	if (a->baud == NULL)
		a->baud = a->board->baud;
	return 0;
}

int flash_main(int argc, char **argv)
{
	static char hex[PATH_MAX], port[PATH_MAX], u[PATH_MAX + 16];
	const char *args[16];
	struct flash_args a;
	int r, i;

	r = parse(argc, argv, &a);
	if (r != 0)
		return r < 0 ? 0 : r;
	if (a.hex != NULL) {
		if (!is_file(a.hex) || realpath(a.hex, hex) == NULL) {
			cli_error(CMD, a.hex, "no such firmware file; check the path");
			return 1;
		}
	} else if (find_firmware(a.board, hex, sizeof(hex))) {
		return 1;
	}
	/* avrdude splits -U at colons: a path with one cannot be named. */
	if (strchr(hex, ':') != NULL) {
		cli_error(CMD, hex, "avrdude cannot take a file name with a ':'; copy the "
		          "firmware to a path without one and use --hex");
		return 1;
	}
	a.hex = hex;
	if (a.port == NULL) {
		if (find_port(port, sizeof(port)))
			return 1;
		a.port = port;
	}
	avrdude_args(&a, u, sizeof(u), args);
	if (!a.dry_run)
		return check_port(a.port) ? 1 : run_avrdude(&a, args);
	for (i = 0; args[i] != NULL; i++) {
		if (i > 0)
			putchar(' ');
		print_quoted(args[i]);
	}
	putchar('\n');
	return 0;
}
