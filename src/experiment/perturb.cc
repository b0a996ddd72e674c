#include "experiment/perturb.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "core/format.h"
#include "melnorm/augment.h"

namespace melnorm::detail {

std::string Condition::name() const {
  switch (kind) {
    case Kind::kClean: return "clean";
    case Kind::kGain:
      return "gain" + std::string(gain_db > 0 ? "+" : "") + num(gain_db) + "dB" + (bits ? "-pcm" + num(bits) : "");
    case Kind::kClick: return "click";
    case Kind::kNoise: return "noise" + num(snr_db) + "dB";
  }
  return "?";
}

std::vector<float> perturb(const std::vector<float>& y, const Condition& c, std::uint64_t seed) {
  std::vector<float> out = y;
  switch (c.kind) {
    case Condition::Kind::kClean: break;
    case Condition::Kind::kGain:  // the phone near or far: scale, the converter's clipping, stored as PCM
      // The training augmentation at a fixed gain: the same bytes as --train-gain DB --train-bits B.
      return augment(y, {.gain_db = DbRange{c.gain_db, c.gain_db}, .bits = c.bits}, seed, 0, 0);
    case Condition::Kind::kClick: {  // one full-scale sample somewhere in the clip's middle 80%
      if (out.empty()) break;
      std::mt19937_64 rng(seed);
      const std::size_t lo = out.size() / 10, span = std::max<std::size_t>(1, out.size() * 8 / 10);
      out[lo + rng() % span] = 1.0f;
      break;
    }
    case Condition::Kind::kNoise: {
      double power = 0.0;
      for (float v : out) power += static_cast<double>(v) * v;
      power /= static_cast<double>(std::max<std::size_t>(1, out.size()));
      const double sigma = std::sqrt(power / std::pow(10.0, c.snr_db / 10.0));
      std::mt19937_64 rng(seed);
      std::normal_distribution<double> noise(0.0, sigma);
      for (float& v : out) v = static_cast<float>(v + noise(rng));
      break;
    }
  }
  return out;
}

}  // namespace melnorm::detail
