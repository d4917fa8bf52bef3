#include "core/metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace snapq::metrics {

namespace {

bool nameChar(char c, bool first, bool colon) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_') return true;
  if (colon && c == ':') return true;
  return !first && c >= '0' && c <= '9';
}

bool validName(std::string_view name, bool colon) {
  if (name.empty()) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    if (!nameChar(name[i], i == 0, colon)) return false;
  }
  return true;
}

// A series' label values padded or cut to the family's label count, so a
// caller's slip still renders well-formed lines. The common case copies nothing.
const LabelValues& fitted(const LabelValues& values, size_t n, LabelValues& scratch) {
  if (values.size() == n) return values;
  scratch = values;
  scratch.resize(n);
  return scratch;
}

Labels pairsOf(const std::vector<std::string>& names, const LabelValues& values) {
  Labels out;
  out.reserve(names.size() + 1);
  for (size_t i = 0; i < names.size(); ++i) out.emplace_back(names[i], values[i]);
  return out;
}

[[noreturn]] void misuse(const std::string& name, const char* why) {
  std::fprintf(stderr, "snapq: metric %s: %s\n", name.c_str(), why);
  std::abort();
}

void checkNames(const std::string& name, const std::vector<std::string>& label_names) {
  if (!validMetricName(name)) misuse(name, "invalid metric name");
  for (const std::string& l : label_names) {
    if (!validLabelName(l) || l == "le") misuse(name, "invalid label name");
  }
}

}  // namespace

const char* toString(Type type) {
  switch (type) {
    case Type::counter: return "counter";
    case Type::gauge: return "gauge";
    case Type::histogram: return "histogram";
  }
  return "untyped";
}

bool validMetricName(std::string_view name) { return validName(name, /*colon=*/true); }

bool validLabelName(std::string_view name) { return validName(name, /*colon=*/false) && name.substr(0, 2) != "__"; }

std::string escapeLabelValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escapeHelp(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string formatValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  // Below 2^53 every integer is exact: counts and timestamps read as integers.
  if (value == std::trunc(value) && std::fabs(value) < 9007199254740992.0) {
    return std::to_string(static_cast<int64_t>(value));
  }
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value);
  return ec == std::errc() ? std::string(buf, end) : std::string("NaN");
}

void Exposition::declare(const std::string& name, std::string help, Type type) {
  if (!validMetricName(name)) return;
  families_.try_emplace(name, Family{std::move(help), type, {}});
}

void Exposition::sample(const std::string& family, std::string_view suffix, const Labels& labels, double value) {
  auto it = families_.find(family);
  if (it == families_.end()) return;
  std::string& out = it->second.lines;
  out += family;
  out += suffix;
  if (!labels.empty()) {
    out += '{';
    for (size_t i = 0; i < labels.size(); ++i) {
      if (i > 0) out += ',';
      out += labels[i].first;
      out += "=\"";
      out += escapeLabelValue(labels[i].second);
      out += '"';
    }
    out += '}';
  }
  out += ' ';
  out += formatValue(value);
  out += '\n';
}

std::string Exposition::text() const {
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escapeHelp(family.help) + "\n";
    out += "# TYPE " + name + " " + toString(family.type) + "\n";
    out += family.lines;
  }
  return out;
}

Counter::Counter(std::string name, std::string help, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)) {}

std::atomic<uint64_t>& Counter::series(const LabelValues& values) {
  LabelValues scratch;
  const LabelValues& key = fitted(values, label_names_.size(), scratch);
  std::lock_guard lock(mu_);
  auto it = series_.find(key);
  if (it == series_.end()) it = series_.try_emplace(key).first;
  return it->second;
}

uint64_t Counter::value(const LabelValues& values) const {
  LabelValues scratch;
  const LabelValues& key = fitted(values, label_names_.size(), scratch);
  std::lock_guard lock(mu_);
  auto it = series_.find(key);
  return it == series_.end() ? 0 : it->second.load(std::memory_order_relaxed);
}

