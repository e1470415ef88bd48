// SPDX-License-Identifier: BSD-2-Clause
// load_config: the safe read of the file plus the missing-file rule. The one
// entry point shared by the PAM module and every tool.
#include "config/config.hpp"
#include "util/trusted_file.hpp"

namespace chorus {

Result<Config> load_config_at(const std::string& path, MissingConfig missing, const LoadOptions& opts) {
    TrustedFileOptions topts;
    topts.require_root_owner = opts.require_root_owner;
    topts.max_bytes = opts.max_bytes;
    auto text = read_trusted_file(path, topts);
    if (!text.ok()) {
        // Only plain absence of the default file means "not configured yet";
        // an unsafe or unreadable file is never silently replaced by defaults.
        if (text.code() == Errc::not_found && missing == MissingConfig::use_defaults) {
            Config defaults;
            defaults.source = "built-in defaults";
            return defaults;
        }
        std::string msg = std::move(text).error().message;
        if (msg.rfind(path, 0) != 0) msg = path + ": " + msg;
        return make_error(Errc::config, std::move(msg));
    }
    return parse_config(text.value(), path);
}

Result<Config> load_config(const std::string& path, const LoadOptions& opts) {
    if (path.empty()) return load_config_at(kDefaultConfigPath, MissingConfig::use_defaults, opts);
    return load_config_at(path, MissingConfig::error, opts);
}

}  // namespace chorus
