// `snapq sim` as a user runs it: in the foreground, announcing its URL, until
// a signal stops it cleanly.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "cli_fixture.h"
#include "net/http_client.h"
#include "net/http_server.h"

namespace snapq::clitest {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

// `snapq sim ...` in the background with its stdout on a pipe (to read the
// announced URL) and its stderr in a file.
class SimProcess {
 public:
  SimProcess(const std::vector<std::string>& args, const std::filesystem::path& dir) : err_file_(dir / "sim.err") {
    std::vector<std::string> argv_s = {SNAPQ_BIN, "sim"};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<char*> argv;
    argv.reserve(argv_s.size() + 1);
    for (std::string& a : argv_s) argv.push_back(a.data());
    argv.push_back(nullptr);
    const std::string err_path = err_file_.string();
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (err < 0) _exit(127);
      dup2(fds[1], STDOUT_FILENO);
      dup2(err, STDERR_FILENO);
      close(fds[0]);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(fds[1]);
    out_ = fds[0];
  }

  ~SimProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_ >= 0) close(out_);
  }

  // The first line on stdout, or "" if none came within `timeout`.
  std::string firstLine(std::chrono::milliseconds timeout = 20s) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    std::string line;
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd p{out_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      char c;
      if (read(out_, &c, 1) != 1) break;
      if (c == '\n') return line;
      line.push_back(c);
    }
    return "";
  }

  // Sends `sig` and waits for the exit status (-1: did not exit in time).
  int stop(int sig, std::chrono::milliseconds timeout = 20s) {
    kill(pid_, sig);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int status = 0;
    while (std::chrono::steady_clock::now() < deadline) {
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(10ms);
    }
    return -1;
  }

  std::string err() const {
    std::ifstream in(err_file_);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }

 private:
  std::filesystem::path err_file_;
  pid_t pid_ = -1;
  int out_ = -1;
  bool exited_ = false;
};

TEST_F(CliTest, SimAnnouncesItsUrlServesTheApiAndStopsCleanlyOnSignals) {
  for (const int sig : {SIGTERM, SIGINT}) {
    SimProcess sim({"--listen", "127.0.0.1:0", "--accounts", "30", "--token", "t-123"}, dir());
    const std::string line = sim.firstLine();
    std::smatch m;
    ASSERT_TRUE(std::regex_match(
        line, m, std::regex(R"(snapq sim listening on (http://127\.0\.0\.1:(\d+)) \(token t-123, 30 accounts\))")))
        << "stdout: '" << line << "' stderr: " << sim.err();
    ASSERT_NE(m[2].str(), "0");  // the real port, not the requested 0

    net::HttpClient client;
    net::ClientRequest req;
    req.url = m[1].str() + "/v1/accounts?per_page=10";
    req.headers.add("Authorization", "Bearer t-123");
    auto res = client.send(req);
    ASSERT_TRUE(res) << res.status().toString();
    EXPECT_EQ(res->status, 200);
    const json page = json::parse(res->body);
    EXPECT_EQ(page["meta"]["total"], 30);
    EXPECT_EQ(page["data"].size(), 10u);

    EXPECT_EQ(sim.stop(sig), 0) << sim.err();
    EXPECT_NE(sim.err().find("stopping"), std::string::npos) << sim.err();
  }
}

TEST_F(CliTest, SimRefusesBadOptionsAsUsageErrors) {
  for (const std::vector<std::string>& args : std::vector<std::vector<std::string>>{
           {"sim", "--listen", "nowhere"},
           {"sim", "--listen", "127.0.0.1:99999"},
           {"sim", "--error-rate", "2"},
           {"sim", "--accounts", "-5"},
           {"sim", "--token", ""},
       }) {
    RunResult r = run(args);
    EXPECT_EQ(r.exit_code, 2) << args.back() << ": " << r.err;
    ASSERT_EQ(r.errLines().size(), 1u) << r.err;
    EXPECT_TRUE(r.errLines()[0].starts_with("snapq: error: ")) << r.err;
  }
  RunResult help = run({"sim", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  for (const char* option : {"--listen", "--token", "--accounts", "--zones", "--records-per-zone", "--seed",
                             "--latency-ms", "--error-rate", "--rate-limit", "/_sim/chaos"}) {
    EXPECT_NE(help.out.find(option), std::string::npos) << option;
  }
}

TEST_F(CliTest, SimOnATakenPortFailsWithTheReason) {
  net::HttpServer occupant({}, [](const net::HttpRequest&, net::HttpResponse&) {});
  ASSERT_TRUE(occupant.start().isOk());
  RunResult r = run({"sim", "--listen", "127.0.0.1:" + std::to_string(occupant.port())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot listen on 127.0.0.1:" + std::to_string(occupant.port())), std::string::npos) << r.err;
}

}  // namespace
}  // namespace snapq::clitest