void Counter::collect(Exposition& out) const {
  out.declare(name_, help_, Type::counter);
  std::lock_guard lock(mu_);
  for (const auto& [values, count] : series_) {
    out.sample(name_, "", pairsOf(label_names_, values), static_cast<double>(count.load(std::memory_order_relaxed)));
  }
}

Histogram::Histogram(std::string name, std::string help, std::vector<std::string> label_names,
                     std::vector<double> bounds)
    : name_(std::move(name)), help_(std::move(help)), label_names_(std::move(label_names)), bounds_([&] {
        std::sort(bounds.begin(), bounds.end());
        bounds.erase(std::unique(bounds.begin(), bounds.end()), bounds.end());
        std::erase_if(bounds, [](double b) { return !std::isfinite(b); });
        return std::move(bounds);
      }()) {}

void Histogram::observe(const LabelValues& values, double value) {
  if (std::isnan(value)) return;  // belongs in no bucket and would poison the sum
  LabelValues scratch;
  const LabelValues& key = fitted(values, label_names_.size(), scratch);
  // The first bound the value does not exceed: `le` is inclusive.
  const size_t bucket = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
  std::lock_guard lock(mu_);
  Data& d = series_[key];
  if (d.buckets.empty()) d.buckets.assign(bounds_.size() + 1, 0);
  ++d.buckets[bucket];
  d.sum += value;
  ++d.count;
}

Histogram::Data Histogram::data(const LabelValues& values) const {
  LabelValues scratch;
  const LabelValues& key = fitted(values, label_names_.size(), scratch);
  std::lock_guard lock(mu_);
  auto it = series_.find(key);
  if (it != series_.end()) return it->second;
  Data empty;
  empty.buckets.assign(bounds_.size() + 1, 0);
  return empty;
}

void Histogram::collect(Exposition& out) const {
  out.declare(name_, help_, Type::histogram);
  std::lock_guard lock(mu_);
  for (const auto& [values, d] : series_) {
    Labels labels = pairsOf(label_names_, values);
    labels.emplace_back("le", "");
    uint64_t cumulative = 0;
    for (size_t i = 0; i < d.buckets.size(); ++i) {
      cumulative += d.buckets[i];
      labels.back().second = i < bounds_.size() ? formatValue(bounds_[i]) : "+Inf";
      out.sample(name_, "_bucket", labels, static_cast<double>(cumulative));
    }
    labels.pop_back();
    out.sample(name_, "_sum", labels, d.sum);
    out.sample(name_, "_count", labels, static_cast<double>(d.count));
  }
}

Registry& Registry::global() {
  // Never destroyed: a connector torn down during exit may still count.
  static Registry* registry = new Registry();
  return *registry;
}

Counter& Registry::counter(const std::string& name, const std::string& help,
                           const std::vector<std::string>& label_names) {
  checkNames(name, label_names);
  std::lock_guard lock(mu_);
  if (histograms_.count(name) != 0) misuse(name, "already registered as a histogram");
  auto it = counters_.find(name);
  if (it == counters_.end()) {
    it = counters_.emplace(name, std::make_unique<Counter>(name, help, label_names)).first;
  } else if (it->second->labelNames() != label_names) {
    misuse(name, "registered again with other label names");
  }
  return *it->second;
}

Histogram& Registry::histogram(const std::string& name, const std::string& help,
                               const std::vector<std::string>& label_names, const std::vector<double>& bounds) {
  checkNames(name, label_names);
  std::lock_guard lock(mu_);
  if (counters_.count(name) != 0) misuse(name, "already registered as a counter");
  auto it = histograms_.find(name);
  if (it == histograms_.end()) {
    it = histograms_.emplace(name, std::make_unique<Histogram>(name, help, label_names, bounds)).first;
  } else if (it->second->labelNames() != label_names) {
    misuse(name, "registered again with other label names");
  }
  return *it->second;
}

void Registry::collect(Exposition& out) const {
  std::lock_guard lock(mu_);
  for (const auto& [name, c] : counters_) c->collect(out);
  for (const auto& [name, h] : histograms_) h->collect(out);
}

}  // namespace snapq::metrics
