// examples/powerdns.yaml against a real PowerDNS Authoritative 4.7 on loopback
// (scripts/pdns.sh, started by scripts/test.sh): zones and their rrsets are
// synced, rrsets are created, changed and deleted through snapq and seen in the
// API and in DNS (dig), and edits made behind snapq's back end as conflicts.
// Each test works in its own zone, created in the set-up and deleted after.
#include <algorithm>
#include <sstream>

#include "live_fixture.h"

namespace snapq::testing {
namespace {

using json = nlohmann::json;

// The lines of dig's +short answer, sorted (the order of an rrset's records is not fixed).
std::vector<std::string> sortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

std::vector<std::string> contents(const json& records) {
  std::vector<std::string> out;
  if (records.is_array()) {
    for (const json& r : records) out.push_back(r.value("content", std::string()));
  }
  std::sort(out.begin(), out.end());
  return out;
}

json aRecords(std::initializer_list<const char*> addresses) {
  json records = json::array();
  for (const char* a : addresses) records.push_back({{"content", a}, {"disabled", false}});
  return records;
}

class PowerDns : public LiveTest {
 protected:
  void SetUp() override {
    auto url = requiredEnv("SNAPQ_TEST_PDNS_URL");
    auto key = requiredEnv("SNAPQ_TEST_PDNS_KEY");
    auto dns_port = requiredEnv("SNAPQ_TEST_PDNS_DNS_PORT");
    auto dir = requiredEnv("SNAPQ_TEST_PDNS_DIR");
    ASSERT_TRUE(url && key && dns_port && dir) << "PowerDNS is not running for this test";
    dns_port_ = *dns_port;
    config_dir_ = *dir;
    net::Headers headers;
    headers.set("X-API-Key", *key);
    api_ = std::make_unique<LiveHttp>(*url, headers);
    zone_ = uniqueName("z") + ".test.";
    json zone = {
        {"name", zone_},
        {"kind", "Native"},
        {"nameservers", {"ns1." + zone_}},
        {"rrsets",
         {{{"name", "www." + zone_}, {"type", "A"}, {"ttl", 300}, {"records", aRecords({"192.0.2.1", "192.0.2.2"})}},
          {{"name", "txt." + zone_},
           {"type", "TXT"},
           {"ttl", 300},
           {"records", {{{"content", "\"hello world\""}, {"disabled", false}}}}},
          {{"name", "mail." + zone_},
           {"type", "MX"},
           {"ttl", 3600},
           {"records", {{{"content", "10 mx." + zone_}, {"disabled", false}}}}}}}};
    api_->call("DELETE", "/zones/" + zone_);  // a leftover of an aborted run
    api_->json("POST", "/zones", zone, 201);
    startSnapq("powerdns.yaml", "powerdns", {{"PDNS_URL", *url}, {"PDNS_API_KEY", *key}});
  }

  void TearDown() override {
    LiveTest::TearDown();
    if (api_ && !zone_.empty()) api_->call("DELETE", "/zones/" + zone_);
  }

  // The rrset as PowerDNS has it now; null when it does not exist.
  json remoteRrset(const std::string& name, const std::string& type) {
    json zone = api_->json("GET", "/zones/" + zone_ + "?rrset_name=" + name + "&rrset_type=" + type);
    if (!zone.contains("rrsets") || zone["rrsets"].empty()) return nullptr;
    return zone["rrsets"][0];
  }

  int64_t serial() { return api_->json("GET", "/zones/" + zone_ + "?rrsets=false").value("serial", int64_t{-1}); }

  // What the DNS server answers, as sorted lines of dig +short.
  std::vector<std::string> dig(const std::string& name, const std::string& type) {
    int status = 0;
    std::string out = runCommand("dig +short +time=2 +tries=2 @127.0.0.1 -p " + shellQuote(dns_port_) + " " +
                                     shellQuote(name) + " " + shellQuote(type) + " 2>&1",
                                 &status);
    EXPECT_EQ(status, 0) << "dig failed: " << out;
    return sortedLines(out);
  }

  void syncZone() {
    Job zones = syncAndWait("zones");
    ASSERT_EQ(zones.status, JobStatus::success) << zones.error;
    Job records = syncAndWait("records", zone_);
    ASSERT_EQ(records.status, JobStatus::success) << records.error;
  }

