// The rest connector against a scripted server on loopback: every kind of
// pagination, list answers it cannot use, error classification over real
// HTTP, path encoding, timeouts, and calls from several threads at once.
#include "connectors/rest/rest_connector.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "connectors/rest/rest_test_util.h"

namespace snapq::rest {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;
using testing::objectRef;
using testing::ScriptedServer;
using testing::serviceFrom;

int64_t queryInt(const net::HttpRequest& req, const std::string& name, int64_t fallback) {
  auto v = req.query.get(name);
  return v ? std::stoll(*v) : fallback;
}

json slice(const json& all, int64_t from, int64_t count) {
  json out = json::array();
  for (int64_t i = from; i < from + count && i < static_cast<int64_t>(all.size()); ++i) out.push_back(all[i]);
  return out;
}

json numbered(int n) {
  json out = json::array();
  for (int i = 1; i <= n; ++i) out.push_back({{"id", std::to_string(i)}});
  return out;
}

class RestConnectorTest : public ::testing::Test {
 protected:
  std::unique_ptr<Connector> connect(const std::string& resources,
                                     const std::string& service_keys = "    policy: {timeout: 2s}\n") {
    const std::string yaml =
        "services:\n  svc:\n    base_url: ${BASE}\n" + service_keys + "    resources:\n" + resources;
    service = serviceFrom(yaml, {{"BASE", server.url()}});
    if (service.instances.empty()) return nullptr;
    return makeRestConnector(service, service.instances.front(), RestOptions{clock});
  }

  // Every page of a list: the objects, and the cursors handed out.
  std::pair<std::vector<json>, std::vector<std::string>> listAll(Connector& c, const std::string& resource) {
    std::vector<json> objects;
    std::vector<std::string> cursors;
    std::string cursor;
    for (int guard = 0; guard < 50; ++guard) {
      RemoteResult<Page> page = c.list(resource, {}, cursor);
      EXPECT_TRUE(page) << page.error().message;
      if (!page) break;
      objects.insert(objects.end(), page->objects.begin(), page->objects.end());
      if (!page->next_cursor) break;
      cursor = *page->next_cursor;
      cursors.push_back(cursor);
    }
    return {objects, cursors};
  }

  ScriptedServer server;
  ManualClock clock{TimePoint(Duration(1'767'225'600'000))};  // 2026-01-01T00:00:00Z
  ServiceSpec service;
};

TEST_F(RestConnectorTest, NonePaginationReadsOneBareArray) {
  server.on("GET", "/items",
            [](const net::HttpRequest&, net::HttpResponse& res) { res.json(200, numbered(3).dump()); });
  auto c = connect("      items: {key: id, fields: {id: string}, list: /items}\n");
  auto [objects, cursors] = listAll(*c, "items");
  EXPECT_EQ(objects.size(), 3u);
  EXPECT_TRUE(cursors.empty());
  EXPECT_EQ(server.last().target, "/items");
  EXPECT_EQ(server.last().headers.get("Accept"), "application/json");
  EXPECT_FALSE(c->list("items", {}, "2"));  // a one-page list has no cursor to continue
}

TEST_F(RestConnectorTest, OffsetPaginationStopsAtTheFirstShortPage) {
  server.on("GET", "/users", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(200, slice(numbered(5), queryInt(req, "first", 0), queryInt(req, "max", 100)).dump());
  });
  auto c = connect(R"(      users:
        key: id
        fields: {id: string}
        list:
          path: /users
          query: {briefRepresentation: "false"}
          pagination: {kind: offset, offset_param: first, limit_param: max, limit: 2}
)");
  auto [objects, cursors] = listAll(*c, "users");
  EXPECT_EQ(objects.size(), 5u);
  EXPECT_EQ(cursors, (std::vector<std::string>{"2", "4"}));
  std::vector<std::string> targets;
  for (const net::HttpRequest& r : server.requests()) targets.push_back(r.target);
  EXPECT_EQ(targets, (std::vector<std::string>{"/users?briefRepresentation=false&first=0&max=2",
                                               "/users?briefRepresentation=false&first=2&max=2",
                                               "/users?briefRepresentation=false&first=4&max=2"}));
}

