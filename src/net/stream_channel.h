// What a ResponseStream's writers and its connection share: the chunks not yet
// sent and how the stream is to end. Writers may be on any thread; the
// connection takes chunks on its strand. Boost-free, so the public
// ResponseStream methods compile without Beast.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace snapq::net::detail {

class StreamChannel {
 public:
  enum class End {
    none,    // open: more may come
    finish,  // the writer closed it: send what is queued, then the terminating chunk
    abort,   // cut the connection now: the client fell behind, left, or the connection ended
  };
  struct Batch {
    std::vector<std::string> chunks;
    size_t bytes = 0;
    End end = End::none;
  };

  // `wake` asks the connection to call take() soon; it is called without the
  // channel's lock held and must not block.
  StreamChannel(size_t max_buffered, std::function<void()> wake);
  // A stream that was never connected (the request was answered already, the
  // connection or the server is gone): every write fails.
  static std::shared_ptr<StreamChannel> closedChannel();

  // The writer's side (ResponseStream).
  bool write(std::string chunk);
  void close();
  bool open() const;
  size_t buffered() const;

  // The connection's side. take() moves the queued chunks out; they count as
  // buffered until sent() says they reached the socket.
  Batch take();
  void sent(size_t bytes);
  // The connection must be cut (checked while a write is pending, which a
  // stuck client may hold until the write timeout).
  bool aborted() const;
  // The connection ended (or will not carry the stream): refuse writes, drop
  // the queue; nothing counts as buffered any more.
  void shut();

 private:
  mutable std::mutex mu_;
  const size_t max_buffered_;
  const std::function<void()> wake_;
  std::vector<std::string> queue_;
  size_t buffered_ = 0;  // queued plus taken and not yet sent
  bool open_ = true;
  End end_ = End::none;
};

}  // namespace snapq::net::detail
