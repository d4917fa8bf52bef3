#include "net/stream_channel.h"

#include <algorithm>

#include "net/http_server.h"

namespace snapq::net {
namespace detail {

StreamChannel::StreamChannel(size_t max_buffered, std::function<void()> wake)
    : max_buffered_(max_buffered), wake_(std::move(wake)) {}

std::shared_ptr<StreamChannel> StreamChannel::closedChannel() {
  auto channel = std::make_shared<StreamChannel>(0, nullptr);
  channel->shut();
  return channel;
}

bool StreamChannel::write(std::string chunk) {
  bool accepted = true;
  bool wake = false;
  {
    std::lock_guard lock(mu_);
    if (!open_) return false;
    if (chunk.empty()) return true;  // an empty chunk would end a chunked body
    if (buffered_ + chunk.size() > max_buffered_) {
      // The client is not keeping up. Dropping the queue frees its memory now;
      // what is being written is freed when the connection, woken to cut
      // itself, ends that write.
      open_ = false;
      end_ = End::abort;
      for (const std::string& c : queue_) buffered_ -= c.size();
      queue_.clear();
      accepted = false;
      wake = true;
    } else {
      // A non-empty queue means a wake-up is pending or the connection is
      // writing and takes the queue when done.
      wake = queue_.empty();
      buffered_ += chunk.size();
      queue_.push_back(std::move(chunk));
    }
  }
  if (wake && wake_) wake_();
  return accepted;
}

void StreamChannel::close() {
  {
    std::lock_guard lock(mu_);
    if (!open_) return;
    open_ = false;
    end_ = End::finish;
  }
  if (wake_) wake_();
}

bool StreamChannel::open() const {
  std::lock_guard lock(mu_);
  return open_;
}

size_t StreamChannel::buffered() const {
  std::lock_guard lock(mu_);
  return buffered_;
}

StreamChannel::Batch StreamChannel::take() {
  std::lock_guard lock(mu_);
  Batch batch;
  batch.end = end_;
  if (end_ == End::abort) return batch;
  batch.chunks.swap(queue_);
  for (const std::string& c : batch.chunks) batch.bytes += c.size();
  return batch;
}

void StreamChannel::sent(size_t bytes) {
  std::lock_guard lock(mu_);
  buffered_ -= std::min(bytes, buffered_);
}

bool StreamChannel::aborted() const {
  std::lock_guard lock(mu_);
  return end_ == End::abort;
}

void StreamChannel::shut() {
  std::lock_guard lock(mu_);
  open_ = false;
  end_ = End::abort;
  buffered_ = 0;
  queue_.clear();
}

}  // namespace detail

ResponseStream::ResponseStream(std::shared_ptr<detail::StreamChannel> channel) : channel_(std::move(channel)) {}
ResponseStream::~ResponseStream() { channel_->close(); }
bool ResponseStream::write(std::string chunk) { return channel_->write(std::move(chunk)); }
void ResponseStream::close() { channel_->close(); }
bool ResponseStream::open() const { return channel_->open(); }
size_t ResponseStream::buffered() const { return channel_->buffered(); }

}  // namespace snapq::net
