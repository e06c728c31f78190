#pragma once
// Small call objects shared by the agents' tests.
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab::test {

/// 1,000 GPUs at 0.05 bn KRW each: about 50 bn KRW of hardware and 17 bn KRW of building,
/// eight operating years after two of construction.
inline CallObject small_call_object() {
  CallObject object;
  object.gpus = 1000;
  object.gpu_price_bn_krw = 0.05;
  object.years = 8;
  object.build_years = 2;
  return object;
}

}  // namespace tenderlab::test
