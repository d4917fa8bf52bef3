// Authenticated encryption of the real job payload, which may hold secrets
// that the masked audit copy hides. Only the process holding the key (from
// SNAPQ_SECRET_KEY or a 0600 key file) can read it back, and any tampering
// with the stored bytes is detected rather than silently decoded.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "snapq/status.h"

namespace snapq {

class Sealer {
 public:
  static constexpr size_t kKeySize = 32;

  struct KeySource {
    // Value of SNAPQ_SECRET_KEY when set: 64 hex chars are the key itself,
    // anything else is a passphrase the key is derived from.
    std::optional<std::string> secret_key;
    // Used when secret_key is unset; created with a random key if missing.
    std::string key_file;
  };

  static Result<Sealer> fromKey(std::span<const unsigned char> key);
  static Result<Sealer> load(const KeySource& source);

  Sealer(const Sealer&) = default;
  Sealer& operator=(const Sealer&) = default;
  ~Sealer();

  // Binary: version byte, nonce, ciphertext with tag.
  std::string seal(std::string_view plaintext) const;
  Result<std::string> open(std::string_view sealed) const;

 private:
  explicit Sealer(std::span<const unsigned char, kKeySize> key);

  std::array<unsigned char, kKeySize> key_;
};

}  // namespace snapq