TEST_F(RestConnectorTest, CursorPaginationSendsTheServicesCursorUntilItIsGone) {
  server.on("GET", "/records", [](const net::HttpRequest& req, net::HttpResponse& res) {
    const std::string after = req.query.get("after").value_or("");
    json body;
    if (after.empty()) body = {{"data", numbered(2)}, {"meta", {{"next", "c/2 x"}}}};
    if (after == "c/2 x") body = {{"data", numbered(1)}, {"meta", {{"next", 7}}}};  // numbers too
    if (after == "7") body = {{"data", numbered(1)}, {"meta", {{"next", ""}}}};
    if (after == "loop") body = {{"data", json::array()}, {"meta", {{"next", "loop"}}}};
    res.json(200, body.dump());
  });
  auto c = connect(R"(      records:
        key: id
        fields: {id: string}
        list:
          path: /records
          items: data
          pagination: {kind: cursor, cursor_param: after, next_cursor: meta.next}
)");
  auto [objects, cursors] = listAll(*c, "records");
  EXPECT_EQ(objects.size(), 4u);
  EXPECT_EQ(cursors, (std::vector<std::string>{"c/2 x", "7"}));
  EXPECT_EQ(server.requests()[1].target, "/records?after=c%2F2%20x");

  RemoteResult<Page> looping = c->list("records", {}, "loop");
  ASSERT_FALSE(looping);
  EXPECT_EQ(looping.error().kind, RemoteError::Kind::rejected);
  EXPECT_NE(looping.error().message.find("never end"), std::string::npos) << looping.error().message;
}

TEST_F(RestConnectorTest, LinkPaginationFollowsRelNextAbsoluteOrRelative) {
  const std::string base = server.url();
  server.on("GET", "/users", [base](const net::HttpRequest& req, net::HttpResponse& res) {
    const int64_t page = queryInt(req, "_page", 1);
    if (page == 1)
      res.headers.add("Link", "<" + base + "/users?_page=1&_limit=2>; rel=\"first\", <" + base +
                                  "/users?_page=2&_limit=2>; rel=\"next\"");
    if (page == 2) res.headers.add("Link", "</users?_page=3&_limit=2>; rel=\"next\"");
    res.json(200, slice(numbered(5), (page - 1) * 2, 2).dump());
  });
  server.on("GET", "/elsewhere", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.headers.add("Link", "<http://127.0.0.2:9/users?_page=2>; rel=\"next\"");
    res.json(200, "[]");
  });
  auto c = connect(R"(      users:
        key: id
        fields: {id: string}
        list: {path: /users, query: {_page: 1, _limit: 2}, pagination: link}
      elsewhere:
        key: id
        fields: {id: string}
        list: {path: /elsewhere, pagination: link}
)");
  auto [objects, cursors] = listAll(*c, "users");
  EXPECT_EQ(objects.size(), 5u);
  EXPECT_EQ(cursors, (std::vector<std::string>{base + "/users?_page=2&_limit=2", base + "/users?_page=3&_limit=2"}));
  EXPECT_EQ(server.requests().front().target, "/users?_page=1&_limit=2");

  // The service's credentials never follow a link to another origin.
  RemoteResult<Page> first = c->list("elsewhere", {}, "");
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_TRUE(first->next_cursor);
  RemoteResult<Page> away = c->list("elsewhere", {}, *first->next_cursor);
  ASSERT_FALSE(away);
  EXPECT_EQ(away.error().kind, RemoteError::Kind::rejected);
  EXPECT_NE(away.error().message.find("http://127.0.0.2:9"), std::string::npos) << away.error().message;
}

TEST_F(RestConnectorTest, PagePaginationStopsAtAShortPageOrAfterTotalPages) {
  server.on("GET", "/short", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(200, json{{"data", slice(numbered(5), (queryInt(req, "page", 1) - 1) * 2, 2)}}.dump());
  });
  // Always a full page: only total_pages can end it (given as text here).
  server.on("GET", "/counted", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(200,
             json{{"data", numbered(2)}, {"meta", {{"pages", "3"}, {"p", req.query.get("p").value_or("")}}}}.dump());
  });
  auto c = connect(R"(      short:
        key: id
        fields: {id: string}
        list: {path: /short, items: data, pagination: {kind: page, per_page: 2}}
      counted:
        key: id
        fields: {id: string}
        list:
          path: /counted
          items: data
          pagination: {kind: page, page_param: p, per_page_param: n, per_page: 2, start: 0, total_pages: meta.pages}
)");
  auto [short_objects, short_cursors] = listAll(*c, "short");
  EXPECT_EQ(short_objects.size(), 5u);
  EXPECT_EQ(short_cursors, (std::vector<std::string>{"2", "3"}));
  EXPECT_EQ(server.requests().front().target, "/short?page=1&per_page=2");

  auto [counted, counted_cursors] = listAll(*c, "counted");
  EXPECT_EQ(counted.size(), 6u);  // pages 0, 1, 2
  EXPECT_EQ(counted_cursors, (std::vector<std::string>{"1", "2"}));
  EXPECT_EQ(server.last().target, "/counted?p=2&n=2");
  EXPECT_FALSE(c->list("counted", {}, "two"));  // not a cursor this list hands out
}

