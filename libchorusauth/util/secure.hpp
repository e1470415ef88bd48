// SPDX-License-Identifier: BSD-2-Clause
// Secret memory: one wipe primitive, one constant-time comparison, and
// containers that wipe themselves when they release memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace chorus {

// Overwrites memory in a way the compiler may not elide (OPENSSL_cleanse).
void secure_wipe(void* p, std::size_t n) noexcept;

// Constant-time equality: time depends only on the lengths, never the content.
bool ct_equal(const void* a, std::size_t alen, const void* b, std::size_t blen) noexcept;
inline bool ct_equal(std::string_view a, std::string_view b) noexcept {
    return ct_equal(a.data(), a.size(), b.data(), b.size());
}

// Fills buf with bytes from the OS CSPRNG (getrandom). Returns false on failure.
[[nodiscard]] bool random_bytes(void* buf, std::size_t n) noexcept;

// Allocator that wipes every block before handing it back.
template <typename T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <typename U>
    WipingAllocator(const WipingAllocator<U>&) noexcept {}  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept {
        secure_wipe(p, n * sizeof(T));
        std::allocator<T>{}.deallocate(p, n);
    }
    template <typename U>
    bool operator==(const WipingAllocator<U>&) const noexcept {
        return true;
    }
};

using SecretBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;

// A string for passwords and codes. The allocator wipes heap blocks; the
// destructor also wipes the inline (small-string) buffer, which no allocator sees.
class SecretString {
public:
    using Storage = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;
    SecretString() = default;
    explicit SecretString(std::string_view s) : s_(s.data(), s.size()) {}
    SecretString(const SecretString&) = default;
    SecretString(SecretString&& o) noexcept : s_(std::move(o.s_)) { o.clear(); }
    SecretString& operator=(const SecretString&) = default;
    SecretString& operator=(SecretString&& o) noexcept {
        if (this != &o) {
            clear();
            s_ = std::move(o.s_);
            o.clear();
        }
        return *this;
    }
    ~SecretString() { clear(); }

    void clear() noexcept {
        secure_wipe(s_.data(), s_.capacity());
        s_.clear();
    }
    std::string_view view() const noexcept { return {s_.data(), s_.size()}; }
    const char* c_str() const noexcept { return s_.c_str(); }
    std::size_t size() const noexcept { return s_.size(); }
    bool empty() const noexcept { return s_.empty(); }
    Storage& raw() noexcept { return s_; }

private:
    Storage s_;
};

}  // namespace chorus
