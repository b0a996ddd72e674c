// The CNN's options (melnorm/model.h): BatchNorm axes, the network's shape, training.
#include "melnorm/model.h"

#include "core/format.h"
#include "melnorm/error.h"

namespace melnorm {

using detail::num;

BnAxis parse_bn_axis(std::string_view name) {
  if (name == "channel") return BnAxis::kChannel;
  if (name == "freq") return BnAxis::kFreq;
  if (name == "time") return BnAxis::kTime;
  if (name == "none") return BnAxis::kNone;
  throw_invalid_argument("bn_axes",
                         "bn axis '" + std::string(name) + "' is not supported; allowed: channel, freq, time, none");
}

std::string to_string(BnAxis axis) {
  switch (axis) {
    case BnAxis::kChannel: return "channel";
    case BnAxis::kFreq: return "freq";
    case BnAxis::kTime: return "time";
    case BnAxis::kNone: return "none";
  }
  return "?";
}

void ModelOptions::validate() const {
  if (blocks < 1 || blocks > 8) throw_invalid_argument("blocks", "blocks=" + num(blocks) + " must be in [1, 8]");
  if (channels < 1 || channels > 512)
    throw_invalid_argument("channels", "channels=" + num(channels) + " must be in [1, 512]");
  if (max_channels < channels)
    throw_invalid_argument("max_channels",
                           "max_channels=" + num(max_channels) + " must be >= channels=" + num(channels));
}

void TrainOptions::validate() const {
  if (epochs < 1) throw_invalid_argument("epochs", "epochs=" + num(epochs) + " must be a positive integer");
  if (batch_size < 2)
    throw_invalid_argument("batch_size", "batch_size=" + num(batch_size) + " must be >= 2 (BatchNorm)");
  if (!(learning_rate > 0 && learning_rate < 1))
    throw_invalid_argument("learning_rate", "learning_rate=" + num(learning_rate) + " must be in (0, 1)");
  if (!(val_fraction >= 0 && val_fraction < 0.5))
    throw_invalid_argument("val_fraction", "val_fraction=" + num(val_fraction) + " must be in [0, 0.5)");
  if (threads < 0) throw_invalid_argument("threads", "threads=" + num(threads) + " must be >= 0 (0: all cores)");
}

}  // namespace melnorm
