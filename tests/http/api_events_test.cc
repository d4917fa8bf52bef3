// The live events stream over real HTTP: every change of a job reaches a
// connected client as a server-sent event, with heartbeats in between.
#include <atomic>
#include <mutex>
#include <thread>

#include "api_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;
using ApiEvents = ApiTest;

// Reads GET /api/v1/events on a thread of its own until stopped.
class EventReader {
 public:
  EventReader(const std::string& url, const Caller& who) {
    thread_ = std::thread([this, url, who] {
      net::HttpClient client;
      net::ClientRequest req;
      req.url = url + "/api/v1/events";
      req.timeout = std::chrono::seconds(60);
      if (!who.bearer.empty()) req.headers.set("Authorization", "Bearer " + who.bearer);
      req.on_body = [this](std::string_view piece) {
        std::lock_guard lock(mu_);
        text_ += piece;
        return !stop_;
      };
      auto res = client.send(req);
      std::lock_guard lock(mu_);
      status_ = res ? res->status : -1;
      content_type_ = res ? res->headers.get("Content-Type").value_or("") : "";
    });
  }
  ~EventReader() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    thread_.join();
  }
  std::string text() {
    std::lock_guard lock(mu_);
    return text_;
  }
  // The data of every `event: job` frame received so far.
  std::vector<json> jobs() {
    std::vector<json> out;
    std::string all = text();
    size_t at = 0;
    while ((at = all.find("event: job\ndata: ", at)) != std::string::npos) {
      at += 17;
      size_t end = all.find("\n\n", at);
      if (end == std::string::npos) break;
      out.push_back(json::parse(all.substr(at, end - at), nullptr, false));
    }
    return out;
  }

 private:
  std::mutex mu_;
  std::string text_;
  bool stop_ = false;
  int status_ = 0;
  std::string content_type_;
  std::thread thread_;
};

TEST_P(ApiEvents, AClientSeesEveryChangeOfAJobUntilItSucceeds) {
  api_options_.events.heartbeat = std::chrono::milliseconds(100);
  startApi(10);
  EventReader reader(base_, token("vic"));
  ASSERT_TRUE(waitFor([&] { return reader.text().find(": connected") != std::string::npos; }, std::chrono::seconds(10)))
      << reader.text();
  Caller olga = token("olga");
  json sync = expect(202, "POST", "/api/v1/services/sim/accounts/sync", olga, "{}");
  const int64_t id = sync["job"]["id"];
  auto statuses = [&] {
    std::vector<std::string> out;
    for (const json& j : reader.jobs()) {
      if (j.value("id", int64_t{0}) == id) out.push_back(j["status"]);
    }
    return out;
  };
  ASSERT_TRUE(waitFor([&] { return !statuses().empty() && statuses().back() == "success"; }, std::chrono::seconds(20)))
      << reader.text();
  EXPECT_EQ(statuses(), (std::vector<std::string>{"queued", "running", "success"}));
  for (const json& j : reader.jobs()) {
    EXPECT_FALSE(j.contains("payload")) << "summaries only";
    EXPECT_TRUE(j.contains("change") && j.contains("service") && j.contains("action")) << j.dump();
  }
  EXPECT_TRUE(waitFor([&] { return reader.text().find(": heartbeat") != std::string::npos; }, std::chrono::seconds(5)));
}

TEST_P(ApiEvents, TheStreamNeedsTheAuditPermission) {
  startApi(1);
  EXPECT_EQ(expect(403, "GET", "/api/v1/events", token("olga", "snapshot.view"))["error"]["code"], "forbidden");
  expect(401, "GET", "/api/v1/events", anonymous());
  expect(400, "GET", "/api/v1/events?since=1", token("vic"));
}

INSTANTIATE_TEST_SUITE_P(Drivers, ApiEvents, ::testing::Values("sqlite", "postgres"), driverName);

}  // namespace
}  // namespace snapq::testing
