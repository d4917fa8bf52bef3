// "HOST:PORT" as given to --listen options, and back as a URL's authority.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "snapq/status.h"

namespace snapq::net {

struct HostPort {
  std::string host;  // "127.0.0.1", "localhost", "::1" (without brackets)
  uint16_t port = 0;
};

// "127.0.0.1:9100", "localhost:0", "[::1]:8080". The port is required (0
// asks the system for a free one). invalid_argument with a message that
// quotes the input otherwise.
Result<HostPort> parseHostPort(std::string_view text);

// "127.0.0.1:9100", or "[::1]:9100" for an IPv6 host.
std::string formatHostPort(const std::string& host, uint16_t port);

}  // namespace snapq::net
