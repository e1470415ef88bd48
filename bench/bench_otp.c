/* SPDX-License-Identifier: BSD-2-Clause */
/* Synthetic users, their keys, and a small HMAC-SHA1 TOTP (RFC 6238). */
#include "bench_otp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void bench_user_name(unsigned index, char* buf, size_t size) {
    snprintf(buf, size, "bench%06u", index);
}

long bench_user_index(const char* name) {
    if (strncmp(name, "bench", 5) != 0 || strlen(name) != 11) return -1;
    long v = 0;
    for (const char* p = name + 5; *p; ++p) {
        if (*p < '0' || *p > '9') return -1;
        v = v * 10 + (*p - '0');
    }
    return v < (long)BENCH_MAX_USERS ? v : -1;
}

static uint64_t splitmix64(uint64_t* s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void bench_user_key(unsigned index, uint8_t key[BENCH_KEY_BYTES]) {
    uint64_t s = 0xc0de5eedULL ^ ((uint64_t)index << 20);
    for (int i = 0; i < BENCH_KEY_BYTES; i += 4) {
        uint64_t v = splitmix64(&s);
        memcpy(key + i, &v, 4);
    }
}

void bench_key_base32(const uint8_t key[BENCH_KEY_BYTES], char out[33]) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    int bits = 0, n = 0;
    unsigned acc = 0;
    for (int i = 0; i < BENCH_KEY_BYTES; ++i) {
        acc = (acc << 8) | key[i];
        bits += 8;
        while (bits >= 5) {
            out[n++] = abc[(acc >> (bits - 5)) & 31];
            bits -= 5;
        }
    }
    out[n] = '\0'; /* 160 bits = exactly 32 symbols */
}

void bench_key_hex(const uint8_t key[BENCH_KEY_BYTES], char out[41]) {
    for (int i = 0; i < BENCH_KEY_BYTES; ++i) snprintf(out + 2 * i, 3, "%02x", key[i]);
}

/* ---- SHA-1 (FIPS 180-4), only what HMAC needs -------------------------- */

struct sha1 {
    uint32_t h[5];
    uint8_t buf[64];
    size_t len, total;
};

static uint32_t rol(uint32_t x, int n) {
    return (x << n) | (x >> (32 - n));
}

static void sha1_block(struct sha1* c, const uint8_t* p) {
    uint32_t w[80];
    for (int i = 0; i < 16; ++i)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 |
               p[4 * i + 3];
    for (int i = 16; i < 80; ++i) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
    uint32_t a = c->h[0], b = c->h[1], cc = c->h[2], d = c->h[3], e = c->h[4];
    for (int i = 0; i < 80; ++i) {
        uint32_t f, k;
        if (i < 20) {
            f = (b & cc) | (~b & d);
            k = 0x5a827999;
        } else if (i < 40) {
            f = b ^ cc ^ d;
            k = 0x6ed9eba1;
        } else if (i < 60) {
            f = (b & cc) | (b & d) | (cc & d);
            k = 0x8f1bbcdc;
        } else {
            f = b ^ cc ^ d;
            k = 0xca62c1d6;
        }
        uint32_t t = rol(a, 5) + f + e + k + w[i];
        e = d;
        d = cc;
        cc = rol(b, 30);
        b = a;
        a = t;
    }
    c->h[0] += a, c->h[1] += b, c->h[2] += cc, c->h[3] += d, c->h[4] += e;
}

static void sha1_init(struct sha1* c) {
    static const uint32_t iv[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(c->h, iv, sizeof iv);
    c->len = c->total = 0;
}

static void sha1_update(struct sha1* c, const uint8_t* p, size_t n) {
    c->total += n;
    while (n > 0) {
        size_t take = 64 - c->len < n ? 64 - c->len : n;
        memcpy(c->buf + c->len, p, take);
        c->len += take, p += take, n -= take;
        if (c->len == 64) {
            sha1_block(c, c->buf);
            c->len = 0;
        }
    }
}

static void sha1_final(struct sha1* c, uint8_t out[20]) {
    uint64_t bits = (uint64_t)c->total * 8;
    uint8_t pad = 0x80, zero = 0, len[8];
    sha1_update(c, &pad, 1);
    while (c->len != 56) sha1_update(c, &zero, 1);
    for (int i = 0; i < 8; ++i) len[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha1_update(c, len, 8);
    for (int i = 0; i < 5; ++i) {
        out[4 * i] = (uint8_t)(c->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)c->h[i];
    }
}

unsigned bench_totp(const uint8_t key[BENCH_KEY_BYTES], uint64_t step) {
    uint8_t ipad[64], opad[64], msg[8], inner[20], mac[20];
    memset(ipad, 0x36, sizeof ipad);
    memset(opad, 0x5c, sizeof opad);
    for (int i = 0; i < BENCH_KEY_BYTES; ++i) {
        ipad[i] ^= key[i];
        opad[i] ^= key[i];
    }
    for (int i = 0; i < 8; ++i) msg[i] = (uint8_t)(step >> (56 - 8 * i));
    struct sha1 c;
    sha1_init(&c);
    sha1_update(&c, ipad, 64);
    sha1_update(&c, msg, 8);
    sha1_final(&c, inner);
    sha1_init(&c);
    sha1_update(&c, opad, 64);
    sha1_update(&c, inner, 20);
    sha1_final(&c, mac);
    int off = mac[19] & 0xf;
    uint32_t bin = (uint32_t)(mac[off] & 0x7f) << 24 | (uint32_t)mac[off + 1] << 16 |
                   (uint32_t)mac[off + 2] << 8 | mac[off + 3];
    return bin % 1000000u;
}

uint64_t bench_step_now(void) {
    return (uint64_t)time(NULL) / BENCH_PERIOD;
}

unsigned bench_wrong_code(const uint8_t key[BENCH_KEY_BYTES], uint64_t step) {
    unsigned near[7];
    for (int i = 0; i < 7; ++i) near[i] = bench_totp(key, step - 3 + (uint64_t)i);
    unsigned c = (near[3] + 500000u) % 1000000u;
    for (;;) {
        int clash = 0;
        for (int i = 0; i < 7; ++i) clash |= near[i] == c;
        if (!clash) return c;
        c = (c + 1) % 1000000u;
    }
}