  Job mutateAndWait(const std::string& action, const std::string& key, json data, const std::string& if_match = {}) {
    auto d = mutate("records", action, key, std::move(data), zone_, if_match);
    EXPECT_TRUE(d.isOk()) << d.status().toString();
    return d ? waitFinal(d->id) : Job{};
  }

  std::string dns_port_;
  std::string config_dir_;
  std::unique_ptr<LiveHttp> api_;
  std::string zone_;
};

TEST_P(PowerDns, SyncsZonesAndTheRrsetsNestedInEachZone) {
  Job zones = syncAndWait("zones");
  ASSERT_EQ(zones.status, JobStatus::success) << zones.error;
  auto zone_row = row("zones", zone_);
  ASSERT_TRUE(zone_row) << "the zone " << zone_ << " is in the snapshot";
  EXPECT_EQ(zone_row->fields["name"], zone_);
  EXPECT_EQ(zone_row->fields["kind"], "Native");
  EXPECT_EQ(zone_row->fields["serial"], serial());

  // No scope: one sync per zone of the snapshot.
  Job fan = syncAndWait("records");
  ASSERT_EQ(fan.status, JobStatus::success) << fan.error;
  EXPECT_GE(result(fan)["scopes"].get<int>(), 1);
  JobFilter ours;
  ours.services = {"powerdns"};
  ours.actions = {"sync"};
  ours.target_type = "records";
  ours.target_id = zone_;
  auto scope_jobs = store_->listJobs(ours);
  ASSERT_TRUE(scope_jobs.isOk());
  ASSERT_EQ(scope_jobs->jobs.size(), 1u) << "one sync of this zone's records";
  const Job& scope_job = scope_jobs->jobs[0];
  EXPECT_EQ(scope_job.status, JobStatus::success) << scope_job.error;
  EXPECT_EQ(result(scope_job)["created"], 5) << scope_job.result;

  std::vector<std::string> keys;
  for (const SnapshotRow& r : rows("records", zone_)) keys.push_back(r.key);
  std::vector<std::string> expected = {zone_ + "/NS", zone_ + "/SOA", "mail." + zone_ + "/MX", "txt." + zone_ + "/TXT",
                                       "www." + zone_ + "/A"};
  std::sort(keys.begin(), keys.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(keys, expected);
  auto www = row("records", "www." + zone_ + "/A", zone_);
  ASSERT_TRUE(www);
  EXPECT_EQ(www->scope, zone_);
  EXPECT_EQ(www->fields["ttl"], 300);
  EXPECT_EQ(contents(www->fields["records"]), (std::vector<std::string>{"192.0.2.1", "192.0.2.2"}));
  EXPECT_EQ(www->sync_status, RowStatus::synced);
  auto txt = row("records", "txt." + zone_ + "/TXT", zone_);
  ASSERT_TRUE(txt);
  EXPECT_EQ(contents(txt->fields["records"]), (std::vector<std::string>{"\"hello world\""}));

  // Nothing changed remotely: a second sync of the zone writes nothing.
  Job again = syncAndWait("records", zone_);
  ASSERT_EQ(again.status, JobStatus::success) << again.error;
  EXPECT_EQ(result(again)["unchanged"], 5) << again.result;
  EXPECT_EQ(result(again)["updated"], 0);
  EXPECT_EQ(result(again)["created"], 0);
}

TEST_P(PowerDns, CreatesUpdatesAndDeletesAnRrsetSeenInTheApiAndInDns) {
  syncZone();
  const std::string name = "new." + zone_;
  const std::string key = name + "/A";
  ASSERT_TRUE(dig(name, "A").empty());

  Job created =
      mutateAndWait("create", "", {{"name", name}, {"type", "A"}, {"ttl", 60}, {"records", aRecords({"192.0.2.10"})}});
  ASSERT_EQ(created.status, JobStatus::success) << created.error;
  EXPECT_EQ(result(created)["key"], key);
  EXPECT_LE(result(created)["requests"].get<int>(), 3) << "check, write, read back";
  json remote = remoteRrset(name, "A");
  ASSERT_FALSE(remote.is_null()) << "PowerDNS has the new rrset";
  EXPECT_EQ(remote["ttl"], 60);
  EXPECT_EQ(contents(remote["records"]), std::vector<std::string>{"192.0.2.10"});
  EXPECT_EQ(dig(name, "A"), std::vector<std::string>{"192.0.2.10"});
  auto row_created = row("records", key, zone_);
  ASSERT_TRUE(row_created);
  EXPECT_EQ(row_created->sync_status, RowStatus::synced);
  EXPECT_EQ(row_created->fields["ttl"], 60);

  Job updated = mutateAndWait("update", key, {{"ttl", 120}, {"records", aRecords({"192.0.2.11", "192.0.2.12"})}},
                              row_created->content_hash);
  ASSERT_EQ(updated.status, JobStatus::success) << updated.error;
  remote = remoteRrset(name, "A");
  ASSERT_FALSE(remote.is_null());
  EXPECT_EQ(remote["ttl"], 120);
  EXPECT_EQ(contents(remote["records"]), (std::vector<std::string>{"192.0.2.11", "192.0.2.12"}));
  EXPECT_EQ(dig(name, "A"), (std::vector<std::string>{"192.0.2.11", "192.0.2.12"}));
  auto row_updated = row("records", key, zone_);
  ASSERT_TRUE(row_updated);
  EXPECT_EQ(row_updated->sync_status, RowStatus::synced);
  EXPECT_EQ(row_updated->fields["ttl"], 120);
  EXPECT_EQ(contents(row_updated->fields["records"]), (std::vector<std::string>{"192.0.2.11", "192.0.2.12"}));

  Job deleted = mutateAndWait("delete", key, json::object());
  ASSERT_EQ(deleted.status, JobStatus::success) << deleted.error;
  EXPECT_TRUE(remoteRrset(name, "A").is_null()) << "PowerDNS no longer has it";
  EXPECT_TRUE(dig(name, "A").empty());
  EXPECT_FALSE(row("records", key, zone_).has_value());

  // What snapq wrote is what a sync sees: nothing to change afterwards.
  Job resync = syncAndWait("records", zone_);
  ASSERT_EQ(resync.status, JobStatus::success) << resync.error;
  EXPECT_EQ(result(resync)["created"], 0) << resync.result;
  EXPECT_EQ(result(resync)["deleted"], 0) << resync.result;
}

TEST_P(PowerDns, AnApiEditBehindSnapqsBackEndsTheNextUpdateInAConflict) {
  syncZone();
  const std::string name = "www." + zone_;
  const std::string key = name + "/A";
  auto before = row("records", key, zone_);
  ASSERT_TRUE(before);
  // Someone else changes the rrset through the API (this bumps the zone's serial).
  api_->call("PATCH", "/zones/" + zone_,
             {{"rrsets",
               {{{"name", name},
                 {"type", "A"},
                 {"ttl", 300},
                 {"changetype", "REPLACE"},
                 {"records", aRecords({"198.51.100.7"})}}}}});
  ASSERT_EQ(contents(remoteRrset(name, "A")["records"]), std::vector<std::string>{"198.51.100.7"});

  Job job = mutateAndWait("update", key, {{"ttl", 900}}, before->content_hash);
  ASSERT_EQ(job.status, JobStatus::conflict) << job.error;
  EXPECT_NE(job.error.find("changed"), std::string::npos) << job.error;
  EXPECT_EQ(contents(result(job)["current"]["records"]), std::vector<std::string>{"198.51.100.7"}) << job.result;
  json remote = remoteRrset(name, "A");
  EXPECT_EQ(remote["ttl"], 300) << "the remote rrset is left as the other writer made it";
  EXPECT_EQ(contents(remote["records"]), std::vector<std::string>{"198.51.100.7"});
  EXPECT_EQ(dig(name, "A"), std::vector<std::string>{"198.51.100.7"});
  auto conflicted = row("records", key, zone_);
  ASSERT_TRUE(conflicted);
  EXPECT_EQ(conflicted->sync_status, RowStatus::conflict);
  EXPECT_FALSE(conflicted->sync_error.empty());

  // The next sync takes the remote change.
  Job resync = syncAndWait("records", zone_);
  ASSERT_EQ(resync.status, JobStatus::success) << resync.error;
  auto after = row("records", key, zone_);
  ASSERT_TRUE(after);
  EXPECT_EQ(contents(after->fields["records"]), std::vector<std::string>{"198.51.100.7"});
  EXPECT_NE(after->content_hash, before->content_hash);
  EXPECT_EQ(after->content_hash, result(job)["current_hash"]) << "the row is the remote rrset the conflict showed";
}

TEST_P(PowerDns, APdnsutilEditThatKeepsTheSerialStillEndsTheNextUpdateInAConflict) {
  syncZone();
  const std::string name = "txt." + zone_;
  const std::string key = name + "/TXT";
  auto before = row("records", key, zone_);
  ASSERT_TRUE(before);
  int64_t serial_before = serial();
  // pdnsutil writes to the backend directly: the zone's serial stays as it was,
  // so only the content tells that the rrset changed.
  int status = 0;
  std::string out = runCommand("pdnsutil --config-dir=" + shellQuote(config_dir_) + " replace-rrset " +
                                   shellQuote(zone_) + " txt TXT 300 " + shellQuote("\"edited by pdnsutil\"") + " 2>&1",
                               &status);
  ASSERT_EQ(status, 0) << out;
  EXPECT_EQ(serial(), serial_before) << "pdnsutil does not bump the serial";
  ASSERT_EQ(contents(remoteRrset(name, "TXT")["records"]), std::vector<std::string>{"\"edited by pdnsutil\""});
  EXPECT_EQ(dig(name, "TXT"), std::vector<std::string>{"\"edited by pdnsutil\""});

  json mine = {{"records", {{{"content", "\"written by snapq\""}, {"disabled", false}}}}};
  Job job = mutateAndWait("update", key, mine, before->content_hash);
  ASSERT_EQ(job.status, JobStatus::conflict) << job.error;
  EXPECT_EQ(contents(remoteRrset(name, "TXT")["records"]), std::vector<std::string>{"\"edited by pdnsutil\""})
      << "nothing was written";
  EXPECT_EQ(row("records", key, zone_)->sync_status, RowStatus::conflict);

  Job resync = syncAndWait("records", zone_);
  ASSERT_EQ(resync.status, JobStatus::success) << resync.error;
  auto after = row("records", key, zone_);
  ASSERT_TRUE(after);
  EXPECT_EQ(contents(after->fields["records"]), std::vector<std::string>{"\"edited by pdnsutil\""});
  EXPECT_EQ(after->content_hash, result(job)["current_hash"]) << "the row is the remote rrset the conflict showed";

  // With the snapshot up to date, the same update goes through.
  Job retried = mutateAndWait("update", key, mine, after->content_hash);
  ASSERT_EQ(retried.status, JobStatus::success) << retried.error;
  EXPECT_EQ(dig(name, "TXT"), std::vector<std::string>{"\"written by snapq\""});
}

TEST_P(PowerDns, ARrsetPowerDnsRefusesFailsAtOnceWithItsReason) {
  syncZone();
  // PowerDNS answers 422 with JSON {"error": "..."}: a rejection, not worth a retry.
  Job job = mutateAndWait("create", "",
                          {{"name", "bad." + zone_}, {"type", "A"}, {"ttl", 60}, {"records", aRecords({"not-an-ip"})}});
  ASSERT_EQ(job.status, JobStatus::failed) << toString(job.status) << ": " << job.error;
  EXPECT_EQ(job.attempts, 1) << "a 422 is not retried";
  EXPECT_NE(job.error.find("HTTP 422"), std::string::npos) << job.error;
  EXPECT_NE(job.error.find("not-an-ip"), std::string::npos) << "PowerDNS's own reason: " << job.error;
  EXPECT_TRUE(remoteRrset("bad." + zone_, "A").is_null());
  EXPECT_FALSE(row("records", "bad." + zone_ + "/A", zone_).has_value());
}

INSTANTIATE_TEST_SUITE_P(Drivers, PowerDns, ::testing::Values("sqlite", "postgres"), driverParamName);

}  // namespace
}  // namespace snapq::testing
