#pragma once

#include "outage/deliver/channel.hpp"
#include "outage/model/error.hpp"
#include "outage/services/notify.hpp"

#include <fmt/format.h>

#include <memory>
#include <vector>

// A channel that keeps every message it is given. Told to, it refuses the Nth send (counted
// from 1 over its life) the way a real channel does: Error(runtime) with the reason.
class FakeChannel final : public outage::Channel {
  public:
    std::vector<outage::Outgoing> sent; // the messages it accepted, in order
    int attempts = 0;                   // every send, refused ones included
    int refuse_at = 0;                  // 0: never

    void send(const outage::Outgoing& message) override {
        ++attempts;
        if (attempts == refuse_at)
            throw outage::Error(outage::Exit::runtime,
                                fmt::format("fake channel refused send {}", attempts));
        sent.push_back(message);
    }
};

// Channels handed out by a factory are owned by notify; these forward to a FakeChannel the
// test keeps, and note which kind was asked for.
struct FakeChannels {
    FakeChannel channel;
    std::vector<outage::ChannelKind> built; // the kinds notify asked for, in order

    outage::ChannelFactory factory() {
        return [this](outage::ChannelKind kind) -> std::unique_ptr<outage::Channel> {
            built.push_back(kind);
            return std::make_unique<Forward>(channel);
        };
    }

  private:
    class Forward final : public outage::Channel {
      public:
        explicit Forward(FakeChannel& target) : m_target(target) {}
        void send(const outage::Outgoing& message) override { m_target.send(message); }

      private:
        FakeChannel& m_target;
    };
};
