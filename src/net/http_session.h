// A served connection (plain or TLS) behind a non-template entry point, so
// Beast's templates are instantiated in http_session.cc alone.
#pragma once

#include <boost/asio/ip/tcp.hpp>

#include "net/server_core.h"

namespace snapq::net::detail {

// Serves an accepted connection until it closes, over TLS when core.tls is
// set. The connection registers itself in `core` and removes itself when done.
void startConnection(boost::asio::ip::tcp::socket socket, ServerCore& core);

}  // namespace snapq::net::detail
