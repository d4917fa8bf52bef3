// Appending JSON text straight to a string, byte for byte what nlohmann's
// dump(-1, ' ', false, error_handler_t::replace) writes for the same values,
// without building a json tree first: for answers rendered on every request
// (the audit log's pages), where the tree cost as much as reading the rows.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace snapq::jsontext {

// "text", escaped; invalid UTF-8 is replaced (U+FFFD), never a throw.
void appendString(std::string& out, std::string_view text);

// "text" with JSON's escapes of quotes, backslashes and control characters,
// every other byte copied (the caller knows the text is UTF-8).
void appendEscaped(std::string& out, std::string_view text);

// A string, or null when it is empty.
void appendStringOrNull(std::string& out, std::string_view text);

// JSON text stored by snapq (a payload, a result), copied as it is when it is
// JSON; text that is not JSON is shown as a string rather than hidden; empty is null.
void appendStoredJson(std::string& out, std::string_view stored);

void appendInt(std::string& out, int64_t value);
inline void appendBool(std::string& out, bool value) { out += value ? "true" : "false"; }
inline void appendNull(std::string& out) { out += "null"; }

// `"name":`, with the separator before it unless it opens its object ('{' last).
void appendKey(std::string& out, std::string_view name);

}  // namespace snapq::jsontext
