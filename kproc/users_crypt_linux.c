/*
 * users_crypt_linux.c: the Linux port's password hashing for the users
 * process (users.h), with libcrypt (libxcrypt): yescrypt ("$y$") with a
 * fresh salt from the library's own random source, sha512-crypt ("$6$") when
 * this libcrypt lacks yescrypt. Verification re-hashes with the stored
 * setting and compares in constant time.
 */
#include <crypt.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kproc/nos_errno.h"
#include "kproc/users.h"

/* Hash password with setting into out[n] (struct crypt_data is 32 KiB:
 * from the heap, not a kernel process's stack). 0, -ENOMEM, -EINVAL. */
static int hash_with(const char *password, const char *setting, char *out, size_t n)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	int r = -NOS_EINVAL;

	if (cd == NULL)
		return -NOS_ENOMEM;
	/* crypt_rn writes a string starting with '*' on failure. */
	if (crypt_rn(password, setting, cd, (int)sizeof(*cd)) != NULL && cd->output[0] != '*' &&
	    strlen(cd->output) < n) {
		strcpy(out, cd->output);
		r = 0;
	}
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return r;
}

int users_crypt_hash(const char *password, char *out, size_t n)
{
	static const char *const prefixes[] = { "$y$", "$6$" };
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	size_t i;

	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (crypt_gensalt_rn(prefixes[i], 0, NULL, 0, setting, (int)sizeof(setting)) &&
		    setting[0] != '*')
			return hash_with(password, setting, out, n);
	return -NOS_ENOSYS;
}

/* Equal strings, in time that depends on the lengths only. */
static int same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la && i < lb; i++)
		d |= (unsigned char)(a[i] ^ b[i]);
	return d == 0;
}

int users_crypt_verify(const char *password, const char *hash)
{
	char out[CRYPT_OUTPUT_SIZE];
	int ok;

	if (hash[0] == 0 || hash[0] == '*' || hash[0] == '!')
		return 0;
	if (hash_with(password, hash, out, sizeof(out)) < 0)
		return 0;
	ok = same_secret(out, hash);
	explicit_bzero(out, sizeof(out));
	return ok;
}