TEST_F(RestConnectorTest, ItemsThatAreNotAnArrayAreRejected) {
  server.on("GET", "/one",
            [](const net::HttpRequest&, net::HttpResponse& res) { res.json(200, R"({"data":{"id":"1"}})"); });
  server.on("GET", "/none", [](const net::HttpRequest&, net::HttpResponse& res) { res.json(200, R"({"other":[]})"); });
  server.on("GET", "/text", [](const net::HttpRequest&, net::HttpResponse& res) { res.text(200, "all good"); });
  auto c = connect(R"(      one: {key: id, fields: {id: string}, list: {path: /one, items: data}}
      none: {key: id, fields: {id: string}, list: {path: /none, items: data}}
      text: {key: id, fields: {id: string}, list: /text}
)");
  RemoteResult<Page> one = c->list("one", {}, "");
  ASSERT_FALSE(one);
  EXPECT_EQ(one.error().kind, RemoteError::Kind::rejected);
  EXPECT_EQ(one.error().message, "GET /one: expected an array at 'data' (the list's items), found a JSON object");
  EXPECT_EQ(one.error().http_status, 200);
  RemoteResult<Page> none = c->list("none", {}, "");
  ASSERT_FALSE(none);
  EXPECT_NE(none.error().message.find("found nothing there"), std::string::npos) << none.error().message;
  RemoteResult<Page> text = c->list("text", {}, "");
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "GET /text: the answer is not JSON: all good");
  EXPECT_FALSE(c->list("unknown", {}, ""));
}

TEST_F(RestConnectorTest, AnHtml500PageBecomesAShortReadableRetryableError) {
  server.on("GET", "/items", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.status = 500;
    res.headers.set("Content-Type", "text/html; charset=utf-8");
    res.body =
        "<!DOCTYPE html><html><head><title>Error</title></head><body><pre>Error: Insert failed, duplicate "
        "id<br> &nbsp; &nbsp;at Function.insert (/app/index.js:49:15)<br>" +
        std::string(3000, 'y') + "</pre></body></html>";
  });
  auto c = connect("      items: {key: id, fields: {id: string}, list: /items}\n");
  RemoteResult<Page> page = c->list("items", {}, "");
  ASSERT_FALSE(page);
  const RemoteError& e = page.error();
  EXPECT_EQ(e.kind, RemoteError::Kind::retryable);
  EXPECT_EQ(e.http_status, 500);
  EXPECT_TRUE(
      e.message.starts_with("GET /items: HTTP 500 Internal Server Error: Error: Insert failed, duplicate id "
                            "at Function.insert"))
      << e.message;
  EXPECT_LT(e.message.size(), 400u);
  EXPECT_EQ(e.message.find('<'), std::string::npos) << e.message;
}

TEST_F(RestConnectorTest, RetryAfterInSecondsOrAsAnHttpDate) {
  auto c = connect("      items: {key: id, fields: {id: string}, list: /items}\n");
  server.on("GET", "/items", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.headers.set("Retry-After", "7");
    res.json(429, R"({"message":"slow down"})");
  });
  RemoteResult<Page> seconds = c->list("items", {}, "");
  ASSERT_FALSE(seconds);
  EXPECT_EQ(seconds.error().kind, RemoteError::Kind::rate_limited);
  EXPECT_EQ(seconds.error().retry_after, 7s);
  EXPECT_EQ(seconds.error().http_status, 429);
  EXPECT_EQ(seconds.error().message, "GET /items: rate limited (HTTP 429, retry after 7 s): slow down");

  server.on("GET", "/items", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.headers.set("Retry-After", "Thu, 01 Jan 2026 00:01:30 GMT");  // the test clock + 90 s
    res.status = 429;
  });
  RemoteResult<Page> date = c->list("items", {}, "");
  ASSERT_FALSE(date);
  EXPECT_EQ(date.error().kind, RemoteError::Kind::rate_limited);
  EXPECT_EQ(date.error().retry_after, 90s);
}

