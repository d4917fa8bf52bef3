#include "core/content_hash.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <utility>

#include "core/json_text.h"

namespace snapq {
namespace {

using Json = nlohmann::json;

// Reads UTF-8 as UTF-16 code units. A malformed byte reads as U+FFFD on its
// own, so the result depends only on the string and the order stays total.
class Utf16Reader {
 public:
  explicit Utf16Reader(std::string_view s) : s_(s) {}

  bool next(uint32_t& unit) {
    if (low_ != 0) {
      unit = std::exchange(low_, 0);
      return true;
    }
    if (pos_ >= s_.size()) return false;
    uint32_t cp = decode();
    if (cp >= 0x10000) {
      cp -= 0x10000;
      unit = 0xD800 + (cp >> 10);
      low_ = 0xDC00 + (cp & 0x3FF);
    } else {
      unit = cp;
    }
    return true;
  }

 private:
  uint32_t decode() {
    const auto lead = static_cast<unsigned char>(s_[pos_]);
    size_t len = 0;
    uint32_t cp = 0;
    if (lead < 0x80) {
      ++pos_;
      return lead;
    }
    if (lead >= 0xC2 && lead <= 0xDF) {
      len = 2, cp = lead & 0x1Fu;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      len = 3, cp = lead & 0x0Fu;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      len = 4, cp = lead & 0x07u;
    }
    bool ok = len != 0 && pos_ + len <= s_.size();
    for (size_t i = 1; ok && i < len; ++i) {
      const auto c = static_cast<unsigned char>(s_[pos_ + i]);
      ok = (c & 0xC0) == 0x80;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    if (!ok || cp > 0x10FFFF) {
      ++pos_;
      return 0xFFFD;
    }
    pos_ += len;
    return cp;
  }

  std::string_view s_;
  size_t pos_ = 0;
  uint32_t low_ = 0;  // pending low surrogate; never 0 when set
};

// The canonical form escapes only what JSON must; other bytes are copied.
void appendString(std::string& out, std::string_view s) { jsontext::appendEscaped(out, s); }

template <typename Int>
void appendInteger(std::string& out, Int value) {
  std::array<char, 24> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  out.append(buf.data(), result.ptr);
}

// ECMAScript Number::toString: the shortest round-trip digits d1..dk with the
// value 0.d1..dk * 10^n, laid out by the rules of ECMA-262 section 6.1.6.1.20.
void appendDouble(std::string& out, double value) {
  if (!std::isfinite(value)) {
    out += "null";
    return;
  }
  if (value == 0) {  // also -0.0
    out += '0';
    return;
  }
  std::array<char, 40> buf{};
  const auto result = std::to_chars(buf.data(), buf.data() + buf.size(), value, std::chars_format::scientific);
  std::string_view sci(buf.data(), static_cast<size_t>(result.ptr - buf.data()));  // "-d.ddde+XX"
  if (sci.front() == '-') {
    out += '-';
    sci.remove_prefix(1);
  }
  const size_t e = sci.find('e');
  std::string digits(1, sci[0]);
  if (e > 1) digits.append(sci.substr(2, e - 2));
  size_t exp_start = e + 1;
  if (sci[exp_start] == '+') ++exp_start;
  int exponent = 0;
  std::from_chars(sci.data() + exp_start, sci.data() + sci.size(), exponent);

  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out += '.';
    out.append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += n - 1 > 0 ? "e+" : "e-";
    appendInteger(out, std::abs(n - 1));
  }
}

// Scalars go straight to the output; containers are walked with an explicit
// stack, because remote documents are untrusted and may nest deeper than the
// thread's stack would allow a recursive walk.
struct Frame {
  const Json* node;
  std::vector<std::pair<const std::string*, const Json*>> members;  // objects, in canonical order
  size_t next = 0;
};

void enter(std::string& out, std::vector<Frame>& stack, const Json& value) {
  switch (value.type()) {
    case Json::value_t::null:
    case Json::value_t::discarded: out += "null"; return;
    case Json::value_t::boolean: out += value.get<bool>() ? "true" : "false"; return;
    case Json::value_t::number_integer: appendInteger(out, value.get<int64_t>()); return;
    case Json::value_t::number_unsigned: appendInteger(out, value.get<uint64_t>()); return;
    case Json::value_t::number_float: appendDouble(out, value.get<double>()); return;
    case Json::value_t::string: appendString(out, value.get_ref<const std::string&>()); return;
    case Json::value_t::binary: {
      out += '[';
      bool first = true;
      for (const uint8_t byte : value.get_binary()) {
        if (!first) out += ',';
        first = false;
        appendInteger(out, byte);
      }
      out += ']';
      return;
    }
    case Json::value_t::array:
      out += '[';
      stack.push_back(Frame{&value, {}});
      return;
    case Json::value_t::object: {
      Frame frame{&value, {}};
      frame.members.reserve(value.size());
      for (const auto& [key, member] : value.items()) frame.members.emplace_back(&key, &member);
      std::sort(frame.members.begin(), frame.members.end(),
                [](const auto& a, const auto& b) { return utf16Less(*a.first, *b.first); });
      out += '{';
      stack.push_back(std::move(frame));
      return;
    }
  }
}

void appendCanonical(std::string& out, const Json& root) {
  std::vector<Frame> stack;
  enter(out, stack, root);
  while (!stack.empty()) {
    Frame& frame = stack.back();
    const bool is_object = frame.node->is_object();
    const size_t count = is_object ? frame.members.size() : frame.node->size();
    if (frame.next == count) {
      out += is_object ? '}' : ']';
      stack.pop_back();
      continue;
    }
    if (frame.next > 0) out += ',';
    const Json* child = nullptr;
    if (is_object) {
      appendString(out, *frame.members[frame.next].first);
      out += ':';
      child = frame.members[frame.next].second;
    } else {
      child = &(*frame.node)[frame.next];
    }
    ++frame.next;
    enter(out, stack, *child);  // may grow the stack: `frame` is not used after this
  }
}

}  // namespace

bool utf16Less(std::string_view a, std::string_view b) {
  const auto [ia, ib] = std::mismatch(a.begin(), a.end(), b.begin(), b.end());
  const bool a_done = ia == a.end();
  const bool b_done = ib == b.end();
  if (a_done && b_done) return false;
  // When the first differing byte is ASCII on both sides (or one string ends
  // and the other goes on with ASCII), byte order already is UTF-16 order.
  const bool a_ascii = a_done || static_cast<unsigned char>(*ia) < 0x80;
  const bool b_ascii = b_done || static_cast<unsigned char>(*ib) < 0x80;
  if (a_ascii && b_ascii) return a_done || (!b_done && *ia < *ib);

  Utf16Reader ra(a);
  Utf16Reader rb(b);
  uint32_t ua = 0;
  uint32_t ub = 0;
  while (true) {
    const bool has_a = ra.next(ua);
    const bool has_b = rb.next(ub);
    if (!has_a || !has_b) {
      if (has_a != has_b) return has_b;
      break;
    }
    if (ua != ub) return ua < ub;
  }
  return a < b;  // only malformed UTF-8 decodes equal; bytes break the tie
}

std::string canonicalJson(const nlohmann::json& value) {
  std::string out;
  appendCanonical(out, value);
  return out;
}

std::string contentHash(const nlohmann::json& object, const std::vector<std::string>& hashed_fields) {
  std::vector<std::string_view> fields(hashed_fields.begin(), hashed_fields.end());
  std::sort(fields.begin(), fields.end(), utf16Less);
  fields.erase(std::unique(fields.begin(), fields.end()), fields.end());

  static const Json kNull = nullptr;
  std::string canonical = "{";
  for (const std::string_view field : fields) {
    if (canonical.size() > 1) canonical += ',';
    appendString(canonical, field);
    canonical += ':';
    const Json* value = &kNull;
    if (object.is_object()) {
      const auto it = object.find(field);
      if (it != object.end()) value = &*it;
    }
    appendCanonical(canonical, *value);
  }
  canonical += '}';
  return sha256Hex(canonical);
}

std::string sha256Hex(std::string_view bytes) {
  // Thread-safe and idempotent; SHA-256 needs no keys or randomness, so a
  // failure here (which would only affect faster code paths) is not fatal.
  [[maybe_unused]] static const int sodium_ready = sodium_init();
  constexpr size_t kDigestSize = crypto_hash_sha256_BYTES;
  std::array<unsigned char, kDigestSize> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  std::array<char, 2 * kDigestSize + 1> hex{};  // sodium_bin2hex writes a terminating NUL
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), 2 * kDigestSize);
}

}  // namespace snapq
