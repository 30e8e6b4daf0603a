/*
 * testutil.h: what every Check suite of NanoOs shares.
 *
 * - test_scale(): NANOOS_SCALE from the environment: 1 for `make test` (a
 *   tenth of the counts the issues name), 10 for `make soak`.
 * - TEST_MAIN(suite_fn): runs the suite in fork mode (a crash is a failure,
 *   not the end of the run) and prints one line the runner sums up:
 *     "SUITE <name>: N passed, N failed"
 */
#ifndef NOS_TESTUTIL_H
#define NOS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

static inline long test_scale(void)
{
	const char *s = getenv("NANOOS_SCALE");
	long v = s ? strtol(s, NULL, 10) : 1;

	return v > 0 ? v : 1;
}

/* For hot loops: Check's ck_assert writes a checkpoint to its pipe even when
 * it passes (a system call per assert); this reports only failures. */
#define require(cond)                                                          \
	do {                                                                   \
		if (!(cond))                                                   \
			ck_abort_msg("%s:%d: failed: %s", __FILE__, __LINE__,  \
			             #cond);                                   \
	} while (0)

#ifndef TEST_BACKEND
#define TEST_BACKEND "threads"
#endif

#define TEST_MAIN(suite_fn)                                                    \
	int main(void)                                                         \
	{                                                                      \
		Suite *suite = suite_fn();                                     \
		SRunner *runner = srunner_create(suite);                       \
		int run, failed;                                               \
                                                                               \
		srunner_set_fork_status(runner, CK_FORK);                      \
		srunner_run_all(runner, CK_NORMAL);                            \
		run = srunner_ntests_run(runner);                              \
		failed = srunner_ntests_failed(runner);                        \
		printf("SUITE %s (%s): %d passed, %d failed\n", #suite_fn,     \
		       TEST_BACKEND, run - failed, failed);                    \
		srunner_free(runner);                                          \
		return failed ? EXIT_FAILURE : EXIT_SUCCESS;                   \
	}

#endif
