// A credential (API token, password, client secret) kept out of every log,
// error, dump and UI: it prints as "***", and the only way to read it is the
// deliberately loud reveal(), called where the value goes on the wire.
#pragma once

#include <ostream>
#include <string>
#include <utility>

namespace snapq {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string value) : value_(std::move(value)) {}

  // The real value: only for building the request that needs it.
  const std::string& reveal() const { return value_; }
  bool empty() const { return value_.empty(); }

  bool operator==(const Secret&) const = default;

 private:
  std::string value_;
};

// Always "***" (even for an empty secret, so the output says nothing).
inline std::ostream& operator<<(std::ostream& out, const Secret&) { return out << "***"; }

inline constexpr const char* kSecretMask = "***";

}  // namespace snapq
