// Password hashing with Argon2id (libsodium's crypto_pwhash_str), at the
// INTERACTIVE limits (2 passes, 64 MiB): 122 ms per hash measured on the
// two-core build machine, so a login costs little while an offline guess stays
// expensive. MODERATE (256 MiB) took 942 ms there: too slow and too much memory
// for a small server answering concurrent logins (docs/ARCHITECTURE.md
// "Authentication").
#pragma once

#include <string>
#include <string_view>

#include "snapq/status.h"

namespace snapq {

inline constexpr size_t kMinPasswordLength = 12;
inline constexpr size_t kMaxPasswordLength = 1024;

// invalid_argument with a message for a person when the password is too
// short or too long (lengths in bytes of UTF-8); never quotes the password.
Status checkPasswordPolicy(std::string_view password);

// "$argon2id$v=19$m=65536,t=2,p=1$..." (salt included). internal when
// libsodium cannot allocate the memory.
Result<std::string> hashPassword(std::string_view password);
// Constant-time with respect to the password; false for a malformed hash.
bool verifyPassword(std::string_view password, const std::string& hash);
// The hash was made with other limits than hashPassword uses now.
bool passwordNeedsRehash(const std::string& hash);

// A hash of a random password, made once per process: verifying against it
// costs what a real check costs, so an unknown user name answers as slowly
// as a wrong password.
const std::string& dummyPasswordHash();

}  // namespace snapq
