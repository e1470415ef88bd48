/* SPDX-License-Identifier: BSD-2-Clause */
#include "ref_totp.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

static size_t base32_decode(const char* in, unsigned char* out, size_t cap) {
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

int ref_totp_key(const unsigned char* key, size_t key_len, time_t t, char out[16]) {
    uint64_t step = (uint64_t)t / 30;
    unsigned char msg[8];
    for (int i = 7; i >= 0; i--, step >>= 8) msg[i] = (unsigned char)(step & 0xff);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned mlen = 0;
    out[0] = '\0';
    if (HMAC(EVP_sha1(), key, (int)key_len, msg, sizeof msg, mac, &mlen) == NULL || mlen < 20) return -1;
    int off = mac[mlen - 1] & 0xf;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    snprintf(out, 16, "%06u", bin % 1000000u);
    return 0;
}

int ref_totp_base32(const char* secret_base32, time_t t, char out[16]) {
    unsigned char key[128];
    size_t klen = base32_decode(secret_base32, key, sizeof key);
    return ref_totp_key(key, klen, t, out);
}
