// SPDX-License-Identifier: BSD-2-Clause
#include "store/record_keys.hpp"

#include "util/seal.hpp"

namespace chorus {
namespace {

template <typename F>
Status for_each_key(UserRecord& rec, F f) {
    if (rec.totp) CHORUS_RETURN_IF_ERROR(f(*rec.totp));
    for (AppKey& app : rec.more_apps) CHORUS_RETURN_IF_ERROR(f(app.key));
    return ok_status();
}

}  // namespace

Status seal_keys(UserRecord& rec, const SecretBytes& seal_key, std::string_view context) {
    return for_each_key(rec, [&](TotpKey& k) -> Status {
        if (k.sealed) return ok_status();
        CHORUS_ASSIGN_OR_RETURN(k.secret, seal(seal_key, k.secret, context));
        k.sealed = true;
        return ok_status();
    });
}

Status open_keys(UserRecord& rec, const SecretBytes& seal_key, std::string_view context,
                 bool require_sealed) {
    return for_each_key(rec, [&](TotpKey& k) -> Status {
        if (!k.sealed) {
            if (require_sealed) return make_error(Errc::corrupt, "TOTP key stored unsealed");
            return ok_status();
        }
        if (seal_key.empty())
            return make_error(Errc::config, "the TOTP key is sealed but store.seal_key_file is not set");
        CHORUS_ASSIGN_OR_RETURN(k.secret, unseal(seal_key, k.secret, context));
        k.sealed = false;
        return ok_status();
    });
}

}  // namespace chorus
