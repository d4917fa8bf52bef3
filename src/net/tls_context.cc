#include "net/tls_context.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ssl/context.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace snapq::net::detail {
namespace {

namespace ssl = boost::asio::ssl;

// OpenSSL's reason for the failure ("no start line"): the first error queued,
// the cause (the later ones say which layer gave up). A description, never
// the file's contents. Clears the thread's error queue so that nothing stale
// reaches a later handshake.
std::string openSslReason() {
  const unsigned long err = ERR_peek_error();  // NOLINT(google-runtime-int): OpenSSL's type
  const char* reason = err != 0 ? ERR_reason_error_string(err) : nullptr;
  ERR_clear_error();
  return reason != nullptr ? reason : "unknown OpenSSL error";
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};
using File = std::unique_ptr<FILE, FileCloser>;

// Opened here rather than by OpenSSL so that a missing or unreadable file is
// told apart from one that holds no PEM.
Result<File> openPem(const std::string& what, const std::string& path) {
  if (path.empty()) return Status::invalidArgument("the TLS " + what + " file is not set");
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) {
    return Status::invalidArgument("cannot read the TLS " + what + " file '" + path + "': it is a directory");
  }
  errno = 0;
  File f(std::fopen(path.c_str(), "rb"));
  if (!f) {
    return Status::invalidArgument("cannot read the TLS " + what + " file '" + path + "': " + std::strerror(errno));
  }
  return f;
}

// An encrypted key fails instead of OpenSSL prompting on the terminal.
int noPassphrase(char*, int, int, void*) { return -1; }

}  // namespace

Result<std::shared_ptr<ssl::context>> loadTlsContext(const TlsFiles& files) {
  auto cert = openPem("certificate", files.cert_file);
  if (!cert) return cert.status();
  auto key_file = openPem("key", files.key_file);
  if (!key_file) return key_file.status();

  std::shared_ptr<ssl::context> ctx;
  try {
    ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  } catch (const std::exception& e) {
    return Status::internal(std::string("cannot create a TLS context: ") + e.what());
  }
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
  // No renegotiation: a stream's reads and writes then never wait on each other.
  SSL_CTX_set_options(native, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);

  // The chain file is read by OpenSSL itself (leaf first, then intermediates).
  if (SSL_CTX_use_certificate_chain_file(native, files.cert_file.c_str()) != 1) {
    return Status::invalidArgument("the TLS certificate file '" + files.cert_file +
                                   "' holds no usable PEM certificate (OpenSSL: " + openSslReason() + ")");
  }
  EVP_PKEY* key = PEM_read_PrivateKey(key_file->get(), nullptr, noPassphrase, nullptr);
  if (key == nullptr) {
    return Status::invalidArgument(
        "the TLS key file '" + files.key_file +
        "' holds no usable private key: expected an unencrypted PEM key (OpenSSL: " + openSslReason() + ")");
  }
  const bool used = SSL_CTX_use_PrivateKey(native, key) == 1;
  EVP_PKEY_free(key);
  // A key of another type than the certificate's is accepted above and
  // caught by the check.
  if (!used || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Status::invalidArgument("the TLS key file '" + files.key_file + "' does not match the certificate in '" +
                                   files.cert_file + "'");
  }
  return ctx;
}

}  // namespace snapq::net::detail
