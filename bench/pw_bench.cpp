// SPDX-License-Identifier: BSD-2-Clause
// The password path, in-process, on one candidate list:
//   chorus  chorus_password_check (every rule) with a compiled 1,000,000-entry blocklist
//   pwq     libpwquality's pwquality_check with its cracklib dictionary
//   history chorus_password_check for a user with 1, 5 and 24 argon2id
//           history entries at the default parameters (m=19 MiB, t=2, p=1)
//
//   pw_bench DIR CANDIDATES HISTORY_ROUNDS
// DIR is a cache: words.txt, blocklist.bin and the history state are made
// once and reused.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <argon2.h>
#include <pwquality.h>

#include <chorus/chorus.h>

namespace {

using Clock = std::chrono::steady_clock;

void log_stderr(void*, int priority, const char* message) {
    if (priority <= 4) std::fprintf(stderr, "chorus: %s\n", message);
}

std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Word i: an odd multiplier permutes [0, 2^40); nine base-26 letters (26^9 >
// 2^40) write the result, so distinct i give distinct words.
std::string word(std::uint64_t i) {
    std::uint64_t v = (i * 0x9e3779b97fULL) & ((1ULL << 40) - 1);
    std::string w(9, 'a');
    for (auto& c : w) {
        c = static_cast<char>('a' + v % 26);
        v /= 26;
    }
    return w;
}

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

// Candidates: listed words as typed by people ("Word1234!"), and strong
// random ones that pass every rule (the full checklist runs either way).
std::vector<std::string> candidates(std::size_t n) {
    static const char sym[] = "!@#$%&*?";
    std::vector<std::string> out;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t r = mix(i + 77);
        std::string w = word(r % 1000000);
        if (i % 2 == 0) {
            w[0] = static_cast<char>(w[0] - 'a' + 'A');
            w += std::to_string(r % 10000) + sym[(r >> 20) % 8];
        } else {
            std::string s;
            for (int k = 0; k < 12; ++k) {
                std::uint64_t x = mix(r + static_cast<std::uint64_t>(k));
                const char* cls[] = {"abcdefghjkmnpqrstuvwxyz", "ABCDEFGHJKLMNPQRSTUVWXYZ", "23456789", sym};
                const char* set = cls[k % 4];
                s += set[x % std::char_traits<char>::length(set)];
            }
            w = s;
        }
        out.push_back(w);
    }
    return out;
}

struct Stats {
    double median_us, p99_us, mean_us;
};

Stats stats(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    double sum = 0;
    for (double x : v) sum += x;
    return {v[v.size() / 2], v[(v.size() * 99) / 100], sum / static_cast<double>(v.size())};
}

double us_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
}

void print(const char* label, const char* kase, std::size_t n, std::size_t ok, const Stats& s) {
    std::printf("RESULT label=%s case=%s n=%zu ok=%zu median_us=%.2f p99_us=%.2f mean_us=%.2f\n", label, kase,
                n, ok, s.median_us, s.p99_us, s.mean_us);
    std::fflush(stdout);
}

int prepare(const std::string& dir) {
    ::mkdir(dir.c_str(), 0700);
    ::mkdir((dir + "/state").c_str(), 0700);
    const std::string bl = dir + "/blocklist.bin";
    if (!exists(bl)) {
        std::ofstream words(dir + "/words.txt");
        for (std::uint64_t i = 0; i < 1000000; ++i) words << word(i) << '\n';
        words.close();
        char* msg = nullptr;
        int rc = chorus_blocklist_compile((dir + "/words.txt").c_str(), bl.c_str(), &msg);
        if (rc != CHORUS_OK) {
            std::fprintf(stderr, "blocklist: %s %s\n", chorus_strerror(rc), msg ? msg : "");
            chorus_string_free(&msg);
            return 1;
        }
        chorus_string_free(&msg);
    }
    std::ofstream cfg(dir + "/chorus.yaml");
    cfg << "store:\n  path: " << dir << "/state\npassword:\n  blocklist: " << bl
        << "\n  history:\n    remember: 24\n";
    return cfg.good() ? 0 : 1;
}

int history_users(chorus_ctx_t* ctx, const std::string& dir) {
    for (int n : {1, 5, 24}) {
        const std::string user = "hist" + std::to_string(n);
        if (exists(dir + "/state/" + user + ".rec")) continue;
        for (int i = 0; i < n; ++i) {
            int rc = chorus_password_record(ctx, user.c_str(), ("Old-Passw0rd-" + std::to_string(i)).c_str());
            if (rc != CHORUS_OK) {
                std::fprintf(stderr, "history %s: %s\n", user.c_str(), chorus_strerror(rc));
                return 1;
            }
        }
    }
    return 0;
}

