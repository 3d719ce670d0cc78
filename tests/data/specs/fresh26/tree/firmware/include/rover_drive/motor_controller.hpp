#pragma once
#include <cstdint>

namespace rover_drive {

struct WheelCommand { double left; double right; };

class MotorController {
public:
  MotorController(double wheel_base, double max_wheel_speed, uint32_t cmd_timeout_ms);
  WheelCommand fromTwist(double linear_x, double angular_z) const;
  // Returns zero command if no update within cmd_timeout_ms.
  WheelCommand tick(uint64_t now_ms);
  void update(double linear_x, double angular_z, uint64_t now_ms);
private:
  double wheel_base_, max_wheel_speed_;
  uint32_t cmd_timeout_ms_;
  uint64_t last_cmd_ms_ = 0;
  WheelCommand last_{0.0, 0.0};
};

}  // namespace rover_drive
