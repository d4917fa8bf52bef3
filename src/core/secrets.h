// Random secrets handed to people or browsers (API tokens, session ids, CSRF
// tokens) and how they are kept: only their SHA-256 is stored, and stored
// hashes are compared in constant time.
#pragma once

#include <string>
#include <string_view>

#include "snapq/status.h"

namespace snapq {

inline constexpr std::string_view kTokenPrefix = "snapq_";

// sodium_init() once; internal when it failed.
Status sodiumReady();

// 32 random bytes as unpadded base64url (43 characters).
std::string randomSecret();
// "snapq_" + randomSecret(): shown once, to the person who created it.
std::string newApiToken();
// A readable random password for the first admin: `length` characters from
// letters and digits without look-alikes (0/O, 1/l/I).
std::string randomPassword(size_t length = 20);

// Lowercase hex SHA-256 of the secret: what the store keeps and looks up.
std::string secretHash(std::string_view secret);
// Equal, in time that depends only on the lengths.
bool constantTimeEquals(std::string_view a, std::string_view b);

}  // namespace snapq