// One argon2id hash at the default and at cheaper parameter choices, to
// show what a history check of N entries would cost with each (N x this).
void argon2_choices(int rounds) {
    struct Choice {
        const char* name;
        std::uint32_t t, m_kib, p;
    };
    const Choice choices[] = {{"m64M_t3_p1_old_default", 3, 65536, 1},
                              {"m64M_t1_p1", 1, 65536, 1},
                              {"m19M_t2_p1_owasp_default", 2, 19456, 1},
                              {"m12M_t3_p1_owasp", 3, 12288, 1}};
    const char salt[] = "bench-salt-16byt";
    std::uint8_t out[32];
    for (const Choice& c : choices) {
        std::vector<double> lat;
        for (int r = 0; r < std::max(rounds, 1); ++r) {
            auto t0 = Clock::now();
            if (argon2id_hash_raw(c.t, c.m_kib, c.p, "Fresh-Passw0rd!", 15, salt, 16, out, sizeof out) !=
                ARGON2_OK)
                return;
            lat.push_back(us_since(t0));
        }
        print("argon2id", c.name, lat.size(), lat.size(), stats(lat));
    }
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 4) {
        std::fprintf(stderr, "usage: pw_bench DIR CANDIDATES HISTORY_ROUNDS\n");
        return 2;
    }
    const std::string dir = argv[1];
    const auto n = static_cast<std::size_t>(std::atol(argv[2]));
    const int rounds = std::atoi(argv[3]);
    if (prepare(dir) != 0) return 1;
    const auto list = candidates(n);

    chorus_ctx_t* ctx = nullptr;
    if (chorus_ctx_new(&ctx, (dir + "/chorus.yaml").c_str(), log_stderr, nullptr, 0) != CHORUS_OK) return 1;
    auto first = Clock::now();  // the first check opens and validates the blocklist
    chorus_checklist_t* cl = nullptr;
    if (chorus_password_check(ctx, nullptr, nullptr, "warm-Up-1", CHORUS_PW_CHANGE, &cl) != CHORUS_OK)
        return 1;
    chorus_checklist_free(&cl);
    double open_us = us_since(first);
    print("chorus-pw", "first_check", 1, 1, {open_us, open_us, open_us});

    std::vector<double> lat;
    std::size_t passed = 0;
    for (int rep = 0; rep < 20; ++rep) {
        for (const auto& pw : list) {
            auto t0 = Clock::now();
            int rc = chorus_password_check(ctx, nullptr, nullptr, pw.c_str(), CHORUS_PW_CHANGE, &cl);
            lat.push_back(us_since(t0));
            if (rc != CHORUS_OK) return 1;
            if (rep == 0) passed += chorus_checklist_ok(cl) != 0;
            chorus_checklist_free(&cl);
        }
    }
    print("chorus-pw", "candidate", list.size(), passed, stats(lat));

    pwquality_settings_t* pwq = pwquality_default_settings();
    lat.clear();
    passed = 0;
    for (const auto& pw : list) {
        void* aux = nullptr;
        auto t0 = Clock::now();
        int score = pwquality_check(pwq, pw.c_str(), nullptr, "bench000000", &aux);
        lat.push_back(us_since(t0));
        passed += score >= 0;
    }
    pwquality_free_settings(pwq);
    print("pwquality", "candidate", list.size(), passed, stats(lat));

    if (history_users(ctx, dir) != 0) return 1;
    for (int hn : {1, 5, 24}) {
        const std::string user = "hist" + std::to_string(hn);
        lat.clear();
        std::size_t ok = 0;
        for (int r = 0; r < rounds; ++r) {
            auto t0 = Clock::now();
            int rc =
                chorus_password_check(ctx, user.c_str(), nullptr, "Fresh-Passw0rd!", CHORUS_PW_CHANGE, &cl);
            lat.push_back(us_since(t0));
            if (rc != CHORUS_OK) return 1;
            ok += chorus_checklist_ok(cl) != 0;
            chorus_checklist_free(&cl);
        }
        print("chorus-history", ("n" + std::to_string(hn)).c_str(), lat.size(), ok, stats(lat));
    }
    chorus_ctx_free(&ctx);
    argon2_choices(rounds);
    return 0;
}
