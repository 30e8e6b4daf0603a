/* when.h: the dates `date -d` and `touch -d` read: @SECONDS, or
 * YYYY-MM-DD[( |T)HH:MM[:SS]]. The tool defines _GNU_SOURCE (strptime,
 * timegm) before its includes. */
#ifndef NANOOS_TOOL_WHEN_H
#define NANOOS_TOOL_WHEN_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* WHEN in Unix seconds (read as UTC when utc, else as local time): 0, or
 * -1 when it is not a date we read. */
static inline int tool_parse_when(const char *when, int utc, int64_t *sec)
{
	static const char *const forms[] = {
		"%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d",
	};
	char *end;
	if (when[0] == '@') {
		*sec = strtoll(when + 1, &end, 10);
		return end == when + 1 || *end ? -1 : 0;
	}
	for (size_t i = 0; i < sizeof(forms) / sizeof(forms[0]); i++) {
		struct tm tm;
		memset(&tm, 0, sizeof(tm));
		end = strptime(when, forms[i], &tm);
		if (end && !*end) {
			tm.tm_isdst = -1;
			*sec = utc ? timegm(&tm) : mktime(&tm);
			return 0;
		}
	}
	return -1;
}

#endif
