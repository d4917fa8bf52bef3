// Content hashes of snapshot rows: SHA-256 over a canonical JSON text, so the
// same remote object always hashes the same, whatever key order or number
// spelling the service used. The algorithm is specified in docs/HASHING.md so
// that other programs (an app sending If-Match) can compute identical hashes;
// change it only together with that document and a migration that rehashes.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace snapq {

// RFC 8785 (JSON Canonicalization Scheme) style text: no whitespace; object
// members sorted by the UTF-16 code units of their keys; strings escaped only
// where JSON requires (\" \\ \b \f \n \r \t, other controls as \u00xx, the rest
// passed through as UTF-8); doubles in ECMAScript Number.prototype.toString
// form (5.0 -> "5", 1e21 -> "1e+21", 1e-7 -> "1e-7", -0.0 -> "0").
// Deviations from RFC 8785, chosen so nothing is silently rounded:
// - integers (int64/uint64 in the document) are printed exactly, not through
//   an IEEE double, so ids above 2^53 keep their identity;
// - NaN and infinities (which JSON cannot carry) become null;
// - binary values become an array of byte values.
// Input strings should be UTF-8 (nlohmann's parser guarantees it); invalid
// bytes are passed through and sort deterministically.
std::string canonicalJson(const nlohmann::json& value);

// Lowercase hex SHA-256 of canonicalJson({field: object[field] for each of
// hashed_fields}). A field missing from the object is hashed as null, so "the
// service omitted the field" and "the service sent null" hash the same. Field
// names are top-level member names; duplicates count once; the order of
// hashed_fields does not matter. A non-object hashes as if every field were null.
std::string contentHash(const nlohmann::json& object, const std::vector<std::string>& hashed_fields);

// Lowercase hex SHA-256 of raw bytes.
std::string sha256Hex(std::string_view bytes);

// Strict weak order of strings by their UTF-16 code units (RFC 8785 key order).
bool utf16Less(std::string_view a, std::string_view b);

}  // namespace snapq