TEST_F(RestConnectorTest, KeysArePercentEncodedAsOnePathSegment) {
  server.on("GET", "/items/a%2Fb%20c", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(200, json{{"id", net::splitPath(req.path).back()}}.dump());
  });
  server.on("GET", "/zones/z%201/rrsets/www.example.test.%2FA", [](const net::HttpRequest&, net::HttpResponse& res) {
    res.json(200, R"({"rrsets":[{"name":"www.example.test.","type":"A"}]})");
  });
  auto c = connect(R"(      items: {key: id, fields: {id: string}, list: /items, get: "/items/{id}"}
      rrsets:
        key: [name, type]
        fields: {name: string, type: string, zone: string}
        list: /rrsets
        get: {path: "/zones/{zone}/rrsets/{key}", item: "rrsets[0]"}
)");
  RemoteResult<std::optional<json>> item = c->get(objectRef("items", "a/b c"));
  ASSERT_TRUE(item) << item.error().message;
  ASSERT_TRUE(item->has_value());
  EXPECT_EQ((**item)["id"], "a/b c");

  ObjectRef rrset = objectRef("rrsets", joinKey({"www.example.test.", "A"}));
  rrset.values = {{"zone", "z 1"}};
  RemoteResult<std::optional<json>> got = c->get(rrset);
  ASSERT_TRUE(got) << got.error().message;
  ASSERT_TRUE(got->has_value());
  EXPECT_EQ((**got)["type"], "A");
}

TEST_F(RestConnectorTest, GetOfAMissingObjectIsNullopt) {
  server.on("GET", "/zones/z1",
            [](const net::HttpRequest&, net::HttpResponse& res) { res.json(200, R"({"id":"z1","rrsets":[]})"); });
  auto c = connect(R"(      items: {key: id, fields: {id: string}, list: /items, get: "/items/{id}"}
      rrsets:
        key: name
        fields: {name: string}
        list: /rrsets
        get: {path: "/zones/z1", query: {rrset_name: "{name}"}, item: "rrsets[0]"}
)");
  RemoteResult<std::optional<json>> missing = c->get(objectRef("items", "nope"));  // the server's 404
  ASSERT_TRUE(missing) << missing.error().message;
  EXPECT_FALSE(missing->has_value());
  RemoteResult<std::optional<json>> nothing = c->get(objectRef("rrsets", "www."));  // nothing at item
  ASSERT_TRUE(nothing) << nothing.error().message;
  EXPECT_FALSE(nothing->has_value());
  EXPECT_EQ(server.last().target, "/zones/z1?rrset_name=www.");
}

TEST_F(RestConnectorTest, TimeoutsAndRefusedConnectionsAreRetryableAndNameNoQuery) {
  server.on(
      "GET", "/slow", [](const net::HttpRequest&, net::HttpResponse& res) { res.json(200, "[]"); }, 5s);
  auto c = connect(R"(      slow: {key: id, fields: {id: string}, list: {path: /slow, query: {api_key: q-secret}}}
)",
                   "    policy: {timeout: 300ms}\n");
  ASSERT_TRUE(c);
  RemoteResult<Page> slow = c->list("slow", {}, "");
  ASSERT_FALSE(slow);
  EXPECT_EQ(slow.error().kind, RemoteError::Kind::retryable);
  EXPECT_EQ(slow.error().http_status, 0);
  EXPECT_TRUE(slow.error().message.starts_with("GET /slow: timed out")) << slow.error().message;
  EXPECT_EQ(slow.error().message.find("q-secret"), std::string::npos);

  ServiceSpec gone = service;
  gone.instances.front().base_url = "http://127.0.0.1:1";
  auto refused = makeRestConnector(gone, gone.instances.front(), RestOptions{clock});
  RemoteResult<Page> page = refused->list("slow", {}, "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().kind, RemoteError::Kind::retryable);
  EXPECT_TRUE(page.error().message.starts_with("GET /slow: cannot connect")) << page.error().message;
}

TEST_F(RestConnectorTest, SeveralThreadsShareOneConnector) {
  server.on("GET", "/items", [](const net::HttpRequest& req, net::HttpResponse& res) {
    res.json(200, json{{"data", numbered(3)}, {"page", req.query.get("page").value_or("")}}.dump());
  });
  auto c = connect("      items: {key: id, fields: {id: string}, list: {path: /items, items: data}}\n");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  threads.reserve(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) ok += c->list("items", {}, "").isOk();
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), 100);
}

}  // namespace
}  // namespace snapq::rest
