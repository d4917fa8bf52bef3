#include "core/passwords.h"

#include <sodium.h>

#include "core/secrets.h"

namespace snapq {
namespace {

constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

}  // namespace

Status checkPasswordPolicy(std::string_view password) {
  if (password.size() < kMinPasswordLength) {
    return Status::invalidArgument("password is too short: at least " + std::to_string(kMinPasswordLength) +
                                   " characters are required");
  }
  if (password.size() > kMaxPasswordLength) {
    return Status::invalidArgument("password is too long: at most " + std::to_string(kMaxPasswordLength) +
                                   " characters");
  }
  return Status::ok();
}

Result<std::string> hashPassword(std::string_view password) {
  if (Status s = sodiumReady(); !s) return s;
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), kOpsLimit, kMemLimit) != 0) {
    return Status::internal("password hashing failed (out of memory)");
  }
  return std::string(out);
}

bool verifyPassword(std::string_view password, const std::string& hash) {
  if (!sodiumReady() || hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool passwordNeedsRehash(const std::string& hash) {
  if (!sodiumReady()) return false;
  return crypto_pwhash_str_needs_rehash(hash.c_str(), kOpsLimit, kMemLimit) != 0;
}

const std::string& dummyPasswordHash() {
  static const std::string hash = [] {
    auto h = hashPassword(randomSecret());
    return h ? *h : std::string();
  }();
  return hash;
}

}  // namespace snapq
