// HTTPS: a self-signed certificate made at test time (OpenSSL's API), served
// on 127.0.0.1 and trusted by the client as its CA.
#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <future>

#include "net/http_server.h"
#include "net/net_test_util.h"

namespace snapq::net {
namespace {

using namespace std::chrono_literals;
using testing::get;
using testing::startServer;
using testing::urlOf;
using testing::waitFor;
namespace fs = std::filesystem;

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

KeyPtr newKey() { return KeyPtr(EVP_EC_gen("P-256"), EVP_PKEY_free); }

bool writeKey(EVP_PKEY* key, const fs::path& path) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr) == 1;
  return std::fclose(f) == 0 && ok;
}

// A self-signed certificate for 127.0.0.1 and localhost, its own CA.
bool writeCertificate(EVP_PKEY* key, const fs::path& path) {
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24L * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("snapq test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : {std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                                   std::pair{NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) return false;
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) == 0) return false;
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return false;
  const bool ok = PEM_write_X509(f, cert.get()) == 1;
  return std::fclose(f) == 0 && ok;
}

class HttpTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string dir = (fs::temp_directory_path() / "snapq-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir.data()), nullptr) << "cannot create a temporary directory";
    dir_ = dir;
    KeyPtr key = newKey();
    ASSERT_TRUE(key) << "OpenSSL could not generate a P-256 key";
    ASSERT_TRUE(writeKey(key.get(), dir_ / "key.pem") && writeCertificate(key.get(), dir_ / "cert.pem"))
        << "cannot create the test certificate in " << dir_;
    files_ = {(dir_ / "cert.pem").string(), (dir_ / "key.pem").string()};
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  HttpServerOptions tlsOptions() const {
    HttpServerOptions o;
    o.tls = files_;
    return o;
  }
  HttpClientOptions trusting() const {
    HttpClientOptions o;
    o.ca_file = files_.cert_file;
    return o;
  }
  Status startWith(const TlsFiles& files) {
    HttpServerOptions o;
    o.tls = files;
    HttpServer server(o, [](const HttpRequest&, HttpResponse& res) { res.text(200, "ok"); });
    Status s = server.start();
    if (s.isOk()) ADD_FAILURE() << "started with bad TLS files";
    EXPECT_EQ(server.port(), 0);
    return s;
  }

  fs::path dir_;
  TlsFiles files_;
};

TEST_F(HttpTlsTest, ServesHttpsToAClientTrustingTheCertificate) {
  auto server = startServer(tlsOptions(), [](const HttpRequest& req, HttpResponse& res) { res.text(200, req.path); });
  EXPECT_TRUE(server->tls());
  const std::string url = urlOf(*server, "/secure");
  ASSERT_TRUE(url.starts_with("https://127.0.0.1:")) << url;
  HttpClient client(trusting());
  for (int i = 0; i < 3; ++i) {  // the second and third reuse the TLS connection
    auto res = client.send(get(url));
    ASSERT_TRUE(res) << res.status().toString();
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->body, "/secure");
  }
  EXPECT_EQ(server->connections(), 1u);

  // Without the test CA the certificate is not trusted: verification is on.
  HttpClient stranger;
  EXPECT_FALSE(stranger.send(get(url)));
}

TEST_F(HttpTlsTest, PlainHttpToTheTlsPortFailsAndHttpsGoesOn) {
  auto server = startServer(tlsOptions(), [](const HttpRequest&, HttpResponse& res) { res.text(200, "ok"); });
  HttpClient plain;
  auto res = plain.send(get("http://127.0.0.1:" + std::to_string(server->port()) + "/x"));
  EXPECT_FALSE(res);
  EXPECT_TRUE(waitFor([&] { return server->connections() == 0; }, 3s));
  HttpClient client(trusting());
  auto ok = client.send(get(urlOf(*server, "/x")));
  ASSERT_TRUE(ok) << ok.status().toString();
  EXPECT_EQ(ok->body, "ok");
}

TEST_F(HttpTlsTest, StreamsOverTlsAndNoticesTheClientLeaving) {
  std::promise<std::shared_ptr<ResponseStream>> opened;
  auto server = startServer(tlsOptions(), AsyncHandler([&](const HttpRequest&, Responder r) {
                              HttpResponse head;
                              head.headers.set("Content-Type", "text/event-stream");
                              opened.set_value(r.stream(std::move(head)));
                            }));
  std::mutex mu;
  std::string body;
  std::atomic<bool> leave{false};
  auto done = std::async(std::launch::async, [&] {
    HttpClient client(trusting());
    ClientRequest req = get(urlOf(*server, "/events"));
    req.on_body = [&](std::string_view piece) {
      std::lock_guard lock(mu);
      body.append(piece);
      return !leave.load();
    };
    return client.send(req);
  });
  auto stream = opened.get_future().get();
  std::string expected;
  for (int i = 0; i < 5; ++i) {
    const std::string event = "data: " + std::to_string(i) + "\n\n";
    ASSERT_TRUE(stream->write(event));
    expected += event;
    ASSERT_TRUE(waitFor([&] {
      std::lock_guard lock(mu);
      return body == expected;
    })) << body;
  }
  leave = true;
  stream->write("data: bye\n\n");  // the client takes it and leaves
  auto res = done.get();
  ASSERT_TRUE(res) << res.status().toString();
  EXPECT_EQ(res->status, 200);
  EXPECT_TRUE(waitFor([&] { return !stream->open(); }, 3s));
  EXPECT_TRUE(waitFor([&] { return server->connections() == 0; }, 3s));
}

TEST_F(HttpTlsTest, BadFilesFailStartWithTheFileAndTheReason) {
  const std::string missing = (dir_ / "missing.pem").string();
  Status s = startWith({missing, files_.key_file});
  EXPECT_EQ(s.code(), ErrorCode::invalid_argument);
  EXPECT_NE(s.message().find(missing), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("No such file"), std::string::npos) << s.message();

  s = startWith({files_.cert_file, missing});
  EXPECT_EQ(s.code(), ErrorCode::invalid_argument);
  EXPECT_NE(s.message().find("key file '" + missing + "'"), std::string::npos) << s.message();

  // Not PEM: the message names the file, never what it holds.
  const std::string junk = (dir_ / "junk.pem").string();
  std::ofstream(junk) << "SECRET-CONTENT-123\n";
  for (const TlsFiles& bad : {TlsFiles{junk, files_.key_file}, TlsFiles{files_.cert_file, junk}}) {
    s = startWith(bad);
    EXPECT_EQ(s.code(), ErrorCode::invalid_argument);
    EXPECT_NE(s.message().find(junk), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find("SECRET"), std::string::npos) << s.message();
  }

  // A well-formed key of another certificate.
  KeyPtr other = newKey();
  const std::string other_key = (dir_ / "other-key.pem").string();
  ASSERT_TRUE(other && writeKey(other.get(), other_key));
  s = startWith({files_.cert_file, other_key});
  EXPECT_EQ(s.code(), ErrorCode::invalid_argument);
  EXPECT_NE(s.message().find("does not match"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(other_key), std::string::npos) << s.message();
}

TEST(HttpServerTlsFlagTest, APlainServerSaysSo) {
  HttpServer server({}, [](const HttpRequest&, HttpResponse&) {});
  EXPECT_FALSE(server.tls());
}

}  // namespace
}  // namespace snapq::net
