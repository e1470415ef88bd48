/* SPDX-License-Identifier: BSD-2-Clause */
/* The PAM test fixture's pure helpers: TOTP codes computed independently of
 * the library, and the scripted PAM conversation that records what it saw. */
#include "pt_fixture.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

/* ---- TOTP --------------------------------------------------------------- */

static size_t base32_decode(const char *in, unsigned char *out, size_t cap)
{
	size_t n = 0;
	unsigned buf = 0;
	int bits = 0;
	for (; *in; in++) {
		int c = toupper((unsigned char)*in), v;
		if (c >= 'A' && c <= 'Z')
			v = c - 'A';
		else if (c >= '2' && c <= '7')
			v = c - '2' + 26;
		else
			continue; /* spaces, padding */
		buf = buf << 5 | (unsigned)v;
		bits += 5;
		if (bits >= 8 && n < cap) {
			out[n++] = (unsigned char)(buf >> (bits - 8));
			bits -= 8;
		}
	}
	return n;
}

void pt_totp(const char *secret_base32, time_t t, char out[16])
{
	unsigned char key[128];
	size_t klen = base32_decode(secret_base32, key, sizeof key);
	uint64_t step = (uint64_t)t / 30;
	unsigned char msg[8];
	for (int i = 7; i >= 0; i--, step >>= 8)
		msg[i] = (unsigned char)(step & 0xff);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned mlen = 0;
	assert_non_null(HMAC(EVP_sha1(), key, (int)klen, msg, sizeof msg, mac, &mlen));
	int off = mac[mlen - 1] & 0xf;
	uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
		       (uint32_t)mac[off + 2] << 8 | mac[off + 3];
	snprintf(out, 16, "%06u", bin % 1000000u);
}

/* ---- conversation --------------------------------------------------------- */

static int conv_fn(int num_msg, const struct pam_message **msg, struct pam_response **resp, void *appdata)
{
	struct pt_conv *c = appdata;
	struct pam_response *r = calloc((size_t)num_msg, sizeof *r);
	if (r == NULL)
		return PAM_BUF_ERR;
	for (int i = 0; i < num_msg; i++) {
		int style = msg[i]->msg_style;
		if (c->n < PT_MAX_MSGS) {
			c->styles[c->n] = style;
			c->msgs[c->n++] = strdup(msg[i]->msg ? msg[i]->msg : "");
		}
		if (style != PAM_PROMPT_ECHO_OFF && style != PAM_PROMPT_ECHO_ON)
			continue;
		char *answer = c->hook ? c->hook(c, style, msg[i]->msg) : NULL;
		if (answer == NULL) {
			const char *const *queue = style == PAM_PROMPT_ECHO_OFF ? c->echo_off : c->echo_on;
			size_t *used = style == PAM_PROMPT_ECHO_OFF ? &c->off_used : &c->on_used;
			if (*used >= PT_MAX_ANSWERS || queue[*used] == NULL) {
				for (int j = 0; j < i; j++)
					free(r[j].resp);
				free(r);
				return PAM_CONV_ERR; /* the script has no answer: like a closed terminal */
			}
			answer = strdup(queue[(*used)++]);
		}
		r[i].resp = answer;
	}
	*resp = r;
	return PAM_SUCCESS;
}

void pt_conv_free(struct pt_conv *c)
{
	for (size_t i = 0; i < c->n; i++)
		free(c->msgs[i]);
	c->n = 0;
}

int pt_conv_find(const struct pt_conv *c, int style, const char *needle)
{
	for (size_t i = 0; i < c->n; i++)
		if ((style < 0 || c->styles[i] == style) && strstr(c->msgs[i], needle))
			return (int)i;
	return -1;
}

int pt_conv_prompts(const struct pt_conv *c)
{
	int n = 0;
	for (size_t i = 0; i < c->n; i++)
		n += c->styles[i] == PAM_PROMPT_ECHO_OFF || c->styles[i] == PAM_PROMPT_ECHO_ON;
	return n;
}

void pt_conv_dump(const struct pt_conv *c)
{
	static const char *names[] = {"?", "echo-off", "echo-on", "error", "info"};
	for (size_t i = 0; i < c->n; i++)
		fprintf(stderr, "  [%s] %s\n", c->styles[i] >= 1 && c->styles[i] <= 4 ? names[c->styles[i]] : "?",
			c->msgs[i]);
}

const char *pt_pam_name(int rc)
{
	switch (rc) {
#define N(x) case x: return #x
	N(PAM_SUCCESS); N(PAM_AUTH_ERR); N(PAM_MAXTRIES); N(PAM_PERM_DENIED); N(PAM_IGNORE);
	N(PAM_SERVICE_ERR); N(PAM_AUTHINFO_UNAVAIL); N(PAM_USER_UNKNOWN); N(PAM_AUTHTOK_ERR);
	N(PAM_CONV_ERR); N(PAM_BUF_ERR); N(PAM_SYSTEM_ERR); N(PAM_AUTHTOK_RECOVERY_ERR);
	N(PAM_NEW_AUTHTOK_REQD); N(PAM_ACCT_EXPIRED); N(PAM_CRED_INSUFFICIENT); N(PAM_ABORT);
	N(PAM_TRY_AGAIN); N(PAM_INCOMPLETE); N(PAM_AUTHTOK_LOCK_BUSY); N(PAM_AUTHTOK_DISABLE_AGING);
#undef N
	default: return "(other)";
	}
}

void pt_expect_(const char *service, const char *user, struct pt_conv *c, struct pam_testcase *cases,
		size_t count, const char *file, int line)
{
	enum pamtest_err perr = _pamtest_conv(service, user, conv_fn, c, cases, count, NULL);
	if (perr == PAMTEST_ERR_OK)
		return;
	const struct pam_testcase *bad = _pamtest_failed_case(cases, count);
	if (bad != NULL) {
		fprintf(stderr, "%s:%d: service %s, case %d: got %s (%d), expected %s (%d); conversation:\n", file,
			line, service, (int)(bad - cases), pt_pam_name(bad->op_rv), bad->op_rv,
			pt_pam_name(bad->expected_rv), bad->expected_rv);
	} else {
		fprintf(stderr, "%s:%d: service %s: pamtest error %d; conversation:\n", file, line, service, (int)perr);
	}
	pt_conv_dump(c);
	_fail(file, line);
}

int pt_pam(const char *service, const char *user, struct pt_conv *c, enum pamtest_ops op)
{
	struct pam_testcase cases[] = {pam_test(op, PAM_SUCCESS)};
	cases[0].op_rv = -1;
	enum pamtest_err perr = _pamtest_conv(service, user, conv_fn, c, cases, 1, NULL);
	if (perr != PAMTEST_ERR_OK && perr != PAMTEST_ERR_CASE)
		fail_msg("pamtest error %d", (int)perr);
	return cases[0].op_rv;
}
