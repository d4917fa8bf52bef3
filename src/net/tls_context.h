// The server's TLS context from PEM files, checked at start-up so that a bad
// file is a clear error instead of failed handshakes later.
#pragma once

#include <memory>

#include "net/http_server.h"
#include "snapq/status.h"

namespace boost::asio::ssl {
class context;
}

namespace snapq::net::detail {

// invalid_argument naming the file and the reason (missing, unreadable, not
// PEM, encrypted key, key not matching the certificate); never file contents.
Result<std::shared_ptr<boost::asio::ssl::context>> loadTlsContext(const TlsFiles& files);

}  // namespace snapq::net::detail
