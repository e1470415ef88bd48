// SPDX-License-Identifier: BSD-2-Clause
// deliver_settings CONFIG: prints the settings lines the library puts in a
// delivery request for the configuration at CONFIG (flows/deliver.hpp), or
// the library's refusal (exit 3). The delivery tests build their requests
// with it, so the helper is tested with what the library really sends.
#include <cstdio>

#include "config/config.hpp"
#include "flows/deliver.hpp"

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fputs("usage: deliver_settings CONFIG\n", stderr);
        return 2;
    }
    auto cfg = chorus::load_config(argv[1]);
    if (!cfg.ok()) {
        std::fprintf(stderr, "%s\n", cfg.error().message.c_str());
        return 3;
    }
    std::fputs(chorus::delivery_settings_header(cfg->delivery).c_str(), stdout);
    return 0;
}
